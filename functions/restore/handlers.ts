import type { WorkflowRuntime, WorkflowSteps } from '../workflow/runtime';
import { bindSteps } from '../workflow/runtime';
import { type CaughtError, resetRestore } from './abort';
import { finishRestore } from './finish';
import { planRestore } from './plan';
import { prepareRestore } from './prepare';
import { restoreFiles } from './restore-files';
import type { RestoreFilesInput, RestoreJob, RestoreRequest, VerifyResult } from './types';
import { verifyRestore } from './verify';

/**
 * The restore workflow's steps by task: thin adapters from a state's input to the domain function.
 * The Lambda entry points (functions/handlers/restore.ts) and the local runner both use these.
 */
export const RESTORE_STEPS = {
  plan: (runtime: WorkflowRuntime, input: { request: RestoreRequest; executionId: string }) => planRestore(runtime, input.request, input.executionId),
  prepare: (runtime: WorkflowRuntime, input: { job: RestoreJob }) => prepareRestore(runtime, input.job),
  restoreFiles: (runtime: WorkflowRuntime, input: RestoreFilesInput) => restoreFiles(runtime, input),
  verify: (runtime: WorkflowRuntime, input: { job: RestoreJob }) => verifyRestore(runtime, input.job),
  finish: (runtime: WorkflowRuntime, input: { job: RestoreJob; verified: VerifyResult }) => finishRestore(runtime, input.job, input.verified),
  // `error` is the Catch's {Error, Cause}: the reset is the same whatever failed; its message keeps it.
  reset: (runtime: WorkflowRuntime, input: { job: RestoreJob; error?: CaughtError }) => resetRestore(runtime, input.job, input.error),
} satisfies WorkflowSteps;

export function restoreHandlers(runtime: WorkflowRuntime) {
  return bindSteps(RESTORE_STEPS, runtime);
}

export type RestoreHandlers = ReturnType<typeof restoreHandlers>;
