/** Records a restore keeps in its state location: the lock check, done records, the plan record. */
import { readLock } from '../workflow/lock';
import type { WorkflowRuntime } from '../workflow/runtime';
import { ObjectNotFoundError, type BackupStorage } from '../storage/storage';
import { RestoreLockLostError } from './errors';
import { doneRecordKey, doneRecordsPrefix, planRecordKey, RESTORES_FOLDER, restoreLockKey, statePrefixOf } from './layout';
import { resolveSource } from './source';
import type { PlanRecord, RestoreLockRecord } from './plan';
import type { RestoreJob, RestoreRequest } from './types';

/** Written once a file's elements are all on the target; its presence makes a re-run skip the file. */
export interface DoneRecord {
  readonly name: string;
  readonly type: 'vertices' | 'edges';
  readonly elements: number;
  /** Elements per label (a hugegraph-tools file mixes labels); verify compares these when there is no manifest. */
  readonly labels: Record<string, number>;
  readonly finishedAt: string;
}

/** Where the job's target lock lives. */
export function lockStorage(runtime: WorkflowRuntime, job: RestoreJob): BackupStorage {
  return runtime.storage(job.lockLocation ?? job.stateLocation);
}

/** The restore must still own its target: a reset or a takeover means it must stop writing. */
export async function assertLockHeld(runtime: WorkflowRuntime, job: RestoreJob): Promise<void> {
  const key = restoreLockKey(job.target);
  const lock = (await readLock(lockStorage(runtime, job), key)) as RestoreLockRecord | undefined;
  if (!lock || lock.runId !== job.restoreId) throw new RestoreLockLostError(key, job.restoreId, lock?.runId);
  if (lock.resetAt) throw new RestoreLockLostError(key, job.restoreId, undefined, `its reset began at ${lock.resetAt}`);
}

export async function readDoneRecord(state: BackupStorage, job: RestoreJob, fileName: string): Promise<DoneRecord | undefined> {
  return readJson<DoneRecord>(state, doneRecordKey(job.statePrefix, fileName));
}

export async function readPlanRecord(state: BackupStorage, job: RestoreJob): Promise<PlanRecord | undefined> {
  return readJson<PlanRecord>(state, planRecordKey(job.statePrefix));
}

/**
 * Whether a restore of this id got past its plan and has not finished (finish removes its records):
 * then running it again resumes it. Where its records are: the state location, else the source's root.
 */
export async function isUnfinished(runtime: Pick<WorkflowRuntime, 'storage'>, request: RestoreRequest & { restoreId: string }): Promise<boolean> {
  const state = runtime.storage(request.stateLocation ?? resolveSource(request.source).root);
  return (await state.head(planRecordKey(statePrefixOf(request.restoreId)))) !== undefined;
}

/** A restore whose records are in a state location: it got past its plan and did not finish. */
export interface UnfinishedRestore extends Pick<PlanRecord, 'restoreId' | 'source' | 'target' | 'mode' | 'startedAt'> {
  /** Files already restored, which a resume skips. */
  readonly filesDone: number;
}

/** The unfinished restores whose records are in `state`, oldest first: what `hgbr list` shows as resumable. */
export async function listUnfinishedRestores(state: BackupStorage): Promise<UnfinishedRestore[]> {
  const restores: UnfinishedRestore[] = [];
  for await (const prefix of state.listPrefixes(`${RESTORES_FOLDER}/`)) {
    const plan = await readJson<PlanRecord>(state, planRecordKey(prefix));
    if (!plan) continue;
    let filesDone = 0;
    for await (const _ of state.list(doneRecordsPrefix(prefix))) filesDone++;
    restores.push({ restoreId: plan.restoreId, source: plan.source, target: plan.target, mode: plan.mode, startedAt: plan.startedAt, filesDone });
  }
  return restores.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
}

async function readJson<T>(state: BackupStorage, key: string): Promise<T | undefined> {
  try {
    return JSON.parse((await state.get(key)).toString('utf8')) as T;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}
