import { isLocalProcessAlive, currentProcessOwner } from '../functions/workflow/lock';
import { ignoreMessages, type Notify } from '../functions/workflow/messages';
import { clientCache, storageCache, type WorkflowRuntime } from '../functions/workflow/runtime';
import type { GraphRef } from '../functions/workflow/graph-ref';
import { HugeGraphClient } from '../functions/hugegraph';

export interface LocalRuntimeOptions {
  readonly username?: string;
  readonly password?: string;
  /** How long one task may page before handing back a cursor; Lambda's limit does not apply here. */
  readonly budgetMs?: number;
  /** Where the steps' messages go. @default nowhere */
  readonly notify?: Notify;
}

export interface LocalRuntime extends WorkflowRuntime {
  close(): Promise<void>;
}

/**
 * The handlers' runtime on this machine: credentials from the command line or the environment,
 * one connection pool per server shared by all tasks, locks owned by this process.
 */
export function localRuntime(options: LocalRuntimeOptions = {}): LocalRuntime {
  const clients = clientCache((server: GraphRef) => HugeGraphClient.connect({ ...server, username: options.username, password: options.password }));
  return {
    connect: (server) => clients.get(server),
    storage: storageCache(),
    lockOwner: () => currentProcessOwner(),
    isLockOwnerAlive: isLocalProcessAlive,
    now: () => new Date(),
    remainingMs: () => options.budgetMs ?? 15 * 60_000,
    notify: options.notify ?? ignoreMessages,
    close: () => clients.closeAll(),
  };
}
