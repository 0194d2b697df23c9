import type { WorkflowRuntime, WorkflowSteps } from '../workflow/runtime';
import { bindSteps } from '../workflow/runtime';
import { abortBackup } from './abort';
import { exportChunk } from './export-chunk';
import { applyRetentionStep, finalizeBackup } from './finalize';
import { planBackup } from './plan';
import type { BackupJob, BackupRequest, BackupSummary, ExportChunkInput } from './types';

/**
 * The backup workflow's steps by task: thin adapters from a state's input to the domain function.
 * The Lambda entry points (functions/handlers/backup.ts) and the local runner both use these.
 */
export const BACKUP_STEPS = {
  plan: (runtime: WorkflowRuntime, input: { request: BackupRequest; executionId: string }) => planBackup(runtime, input.request, input.executionId),
  exportChunk: (runtime: WorkflowRuntime, input: ExportChunkInput) => exportChunk(runtime, input),
  finalize: (runtime: WorkflowRuntime, input: { job: BackupJob }) => finalizeBackup(runtime, input.job),
  retention: (runtime: WorkflowRuntime, input: { job: BackupJob; summary: BackupSummary }) => applyRetentionStep(runtime, input.job, input.summary),
  abort: (runtime: WorkflowRuntime, input: { job: BackupJob }) => abortBackup(runtime, input.job),
} satisfies WorkflowSteps;

export function backupHandlers(runtime: WorkflowRuntime) {
  return bindSteps(BACKUP_STEPS, runtime);
}

export type BackupHandlers = ReturnType<typeof backupHandlers>;
