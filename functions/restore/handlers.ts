import type { WorkflowRuntime } from '../workflow/runtime';
import { resetRestore } from './abort';
import { finishRestore } from './finish';
import { planRestore } from './plan';
import { prepareRestore } from './prepare';
import { restoreFiles } from './restore-files';
import type { RestoreFilesInput, RestoreJob, RestoreRequest, VerifyResult } from './types';
import { verifyRestore } from './verify';

/**
 * The restore workflow's task handlers, bound to a runtime. The Lambda entry points and the local
 * runner both use these; each is a thin adapter from the state's input to the domain function.
 */
export function restoreHandlers(runtime: WorkflowRuntime) {
  return {
    plan: (input: { request: RestoreRequest; executionId: string }) => planRestore(runtime, input.request, input.executionId),
    prepare: (input: { job: RestoreJob }) => prepareRestore(runtime, input.job),
    restoreFiles: (input: RestoreFilesInput) => restoreFiles(runtime, input),
    verify: (input: { job: RestoreJob }) => verifyRestore(runtime, input.job),
    finish: (input: { job: RestoreJob; verified: VerifyResult }) => finishRestore(runtime, input.job, input.verified),
    // `error` is the Catch's {Error, Cause}: the reset is the same whatever failed.
    reset: (input: { job: RestoreJob; error?: unknown }) => resetRestore(runtime, input.job),
  };
}

export type RestoreHandlers = ReturnType<typeof restoreHandlers>;
