import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { deadlineSignal } from '../abort';
import type { LockOwner } from '../workflow/lock';
import type { Notify } from '../workflow/messages';
import { clientCache, storageCache, withSignal, type WorkflowRuntime } from '../workflow/runtime';
import type { GraphRef } from '../workflow/graph-ref';
import { HugeGraphClient } from '../hugegraph';
import { InvalidSecretError, ServerNotAllowedError } from '../workflow/errors';

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
 * The handlers' runtime inside Lambda. Credentials come from the Secrets Manager secret named by
 * HUGEGRAPH_SECRET_ARN (a JSON object with `username` and `password`), read once per container and
 * never logged or returned; clients and storages are reused across invocations of a container.
 * Messages go to `notify` (the structured logger).
 */
export function awsRuntime(notify: Notify, env: NodeJS.ProcessEnv = process.env): AwsRuntime {
  let credentials: Promise<Credentials> | undefined;
  const allowed = allowedServers(env);
  // Read once per container; a failed read is forgotten so the next task tries again.
  const readCredentialsOnce = (): Promise<Credentials> => {
    credentials ??= readCredentials(env).catch((error) => {
      credentials = undefined;
      throw error;
    });
    return credentials;
  };
  const clients = clientCache(async (server: GraphRef) => {
    if (allowed && !allowed.has(normalizeUrl(server.url))) throw new ServerNotAllowedError(server.url);
    return HugeGraphClient.connect({ ...server, ...(await readCredentialsOnce()) });
  });
  const sfn = new SFNClient({});
  const runtime: WorkflowRuntime = {
    connect: (server) => clients.get(server),
    storage: storageCache(),
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
 * The stack lists the HugeGraph servers it was configured with in HUGEGRAPH_ALLOWED_URLS (a JSON
 * array). The credentials are sent to no other server, whatever a state machine's input says: a
 * principal allowed to start an execution cannot have the secret sent to a server of its choosing.
 * Unset (local runs, tests): no restriction.
 */
function allowedServers(env: NodeJS.ProcessEnv): Set<string> | undefined {
  const text = env.HUGEGRAPH_ALLOWED_URLS;
  if (text === undefined) return undefined;
  try {
    return new Set((JSON.parse(text) as string[]).map(normalizeUrl));
  } catch {
    return new Set(); // unreadable: allow nothing rather than everything
  }
}

function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}

async function readCredentials(env: NodeJS.ProcessEnv): Promise<Credentials> {
  const secretId = env.HUGEGRAPH_SECRET_ARN;
  if (!secretId) return { username: env.HUGEGRAPH_USERNAME, password: env.HUGEGRAPH_PASSWORD };
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  try {
    const { username, password } = JSON.parse(secret.SecretString ?? '{}') as Credentials;
    return { username, password };
  } catch {
    throw new InvalidSecretError(secretId);
  }
}
