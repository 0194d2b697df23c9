import type { GraphSession, HugeGraphClient } from '../hugegraph';
import { openStorage } from '../storage/open';
import type { BackupStorage } from '../storage/storage';
import type { LockOwner } from './lock';
import type { GraphRef } from './graph-ref';
import type { Notify } from './messages';

/**
 * What the workflow handlers need from where they run. On AWS: credentials from Secrets Manager,
 * the Lambda's remaining time, Step Functions to tell whether a lock's execution still runs.
 * Locally: credentials from flags or the environment, a fixed time budget, process ids.
 */
export interface WorkflowRuntime {
  /** A session on the graph, as the steps use it (pooled per server and graph). */
  connect(server: GraphRef): Promise<GraphSession>;
  storage(location: string): BackupStorage;
  /**
   * Where restores keep the lock of each target graph (HGBR_LOCKS): one place for every run of a
   * deployment (its StateRoot) or of a machine, never the source's root, so two restores into one
   * graph see each other whatever they restore from. Unset: the restore's state location.
   */
  readonly lockRoot?: string;
  /** Who this run is, for the locks it takes; `executionId` is the state machine's `$$.Execution.Id`. */
  lockOwner(executionId: string): LockOwner;
  isLockOwnerAlive(owner: LockOwner): Promise<boolean | undefined>;
  now(): Date;
  /** Milliseconds this invocation may still work before it must hand back a cursor. */
  remainingMs(): number;
  /** Where steps report progress, warnings and results (messages.ts); never throws. */
  readonly notify: Notify;
  /**
   * Aborts when the run is stopped (Ctrl-C) or the invocation's time is up. The sessions and
   * storages this runtime hands out are bound to it, and the steps' own loops check it.
   */
  readonly signal?: AbortSignal;
}

/**
 * The runtime with `signal`: every graph session and storage it hands out abandons its calls once
 * the signal aborts, and fails with an AbortedError. (Runtimes here are plain objects, so the
 * spread keeps all of their functions.)
 */
export function withSignal(runtime: WorkflowRuntime, signal: AbortSignal | undefined): WorkflowRuntime {
  if (!signal) return runtime;
  return {
    ...runtime,
    signal,
    connect: async (server) => (await runtime.connect(server)).withSignal(signal),
    storage: (location) => runtime.storage(location).withSignal(signal),
  };
}

/** A workflow step: the work of one task state, given where it runs and the state's input. */
export type WorkflowStep<I = never, O = unknown> = (runtime: WorkflowRuntime, input: I) => Promise<O>;

// `any` input: each step names its own input type; a map of them is only read through BoundSteps.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type WorkflowSteps = Record<string, WorkflowStep<any>>;

/** Steps bound to one runtime: a task state's handler takes the state's input only. */
export type BoundSteps<S extends WorkflowSteps> = { readonly [K in keyof S]: (input: Parameters<S[K]>[1]) => ReturnType<S[K]> };

/** Binds every step to `runtime`, as the local runner and the tests call them. */
export function bindSteps<S extends WorkflowSteps>(steps: S, runtime: WorkflowRuntime): BoundSteps<S> {
  return Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, (input: unknown) => step(runtime, input)])) as BoundSteps<S>;
}

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
    if (!storage) {
      storage = openStorage(location);
      storages.set(location, storage);
    }
    return storage;
  };
}
