import { releaseLock } from '../backup/lock';
import type { WorkflowRuntime } from '../backup/runtime';
import type { GraphMode } from '../hugegraph';
import { restoreLockKey } from './layout';
import { readPlanRecord } from './state';
import type { RestoreJob, RestoreSummary, VerifyResult } from './types';

/**
 * Ends a verified restore: puts the target's mode back to what it was, releases the lock and
 * removes the restore's records (a later run with the same id starts afresh).
 */
export async function finishRestore(runtime: WorkflowRuntime, job: RestoreJob, verified: VerifyResult): Promise<RestoreSummary> {
  const state = runtime.storage(job.stateLocation);
  const plan = await readPlanRecord(state, job);
  const client = await runtime.connect(job.target);
  await client.setMode(job.previousMode as GraphMode);
  await releaseLock(state, restoreLockKey(job.target), job.restoreId);
  await state.deletePrefix(job.statePrefix);
  const expected = (counts: VerifyResult['vertices']) => Object.fromEntries(Object.entries(counts).map(([label, c]) => [label, c.expected]));
  return {
    restoreId: job.restoreId,
    mode: job.mode,
    target: job.target,
    source: `${job.source.root.replace(/\/+$/, '')}/${job.source.prefix}`,
    vertices: expected(verified.vertices),
    edges: expected(verified.edges),
    durationMs: plan ? runtime.now().getTime() - Date.parse(plan.startedAt) : 0,
    modeRestoredTo: job.previousMode,
  };
}
