import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanUpEndedExecution } from '../functions/backup/abort';
import { backupHandlers } from '../functions/backup/handlers';
import type { BackupRequest, BackupSummary } from '../functions/backup/types';
import type { SynthesizedWorkflows } from '../functions/workflow/asl';
import { repoRoot } from '../infra/paths';
import { BACKUP_TASKS, RESTORE_FILE_MAPS, RESTORE_TASKS } from '../functions/workflow/task-names';
import { cleanUpEndedRestore } from '../functions/restore/abort';
import { restoreHandlers } from '../functions/restore/handlers';
import type { RestoreRequest, RestoreSummary } from '../functions/restore/types';
import { openStorage } from '../functions/storage/open';
import { withSignal } from '../functions/workflow/runtime';
import { WorkflowAbortedError, WorkflowFailedError } from './errors';
import { adaptDistributedMaps, itemReaderHandler, type ItemSource } from './distributed-map';
import { runLocally } from './local-runner';
import type { LocalRuntime } from './local-runtime';

let synthesized: SynthesizedWorkflows | undefined;

/**
 * The definitions CDK synthesizes for deployment. Synthesis takes seconds, so its output is kept in
 * .hgbr/cache under a hash of the infra sources and the CDK version: any change to either
 * synthesizes afresh, and what runs is always what CDK makes of the current code.
 */
export async function workflowDefinitions(): Promise<SynthesizedWorkflows> {
  if (synthesized) return synthesized;
  const cacheFile = path.join(repoRoot(), '.hgbr', 'cache', `workflows-${infraHash()}.json`);
  try {
    synthesized = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as SynthesizedWorkflows;
    return synthesized;
  } catch {
    // not cached yet
  }
  // Loaded on first use: aws-cdk-lib is large and only a fresh synthesis needs it.
  const { synthesizeWorkflows } = require('../infra/workflows/synth') as typeof import('../infra/workflows/synth');
  synthesized = synthesizeWorkflows();
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(`${cacheFile}.${process.pid}`, JSON.stringify(synthesized));
    fs.renameSync(`${cacheFile}.${process.pid}`, cacheFile);
  } catch {
    // a read-only checkout synthesizes every time
  }
  return synthesized;
}

function infraHash(): string {
  const hash = createHash('sha256');
  const infraDir = path.join(__dirname, '..', 'infra');
  const files = fs.readdirSync(infraDir, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const full = path.join(infraDir, file);
    if (fs.statSync(full).isFile()) hash.update(file).update(fs.readFileSync(full));
  }
  hash.update(require('aws-cdk-lib/package.json').version as string);
  return hash.digest('hex').slice(0, 16);
}

/** Runs the backup state machine on this machine; resolves to the summary of a complete backup. */
export async function runBackupLocally(runtime: LocalRuntime, request: BackupRequest, signal?: AbortSignal): Promise<BackupSummary> {
  const { backup } = await workflowDefinitions();
  // The steps stop with the run; the clean-up after an abort runs on the runtime without it.
  const handlers = backupHandlers(withSignal(runtime, signal));
  const outcome = await runLocally(backup, request, {
    signal,
    handlers: {
      [BACKUP_TASKS.plan]: handlers.plan,
      [BACKUP_TASKS.exportVertexChunk]: (input) => handlers.exportChunk(input),
      [BACKUP_TASKS.exportEdgeChunk]: (input) => handlers.exportChunk(input),
      [BACKUP_TASKS.finalize]: handlers.finalize,
      [BACKUP_TASKS.abort]: handlers.abort,
    },
  });
  if (outcome.status === 'SUCCEEDED') return outcome.output as BackupSummary;
  if (outcome.status === 'FAILED') throw new WorkflowFailedError('backup', outcome.error, outcome.cause);
  // No Catch runs on an abort; clean up as the EventBridge rule does on AWS.
  const cleanup = await cleanUpEndedExecution(runtime, request, outcome.executionId);
  throw new WorkflowAbortedError('backup', cleanup.backupId ? `incomplete backup ${cleanup.backupId} removed, lock released` : 'nothing was left behind');
}

/**
 * Runs the restore state machine on this machine, its Distributed Maps emulated by the adapter
 * (work lists read from the state location, batched as the ItemBatcher says).
 */
export async function runRestoreLocally(runtime: LocalRuntime, request: RestoreRequest, signal?: AbortSignal): Promise<RestoreSummary> {
  const { definition } = adaptDistributedMaps((await workflowDefinitions()).restore);
  const handlers = restoreHandlers(withSignal(runtime, signal));
  const readItems = itemReaderHandler(readWorkList);
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
      [RESTORE_TASKS.reset]: handlers.reset,
    },
  });
  if (outcome.status === 'SUCCEEDED') return outcome.output as RestoreSummary;
  if (outcome.status === 'FAILED') throw new WorkflowFailedError('restore', outcome.error, outcome.cause);
  // No Catch runs on an abort; reset the mode as the EventBridge rule does on AWS.
  const cleanup = await cleanUpEndedRestore(runtime, request, outcome.executionId);
  throw new WorkflowAbortedError('restore', cleanup.modeRestoredTo ? `the mode of the target was put back to ${cleanup.modeRestoredTo}` : 'the target was not touched');
}

/** A work list as the plan wrote it: S3 (bucket, key) on AWS and locally, or a local state folder. */
const readWorkList: ItemSource = async ({ Bucket, Key }) => {
  const storage = Bucket.startsWith('/') ? openStorage(Bucket) : openStorage(`s3://${Bucket}`);
  return JSON.parse((await storage.get(Key)).toString('utf8')) as unknown[];
};
