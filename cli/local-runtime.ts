import * as os from 'node:os';
import * as path from 'node:path';
import { LOCK_ROOT_ENV } from '../functions/workflow/environment';
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
  /** Where restores keep their target locks. @default {@link defaultLockRoot} */
  readonly lockRoot?: string;
}

/**
 * Where restores run from this machine keep the lock of each target graph: HGBR_LOCKS (a folder or
 * s3://…; give the deployed stack's StateRoot to share the locks with its restores), else a folder
 * of this user ($XDG_STATE_HOME/hgbr, ~/.local/state/hgbr), whatever the backup's root.
 */
export function defaultLockRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env[LOCK_ROOT_ENV] || path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'hgbr');
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
    lockRoot: options.lockRoot ?? defaultLockRoot(),
    lockOwner: () => currentProcessOwner(),
    isLockOwnerAlive: isLocalProcessAlive,
    now: () => new Date(),
    remainingMs: () => options.budgetMs ?? 15 * 60_000,
    notify: options.notify ?? ignoreMessages,
    close: () => clients.closeAll(),
  };
}
