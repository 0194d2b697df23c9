/**
 * Lambda entry points of the restore state machine: each adapts a task's input to the domain
 * function through the AWS runtime. See infra/workflows/restore-workflow.ts for the wiring.
 */
import { RESTORE_STEPS } from '../restore/handlers';
import { awsRuntime } from './aws-runtime';
import { lambdaHandlers, logMessages } from './lambda';

const handlers = lambdaHandlers(RESTORE_STEPS, awsRuntime(logMessages()));

export const plan = handlers.plan;
export const prepare = handlers.prepare;
export const restoreFiles = handlers.restoreFiles;
export const verify = handlers.verify;
export const finish = handlers.finish;
export const reset = handlers.reset;
