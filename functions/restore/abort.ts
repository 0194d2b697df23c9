import { setTimeout as sleep } from 'node:timers/promises';
import { HgbrError } from '../errors';
import { readLock, releaseLock } from '../workflow/lock';
import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { GraphRef } from '../workflow/graph-ref';
import type { GraphMode } from '../hugegraph';
import type { BackupStorage } from '../storage/storage';
import { RestoreResetFailedError } from './errors';
import { restoreLockKey } from './layout';
import type { RestoreLockRecord } from './plan';
import { lockStorage } from './state';
import { resolveSource } from './source';
import type { RestoreJob, RestoreRequest } from './types';

export interface ResetResult {
  readonly restoreId?: string;
  /** The mode the target was set to; absent when the target was not touched. */
  readonly modeRestoredTo?: string;
  readonly lockReleased: boolean;
}

/** The error a Catch hands over: `{Error, Cause}` of the state that failed. */
export interface CaughtError {
  readonly Error?: string;
  readonly Cause?: string;
}

/**
 * The Catch path of the machine: puts the target's mode back and releases the lock, whatever
 * failed, and says so (HGBR_RESTORE_W2008). Idempotent: a lock already released is fine. A lock
 * now held by another restore (this one was declared dead and taken over) is left alone, and so is
 * the mode, which belongs to that restore now. A lock that cannot be read (the store fails) is this
 * run's: a live run's lock is never taken over before it is a day old. Both the mode and the lock
 * are tried even if the other fails; what could not be done is a RestoreResetFailedError that keeps
 * the restore's own error and says exactly how to finish. The restore's records stay, so a re-run
 * with the same restore id skips the files already restored.
 */
export async function resetRestore(runtime: WorkflowRuntime, job: RestoreJob, failure?: CaughtError, options: ResetOptions = {}): Promise<ResetResult> {
  const locks = lockStorage(runtime, job);
  const key = restoreLockKey(job.target);
  const lock = await attempt(() => persistently(() => readLock(locks, key)));
  const failed = { error: failure?.Error, cause: failure?.Cause };
  if (lock.value && lock.value.runId !== job.restoreId) {
    runtime.notify(MESSAGES.restoreReset.of({ restoreId: job.restoreId, graph: job.target.graph, error: failure?.Error, lockReleased: false, takenOverBy: lock.value.runId }));
    return { restoreId: job.restoreId, lockReleased: false };
  }
  const held = lock.value !== undefined || 'error' in lock;
  return putBack(runtime, { restoreId: job.restoreId, target: job.target, mode: job.previousMode, locks, key, held, record: lock.value as RestoreLockRecord | undefined }, failed, options);
}

/**
 * For runs that ended where no Catch runs (aborted, timed out) or whose Catch could not finish:
 * the same reset, found through the target's lock, which records the run and the mode to put back.
 * Only a lock this execution owns is touched. Runs from the EventBridge rule on AWS and from the
 * local runner once a run has ended other than SUCCEEDED.
 */
export async function cleanUpEndedRestore(runtime: WorkflowRuntime, request: RestoreRequest, executionId: string, failure?: CaughtError, options: ResetOptions = {}): Promise<ResetResult> {
  const locks = runtime.storage(runtime.lockRoot ?? request.stateLocation ?? resolveSource(request.source).root);
  const key = restoreLockKey(request.target);
  const read = await attempt(() => readLock(locks, key) as Promise<RestoreLockRecord | undefined>);
  if ('error' in read) {
    // Whether this run ever held the graph cannot be told: say what may be left, touch nothing.
    const left = { target: request.target, mode: { back: 'NONE', error: read.error }, lock: { uri: locks.uri(key), error: read.error } };
    throw new RestoreResetFailedError(request.restoreId ?? executionId, { error: failure?.Error, cause: failure?.Cause }, left);
  }
  const lock = read.value;
  if (!lock || JSON.stringify(lock.owner) !== JSON.stringify(runtime.lockOwner(executionId))) return { lockReleased: false };
  return putBack(
    runtime,
    { restoreId: lock.runId, target: request.target, mode: lock.previousMode ?? 'NONE', locks, key, held: true, record: lock },
    { error: failure?.Error, cause: failure?.Cause },
    options,
  );
}

interface HeldTarget {
  readonly restoreId: string;
  readonly target: GraphRef;
  /** The mode to put back. */
  readonly mode: string;
  readonly locks: BackupStorage;
  readonly key: string;
  /** Whether the lock may still be there (false: it is known to be released already). */
  readonly held: boolean;
  /** The lock as read, when it could be: fenced before the mode goes back. */
  readonly record?: RestoreLockRecord;
}

export interface ResetOptions {
  /** How long workers get to see the fence before the mode goes back. @default {@link RESET_FENCE_WAIT_MS} */
  readonly fenceWaitMs?: number;
}

/**
 * Workers still posting batches when a run fails (siblings of the failed Distributed Map child;
 * Lambdas of an aborted execution, which Step Functions does not stop) check the lock every
 * FENCE_CHECK_MS (restore-files.ts). The reset marks the lock first and waits this long, so that
 * no batch is sent after the mode is back; a batch already sent may still land (it is the
 * restore's own, and a re-run writes it again).
 */
export const RESET_FENCE_WAIT_MS = 2500;

async function putBack(runtime: WorkflowRuntime, run: HeldTarget, failure: { error?: string; cause?: string }, options: ResetOptions): Promise<ResetResult> {
  if (run.record && !run.record.resetAt) {
    const fenced = await attempt(() => persistently(() => run.locks.put(run.key, JSON.stringify({ ...run.record, resetAt: runtime.now().toISOString() }, null, 2))));
    if (!('error' in fenced)) await sleep(options.fenceWaitMs ?? RESET_FENCE_WAIT_MS);
  }
  const mode = await attempt(async () => (await runtime.connect(run.target)).setMode(run.mode as GraphMode));
  const release = run.held ? await attempt(() => persistently(() => releaseLock(run.locks, run.key, run.restoreId))) : { value: undefined };
  if ('error' in mode || 'error' in release) {
    throw new RestoreResetFailedError(run.restoreId, failure, {
      target: run.target,
      ...('error' in mode ? { mode: { back: run.mode, error: mode.error } } : {}),
      ...('error' in release ? { lock: { uri: run.locks.uri(run.key), error: release.error } } : {}),
    });
  }
  runtime.notify(MESSAGES.restoreReset.of({ restoreId: run.restoreId, graph: run.target.graph, error: failure.error, modeRestoredTo: run.mode, lockReleased: run.held }));
  return { restoreId: run.restoreId, modeRestoredTo: run.mode, lockReleased: run.held };
}

/**
 * The reset's own storage calls, tried again on a transient failure: after a burst of 503s the
 * SDK's retry quota may be spent, and the reset is the call that must get through.
 */
async function persistently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!HgbrError.isTransient(error) || attempt >= RESET_STORAGE_ATTEMPTS) throw error;
      await sleep(Math.random() * 500 * 2 ** attempt);
    }
  }
}

const RESET_STORAGE_ATTEMPTS = 5;

async function attempt<T>(work: () => Promise<T>): Promise<{ value: T } | { value?: undefined; error: unknown }> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error };
  }
}
