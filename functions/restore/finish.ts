import { releaseLock } from '../backup/lock';
import type { WorkflowRuntime } from '../backup/runtime';
import type { GraphMode } from '../hugegraph';
import { restoreLockKey, verifyRecordKey } from './layout';
import { assertLockHeld, readPlanRecord } from './state';
import type { RestoreJob, RestoreSummary, VerifyRecord, VerifyResult } from './types';

/**
 * Ends a verified restore: puts the target's mode back to what it was, releases the lock and
 * removes the restore's records (a later run with the same id starts afresh). A run that lost its
 * lock meanwhile (reset, or taken over) leaves the mode to the lock's new owner. Everything up to
 * the lock's release may run twice (a retried task); the clean-up after it must not fail the
 * restore, since a retry would no longer hold the lock: records it leaves behind are handled by
 * the next plan of the same id, so a failure there is a warning.
 */
export async function finishRestore(runtime: WorkflowRuntime, job: RestoreJob, verified: VerifyResult): Promise<RestoreSummary> {
  const state = runtime.storage(job.stateLocation);
  await assertLockHeld(runtime, job);
  const plan = await readPlanRecord(state, job);
  const record = JSON.parse((await state.get(verifyRecordKey(job.statePrefix))).toString('utf8')) as VerifyRecord;
  const client = await runtime.connect(job.target);
  await client.setMode(job.previousMode as GraphMode);
  await releaseLock(state, restoreLockKey(job.target), job.restoreId);
  await state.deletePrefix(job.statePrefix).catch((error: unknown) => {
    runtime.progress?.({ type: 'warning', message: `the restore's records under ${job.statePrefix} were not all removed: ${(error as Error).message}` });
  });
  return {
    restoreId: job.restoreId,
    mode: job.mode,
    target: job.target,
    source: `${job.source.root.replace(/\/+$/, '')}/${job.source.prefix}`,
    vertices: record.expected.vertices,
    edges: record.expected.edges,
    durationMs: plan ? runtime.now().getTime() - Date.parse(plan.startedAt) : 0,
    modeRestoredTo: job.previousMode,
    countedOnTarget: verified.countedOnTarget,
  };
}
