import type { WorkflowRuntime, WorkflowSteps } from '../workflow/runtime';
import { bindSteps } from '../workflow/runtime';
import { ServerUnreachableError } from '../workflow/errors';
import { MESSAGES } from '../workflow/messages';
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
  plan: (runtime: WorkflowRuntime, input: PlanInput) => planWithServerWait(runtime, input),
  exportChunk: (runtime: WorkflowRuntime, input: ExportChunkInput) => exportChunk(runtime, input),
  finalize: (runtime: WorkflowRuntime, input: { job: BackupJob }) => finalizeBackup(runtime, input.job),
  retention: (runtime: WorkflowRuntime, input: { job: BackupJob; summary: BackupSummary }) => applyRetentionStep(runtime, input.job, input.summary),
  abort: (runtime: WorkflowRuntime, input: { job: BackupJob }) => abortBackup(runtime, input.job),
} satisfies WorkflowSteps;

/** Plan's input: the request, and how many times the state machine has waited for the server so far. */
export interface PlanInput {
  readonly request: BackupRequest;
  readonly executionId: string;
  readonly serverWaits?: { readonly count: number };
}

/**
 * Plans the backup; when the server cannot be reached and the state machine will wait and plan
 * again (`request.waitForServer`, attempts left), says so before failing, so that a log or a
 * terminal shows a wait, not a silence.
 */
async function planWithServerWait(runtime: WorkflowRuntime, input: PlanInput) {
  try {
    return await planBackup(runtime, input.request, input.executionId);
  } catch (error) {
    const wait = input.request?.waitForServer;
    const waited = input.serverWaits?.count ?? 0;
    if (error instanceof ServerUnreachableError && wait && waited < wait.attempts) {
      runtime.notify(MESSAGES.backupServerWait.of({ url: input.request.server.url, error: error.message, delaySeconds: wait.delaySeconds, attempt: waited + 1, attempts: wait.attempts }));
    }
    throw error;
  }
}

export function backupHandlers(runtime: WorkflowRuntime) {
  return bindSteps(BACKUP_STEPS, runtime);
}

export type BackupHandlers = ReturnType<typeof backupHandlers>;
