import { readLock, releaseLock } from '../workflow/lock';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { GraphMode } from '../hugegraph';
import { restoreLockKey } from './layout';
import type { RestoreLockRecord } from './plan';
import { resolveSource } from './source';
import type { RestoreJob, RestoreRequest } from './types';

export interface ResetResult {
  readonly restoreId?: string;
  /** The mode the target was set to; absent when the target was not touched. */
  readonly modeRestoredTo?: string;
  readonly lockReleased: boolean;
}

/**
 * The Catch path of the machine: puts the target's mode back and releases the lock. Idempotent: a
 * lock already released is fine. A lock now held by another restore (this one was declared dead and
 * taken over) is left alone, and so is the mode, which belongs to that restore now. The restore's
 * records stay, so a re-run with the same restore id skips the files already restored.
 */
export async function resetRestore(runtime: WorkflowRuntime, job: RestoreJob): Promise<ResetResult> {
  const state = runtime.storage(job.stateLocation);
  const key = restoreLockKey(job.target);
  const lock = await readLock(state, key);
  if (lock && lock.runId !== job.restoreId) return { restoreId: job.restoreId, lockReleased: false };
  const client = await runtime.connect(job.target);
  await client.setMode(job.previousMode as GraphMode);
  await releaseLock(state, key, job.restoreId);
  return { restoreId: job.restoreId, modeRestoredTo: job.previousMode, lockReleased: lock !== undefined };
}

/**
 * For runs that ended where no Catch runs (aborted, timed out): the same reset, found through the
 * target's lock, which records the run and the mode to put back. Only a lock this execution owns
 * is touched. Runs from the EventBridge rule on AWS and from the local runner on an abort.
 */
export async function cleanUpEndedRestore(runtime: WorkflowRuntime, request: RestoreRequest, executionId: string): Promise<ResetResult> {
  const state = runtime.storage(request.stateLocation ?? resolveSource(request.source).root);
  const key = restoreLockKey(request.target);
  const lock = (await readLock(state, key)) as RestoreLockRecord | undefined;
  if (!lock || JSON.stringify(lock.owner) !== JSON.stringify(runtime.lockOwner(executionId))) return { lockReleased: false };
  const modeRestoredTo = lock.previousMode ?? 'NONE';
  const client = await runtime.connect(request.target);
  await client.setMode(modeRestoredTo as GraphMode);
  await releaseLock(state, key, lock.runId);
  return { restoreId: lock.runId, modeRestoredTo, lockReleased: true };
}
