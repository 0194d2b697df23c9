import type { HugeGraphClient } from '../hugegraph';
import { openStorage } from '../storage/open';
import type { BackupStorage } from '../storage/storage';
import type { LockOwner } from './lock';
import type { GraphRef } from './graph-ref';

/**
 * What the workflow handlers need from where they run. On AWS: credentials from Secrets Manager,
 * the Lambda's remaining time, Step Functions to tell whether a lock's execution still runs.
 * Locally: credentials from flags or the environment, a fixed time budget, process ids.
 */
export interface WorkflowRuntime {
  connect(server: GraphRef): Promise<HugeGraphClient>;
  storage(location: string): BackupStorage;
  /** Who this run is, for the locks it takes; `executionId` is the state machine's `$$.Execution.Id`. */
  lockOwner(executionId: string): LockOwner;
  isLockOwnerAlive(owner: LockOwner): Promise<boolean | undefined>;
  now(): Date;
  /** Milliseconds this invocation may still work before it must hand back a cursor. */
  remainingMs(context?: InvocationContext): number;
  readonly progress?: (event: ProgressEvent) => void;
}

/** The part of a Lambda context the handlers use. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export type ProgressEvent =
  | { readonly type: 'planned'; readonly backupId: string; readonly vertexLabels: number; readonly edgeLabels: number }
  | { readonly type: 'exported'; readonly kind: 'vertex' | 'edge'; readonly label: string; readonly elements: number; readonly bytes: number }
  /** One batch written to the target by a restore; `label` is '(mixed)' for a hugegraph-tools file. */
  | { readonly type: 'restored'; readonly kind: 'vertex' | 'edge'; readonly label: string; readonly elements: number; readonly bytes: number }
  /** Something a person should know that does not stop the run (e.g. a backup without checksums). */
  | { readonly type: 'warning'; readonly message: string };

/**
 * One client per server and graph, shared by every task a process runs: a connection pool is
 * built once, and a failed connect is forgotten so the next task tries again.
 */
export function clientCache(connect: (server: GraphRef) => Promise<HugeGraphClient>) {
  const clients = new Map<string, Promise<HugeGraphClient>>();
  return {
    get(server: GraphRef): Promise<HugeGraphClient> {
      const key = `${server.url}|${server.graphspace ?? ''}|${server.graph}`;
      let client = clients.get(key);
      if (!client) {
        client = connect(server);
        client.catch(() => clients.delete(key));
        clients.set(key, client);
      }
      return client;
    },
    async closeAll(): Promise<void> {
      const settled = await Promise.allSettled(clients.values());
      clients.clear();
      await Promise.all(settled.map((c) => (c.status === 'fulfilled' ? c.value.close() : undefined)));
    },
  };
}

/** One storage per location, shared by every task a process runs (S3 clients keep their sockets). */
export function storageCache(): (location: string) => BackupStorage {
  const storages = new Map<string, BackupStorage>();
  return (location) => {
    let storage = storages.get(location);
    if (!storage) storages.set(location, (storage = openStorage(location)));
    return storage;
  };
}
