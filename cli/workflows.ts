import { cleanUpEndedExecution } from '../functions/backup/abort';
import { backupHandlers } from '../functions/backup/handlers';
import type { BackupRequest, BackupSummary } from '../functions/backup/types';
import type { SynthesizedWorkflows } from '../functions/workflow/asl';
import { BACKUP_EXPORT_MAP, BACKUP_TASKS, RESTORE_FILE_MAPS, RESTORE_TASKS } from '../functions/workflow/task-names';
import { cleanUpEndedRestore, type ResetResult } from '../functions/restore/abort';
import { RestoreResetFailedError } from '../functions/restore/errors';
import { restoreHandlers } from '../functions/restore/handlers';
import type { RestoreRequest, RestoreSummary } from '../functions/restore/types';
import { openStorage } from '../functions/storage/open';
import { withSignal } from '../functions/workflow/runtime';
import { WorkflowAbortedError, WorkflowFailedError } from './errors';
import { adaptDistributedMaps, itemReaderHandler, type ItemSource, withConcurrency } from './distributed-map';
import stateMachines from './generated/state-machines.json';
import { runLocally } from './local-runner';
import type { LocalRuntime } from './local-runtime';

/**
 * The definitions CDK synthesizes for deployment, generated at build time into
 * cli/generated/state-machines.json (`npm run generate`; a test fails when it drifts from CDK's
 * output). Loading JSON keeps aws-cdk-lib and a synthesis out of the CLI's run time.
 */
export function workflowDefinitions(): SynthesizedWorkflows {
  return { backup: stateMachines.backup, restore: stateMachines.restore } as unknown as SynthesizedWorkflows;
}

/** Runs the backup state machine on this machine; resolves to the summary of a complete backup. */
export async function runBackupLocally(runtime: LocalRuntime, request: BackupRequest, signal?: AbortSignal): Promise<BackupSummary> {
  const { definition } = adaptDistributedMaps(withConcurrency(workflowDefinitions().backup, BACKUP_EXPORT_MAP, request.workers));
  // The steps stop with the run; the clean-up after an abort runs on the runtime without it.
  const handlers = backupHandlers(withSignal(runtime, signal));
  const outcome = await runLocally(definition, request, {
    signal,
    handlers: {
      [BACKUP_TASKS.plan]: handlers.plan,
      [BACKUP_EXPORT_MAP]: itemReaderHandler(readWorkList),
      [BACKUP_TASKS.exportChunk]: handlers.exportChunk,
      [BACKUP_TASKS.finalize]: handlers.finalize,
      [BACKUP_TASKS.retention]: handlers.retention,
      [BACKUP_TASKS.abort]: handlers.abort,
    },
  });
  if (outcome.status === 'SUCCEEDED') return outcome.output as BackupSummary;
  // The Catch path cleaned up a failed run; an aborted one had none. Either way, what the run's
  // lock still names is cleaned up now, as the EventBridge rule does on AWS (a no-op after a Catch).
  const cleanup = await cleanUpEndedExecution(runtime, request, outcome.executionId);
  if (outcome.status === 'FAILED') throw new WorkflowFailedError('backup', outcome.error, outcome.cause, outcome.thrown);
  throw new WorkflowAbortedError('backup', cleanup.backupId ? `incomplete backup ${cleanup.backupId} removed, lock released` : 'nothing was left behind');
}

/**
 * Runs the restore state machine on this machine, its Distributed Maps emulated by the adapter
 * (work lists read from the state location, batched as the ItemBatcher says).
 */
export async function runRestoreLocally(runtime: LocalRuntime, request: RestoreRequest, signal?: AbortSignal): Promise<RestoreSummary> {
  const { definition } = adaptDistributedMaps(workflowDefinitions().restore);
  const handlers = restoreHandlers(withSignal(runtime, signal));
  const readItems = itemReaderHandler(readWorkList);
  let reset: ResetResult | undefined;
  const outcome = await runLocally(definition, request, {
    signal,
    handlers: {
      [RESTORE_TASKS.plan]: handlers.plan,
      [RESTORE_TASKS.prepare]: handlers.prepare,
      [RESTORE_FILE_MAPS.vertices]: readItems,
      [RESTORE_FILE_MAPS.edges]: readItems,
      [RESTORE_TASKS.restoreVertexFiles]: (input) => handlers.restoreFiles(input),
      [RESTORE_TASKS.restoreEdgeFiles]: (input) => handlers.restoreFiles(input),
      [RESTORE_TASKS.verify]: handlers.verify,
      [RESTORE_TASKS.finish]: handlers.finish,
      [RESTORE_TASKS.reset]: async (input) => (reset = await handlers.reset(input)),
    },
  });
  if (outcome.status === 'SUCCEEDED') return outcome.output as RestoreSummary;
  // A failed run's Catch reset the target (or failed to, with an error saying what is left); an
  // aborted run had no Catch. Either way the run's lock, if still there, gets the same reset now,
  // as the EventBridge rule does on AWS; one that fails says exactly what is left.
  const failure = outcome.status === 'FAILED' ? { Error: outcome.error, Cause: outcome.cause } : { Error: 'AbortedError', Cause: 'stopped by a signal' };
  // runLocally has waited for every task it started: no worker is left to fence.
  const cleanup = reset ?? (await cleanUpEndedRestore(runtime, request, outcome.executionId, failure, { fenceWaitMs: 0 }));
  // A reset that failed said what is left in its own error, the one the run failed with.
  const afterwards = outcome.status === 'FAILED' && outcome.error === RestoreResetFailedError.code ? undefined : describeReset(request, cleanup);
  if (outcome.status === 'FAILED') throw new WorkflowFailedError('restore', outcome.error, outcome.cause, outcome.thrown, afterwards);
  throw new WorkflowAbortedError('restore', afterwards ?? 'the target was not touched');
}

/** What the reset did, when it did something (a run that failed before it held the target did not touch it). */
function describeReset(request: RestoreRequest, result: ResetResult): string | undefined {
  if (!result.modeRestoredTo) return undefined;
  return `the mode of graph ${request.target.graph} was put back to ${result.modeRestoredTo}${result.lockReleased ? ' and its lock released' : ''}`;
}

/** A work list as the plan wrote it: S3 (bucket, key) on AWS and locally, or a local state folder. */
export const readWorkList: ItemSource = async ({ Bucket, Key }) => {
  const storage = Bucket.startsWith('/') ? openStorage(Bucket) : openStorage(`s3://${Bucket}`);
  return JSON.parse((await storage.get(Key)).toString('utf8')) as unknown[];
};
