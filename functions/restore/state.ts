/** Records a restore keeps in its state location: the lock check, done records, the plan record. */
import { readLock } from '../workflow/lock';
import type { WorkflowRuntime } from '../workflow/runtime';
import { ObjectNotFoundError, type BackupStorage } from '../storage/storage';
import { RestoreLockLostError } from './errors';
import { doneRecordKey, planRecordKey, restoreLockKey } from './layout';
import type { PlanRecord, RestoreLockRecord } from './plan';
import type { RestoreJob } from './types';

/** Written once a file's elements are all on the target; its presence makes a re-run skip the file. */
export interface DoneRecord {
  readonly name: string;
  readonly type: 'vertices' | 'edges';
  readonly elements: number;
  /** Elements per label (a hugegraph-tools file mixes labels); verify compares these when there is no manifest. */
  readonly labels: Record<string, number>;
  readonly finishedAt: string;
}

/** The restore must still own its target: a reset or a takeover means it must stop writing. */
export async function assertLockHeld(runtime: WorkflowRuntime, job: RestoreJob): Promise<void> {
  const key = restoreLockKey(job.target);
  const lock = (await readLock(runtime.storage(job.stateLocation), key)) as RestoreLockRecord | undefined;
  if (!lock || lock.runId !== job.restoreId) throw new RestoreLockLostError(key, job.restoreId, lock?.runId);
}

export async function readDoneRecord(state: BackupStorage, job: RestoreJob, fileName: string): Promise<DoneRecord | undefined> {
  return readJson<DoneRecord>(state, doneRecordKey(job.statePrefix, fileName));
}

export async function readPlanRecord(state: BackupStorage, job: RestoreJob): Promise<PlanRecord | undefined> {
  return readJson<PlanRecord>(state, planRecordKey(job.statePrefix));
}

async function readJson<T>(state: BackupStorage, key: string): Promise<T | undefined> {
  try {
    return JSON.parse((await state.get(key)).toString('utf8')) as T;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}
