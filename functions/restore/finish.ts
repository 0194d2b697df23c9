import { readLock, releaseLock } from '../workflow/lock';
import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { GraphMode } from '../hugegraph';
import { ObjectNotFoundError, type BackupStorage } from '../storage/storage';
import type { RestoreLockRecord } from './plan';
import { restoreLockKey, verifyRecordKey } from './layout';
import { assertLockHeld, lockStorage, readPlanRecord } from './state';
import type { RestoreJob, RestoreSummary, VerifyRecord, VerifyResult } from './types';

/**
 * Ends a verified restore: puts the target's mode back to what it was, releases the lock and
 * removes the restore's records (a later run with the same id starts afresh). A run that lost its
 * lock meanwhile (reset, or taken over) leaves the mode to the lock's new owner. A retried task
 * finds the lock released and the mode back when its first attempt got that far (e.g. the
 * release's answer was lost), and finishes without touching either. Records the clean-up leaves
 * behind are handled by the next plan of the same id, so a failure there is a warning.
 */
export async function finishRestore(runtime: WorkflowRuntime, job: RestoreJob, verified: VerifyResult): Promise<RestoreSummary> {
  const state = runtime.storage(job.stateLocation);
  const client = await runtime.connect(job.target);
  const locks = lockStorage(runtime, job);
  const lock = (await readLock(locks, restoreLockKey(job.target))) as RestoreLockRecord | undefined;
  // A retry whose first attempt got as far as releasing the lock: nothing holds the graph and its
  // mode is back, so only the summary and the clean-up are left. Any other lock state: lost.
  const released = lock === undefined && (await client.getMode()) === job.previousMode;
  if (!released) await assertLockHeld(runtime, job);
  const plan = await readPlanRecord(state, job);
  const record = await readVerifyRecord(state, job);
  if (!released) {
    await client.setMode(job.previousMode as GraphMode);
    await releaseLock(locks, restoreLockKey(job.target), job.restoreId);
  }
  await state.deletePrefix(job.statePrefix).catch((error: unknown) => {
    runtime.notify(MESSAGES.restoreRecordsLeft.of({ restoreId: job.restoreId, statePrefix: job.statePrefix, error: (error as Error).message }));
  });
  const summary: RestoreSummary = {
    restoreId: job.restoreId,
    mode: job.mode,
    ...(plan?.contents ? { contents: plan.contents } : {}),
    target: job.target,
    source: `${job.source.root.replace(/\/+$/, '')}/${job.source.prefix}`,
    vertices: record?.expected.vertices ?? {},
    edges: record?.expected.edges ?? {},
    ...(plan?.variables ? { variables: plan.variables.count } : {}),
    ...(plan?.auth ? { auth: { objects: plan.auth.count, onConflict: plan.auth.onConflict } } : {}),
    durationMs: plan ? runtime.now().getTime() - Date.parse(plan.startedAt) : 0,
    modeRestoredTo: job.previousMode,
    countedOnTarget: verified.countedOnTarget,
  };
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  runtime.notify(MESSAGES.restoreCompleted.of({ restoreId: job.restoreId, graph: job.target.graph, vertices: total(summary.vertices), edges: total(summary.edges), modeRestoredTo: job.previousMode }));
  return summary;
}

async function readVerifyRecord(state: BackupStorage, job: RestoreJob): Promise<VerifyRecord | undefined> {
  try {
    return JSON.parse((await state.get(verifyRecordKey(job.statePrefix))).toString('utf8')) as VerifyRecord;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined; // a retry after the clean-up
    throw error;
  }
}
