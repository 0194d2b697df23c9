import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import type { LockOwner } from '../backup/lock';
import { clientCache, storageCache, type InvocationContext, type WorkflowRuntime } from '../backup/runtime';
import type { GraphRef } from '../backup/types';
import { HgbrError } from '../errors';
import { HugeGraphClient } from '../hugegraph';

interface Credentials {
  readonly username?: string;
  readonly password?: string;
}

/**
 * The handlers' runtime inside Lambda. Credentials come from the Secrets Manager secret named by
 * HUGEGRAPH_SECRET_ARN (a JSON object with `username` and `password`), read once per container and
 * never logged or returned; clients and storages are reused across invocations of a container.
 */
export function awsRuntime(env: NodeJS.ProcessEnv = process.env): WorkflowRuntime {
  let credentials: Promise<Credentials> | undefined;
  const clients = clientCache(async (server: GraphRef) => HugeGraphClient.connect({ ...server, ...(await (credentials ??= readCredentials(env).catch((e) => { credentials = undefined; throw e; }))) }));
  const sfn = new SFNClient({});
  return {
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
    remainingMs: (context?: InvocationContext) => context?.getRemainingTimeInMillis() ?? 60_000,
  };
}

async function readCredentials(env: NodeJS.ProcessEnv): Promise<Credentials> {
  const secretId = env.HUGEGRAPH_SECRET_ARN;
  if (!secretId) return { username: env.HUGEGRAPH_USERNAME, password: env.HUGEGRAPH_PASSWORD };
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  try {
    const { username, password } = JSON.parse(secret.SecretString ?? '{}') as Credentials;
    return { username, password };
  } catch {
    throw new HgbrError(`secret ${secretId} is not a JSON object with username and password`, 'InvalidSecret');
  }
}
