/**
 * Lambda entry points of the backup state machine: each adapts a task's input to the domain
 * function through the AWS runtime. See infra/workflows/backup-workflow.ts for the wiring.
 */
import { BACKUP_STEPS } from '../backup/handlers';
import { awsRuntime } from './aws-runtime';
import { lambdaHandlers, logMessages } from './lambda';

const handlers = lambdaHandlers(BACKUP_STEPS, awsRuntime(logMessages()));

export const plan = handlers.plan;
export const exportChunk = handlers.exportChunk;
export const finalize = handlers.finalize;
export const retention = handlers.retention;
export const abort = handlers.abort;
