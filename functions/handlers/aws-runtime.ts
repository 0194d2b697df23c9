import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { deadlineSignal } from '../abort';
import { LOCK_ROOT_ENV } from '../workflow/environment';
import type { LockOwner } from '../workflow/lock';
import type { Notify } from '../workflow/messages';
import { clientCache, storageCache, withSignal, type WorkflowRuntime } from '../workflow/runtime';
import type { GraphRef } from '../workflow/graph-ref';
import { HugeGraphClient } from '../hugegraph';
import { InvalidSecretError, ServerNotAllowedError } from '../workflow/errors';
import { type EndpointSecret, SECRETS_ENV, secretFor } from '../workflow/secrets';

interface Credentials {
  readonly username?: string;
  readonly password?: string;
}

/** The part of a Lambda context the runtime uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface AwsRuntime extends WorkflowRuntime {
  /**
   * The runtime for one invocation: its time is the invocation's, and its signal aborts
   * {@link DEADLINE_MARGIN_MS} before Lambda would end the invocation.
   */
  forInvocation(context: LambdaContext): WorkflowRuntime;
}

/**
 * A step still working this long before its Lambda times out is stopped: it fails with an
 * AbortedError that the state machine's Catch handles (clean-up, mode reset), instead of being cut
 * off mid-call. An export chunk stops paging well before (export-chunk.ts SAFETY_MARGIN_MS).
 */
export const DEADLINE_MARGIN_MS = 10_000;

/**
 * The handlers' runtime inside Lambda. Each server's credentials come from its own Secrets Manager
 * secret (HUGEGRAPH_SECRETS lists them; a JSON object with `username` and `password`), read when
 * first needed and again after the server answers 401 (the password was rotated), never logged or
 * returned; clients and storages are reused across invocations of a container. Messages go to
 * `notify` (the structured logger).
 */
export function awsRuntime(notify: Notify, env: NodeJS.ProcessEnv = process.env): AwsRuntime {
  const endpoints = endpointSecrets(env);
  const secrets = secretCache();
  const clients = clientCache(async (server: GraphRef) => {
    if (!endpoints) return HugeGraphClient.connect({ ...server, username: env.HUGEGRAPH_USERNAME, password: env.HUGEGRAPH_PASSWORD });
    const endpoint = secretFor(endpoints, server);
    if (!endpoint) throw new ServerNotAllowedError(server.url);
    const credentials = await secrets.read(endpoint.secretArn);
    return HugeGraphClient.connect({ ...server, ...credentials, refreshCredentials: () => secrets.read(endpoint.secretArn, { fresh: true }) });
  });
  const sfn = new SFNClient({});
  const runtime: WorkflowRuntime = {
    connect: (server) => clients.get(server),
    storage: storageCache(),
    // The stack's StateRoot (infra sets HGBR_LOCKS): every restore it runs, whatever its input, locks there.
    ...(env[LOCK_ROOT_ENV] ? { lockRoot: env[LOCK_ROOT_ENV] } : {}),
    lockOwner: (executionId: string): LockOwner => ({ type: 'execution', executionArn: executionId }),
    async isLockOwnerAlive(owner: LockOwner) {
      if (owner.type !== 'execution') return undefined;
      try {
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: owner.executionArn }));
        return execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE';
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return false;
        return undefined; // cannot tell: treat as alive until the lock expires
      }
    },
    now: () => new Date(),
    remainingMs: () => 60_000,
    notify,
  };
  const forInvocation = (context: LambdaContext): WorkflowRuntime => {
    const deadline = deadlineSignal(context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS, 'the Lambda invocation was about to time out');
    return withSignal({ ...runtime, remainingMs: () => context.getRemainingTimeInMillis() }, deadline);
  };
  return { ...runtime, forInvocation };
}

/**
 * The servers the stack was configured with, each with its secret (HUGEGRAPH_SECRETS, a JSON
 * array). The credentials are sent to no other server, whatever a state machine's input says: a
 * principal allowed to start an execution cannot have a secret sent to a server of its choosing.
 * Unset (local runs, tests): credentials from HUGEGRAPH_USERNAME / HUGEGRAPH_PASSWORD, any server.
 */
function endpointSecrets(env: NodeJS.ProcessEnv): EndpointSecret[] | undefined {
  const text = env[SECRETS_ENV];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as EndpointSecret[];
  } catch {
    return []; // unreadable: allow nothing rather than everything
  }
}

/**
 * Secrets read once per container and kept; `fresh` reads again (after a 401) and keeps that. A
 * failed read is forgotten, so the next task tries again. Concurrent readers share one call.
 */
function secretCache() {
  const cache = new Map<string, Promise<Credentials>>();
  let client: SecretsManagerClient | undefined;
  return {
    read(secretId: string, options: { fresh?: boolean } = {}): Promise<Credentials> {
      let credentials = options.fresh ? undefined : cache.get(secretId);
      if (!credentials) {
        client ??= new SecretsManagerClient({});
        credentials = readSecret(client, secretId);
        credentials.catch(() => cache.delete(secretId));
        cache.set(secretId, credentials);
      }
      return credentials;
    },
  };
}

async function readSecret(client: SecretsManagerClient, secretId: string): Promise<Credentials> {
  const secret = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  try {
    const { username, password } = JSON.parse(secret.SecretString ?? '{}') as Credentials;
    return { username, password };
  } catch {
    throw new InvalidSecretError(secretId);
  }
}
