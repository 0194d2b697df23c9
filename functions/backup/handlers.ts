import { abortBackup } from './abort';
import { exportChunk } from './export-chunk';
import { finalizeBackup } from './finalize';
import { planBackup } from './plan';
import type { InvocationContext, WorkflowRuntime } from '../workflow/runtime';
import type { BackupJob, BackupRequest, ExportChunkInput } from './types';

/**
 * The backup workflow's task handlers, bound to a runtime. The Lambda entry points and the local
 * runner both use these; each is a thin adapter from the state's input to the domain function.
 */
export function backupHandlers(runtime: WorkflowRuntime) {
  return {
    plan: (input: { request: BackupRequest; executionId: string }) => planBackup(runtime, input.request, input.executionId),
    exportChunk: (input: ExportChunkInput, context?: InvocationContext) => exportChunk(runtime, input, context),
    finalize: (input: { job: BackupJob }) => finalizeBackup(runtime, input.job),
    abort: (input: { job: BackupJob }) => abortBackup(runtime, input.job),
  };
}

export type BackupHandlers = ReturnType<typeof backupHandlers>;
