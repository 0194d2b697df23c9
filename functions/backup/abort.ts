import type { BackupStorage } from '../storage/storage';
import { type BackupGraph, backupLockKey, backupPrefix, manifestKey, workPrefix } from './layout';
import { readLock, releaseLock } from '../workflow/lock';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { BackupJob, BackupRequest } from './types';

export interface AbortResult {
  readonly backupId?: string;
  readonly deletedObjects: number;
  readonly lockReleased: boolean;
}

/**
 * The Catch path of the machine: a failed backup leaves nothing that could pass for a backup. Its
 * files go (there is no manifest, so they were never a backup) and the lock is released.
 */
export async function abortBackup(runtime: WorkflowRuntime, job: BackupJob): Promise<AbortResult> {
  const storage = runtime.storage(job.location);
  const deletedObjects = await removeUnlessComplete(storage, job.server, job.backupId);
  await releaseLock(storage, backupLockKey(job.server), job.backupId);
  return { backupId: job.backupId, deletedObjects, lockReleased: true };
}

/**
 * Removes a failed run's files, unless its manifest was written: a run that failed after its commit
 * (retention, unlocking) produced a complete backup, which may by now be the only one.
 */
async function removeUnlessComplete(storage: BackupStorage, of: BackupGraph, backupId: string): Promise<number> {
  if (await storage.head(manifestKey(of, backupId))) return storage.deletePrefix(workPrefix(of, backupId));
  return storage.deletePrefix(backupPrefix(of, backupId));
}

/**
 * For runs that ended where no Catch runs (aborted, timed out, or a runtime error): the same
 * clean-up, found through the lock, which names the run's backup and its execution. Runs from the
 * EventBridge rule on AWS and from the local runner when it aborts an execution. Idempotent.
 */
export async function cleanUpEndedExecution(runtime: WorkflowRuntime, request: BackupRequest, executionId: string): Promise<AbortResult> {
  const storage = runtime.storage(request.location);
  const lockKey = backupLockKey(request.server);
  const lock = await readLock(storage, lockKey);
  const owner = runtime.lockOwner(executionId);
  if (!lock || JSON.stringify(lock.owner) !== JSON.stringify(owner)) return { deletedObjects: 0, lockReleased: false };
  const deletedObjects = await removeUnlessComplete(storage, request.server, lock.runId);
  await releaseLock(storage, lockKey, lock.runId);
  return { backupId: lock.runId, deletedObjects, lockReleased: true };
}
