/**
 * What every Lambda entry point shares: one structured logger, the steps' messages rendered
 * through it, and the wrapper that gives each invocation its runtime and its log keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Message, Notify } from '../workflow/messages';
import type { BoundSteps, WorkflowSteps } from '../workflow/runtime';
import type { AwsRuntime, LambdaContext } from './aws-runtime';

/**
 * The one logger of the stack's functions (JSON, as Lambda's JSON log format expects). Its level
 * comes from POWERTOOLS_LOG_LEVEL, INFO by default: the per-page and per-batch progress messages
 * are debug, and appear only when asked for.
 */
export const logger = new Logger({ serviceName: 'hgbr' });

/** The steps' messages as log entries: the message, its code, and its data as keys. */
export function logMessages(log: Pick<Logger, Message['level']> = logger): Notify {
  return (message) => log[message.level](message.message, { code: message.code, data: message.data });
}

/** A task's state input, as far as the log keys go: the places the steps' inputs carry the run's identity. */
interface RunIdentity {
  readonly executionId?: string;
  readonly request?: { readonly server?: { readonly graph?: string }; readonly target?: { readonly graph?: string }; readonly restoreId?: string };
  readonly job?: JobIdentity;
  readonly BatchInput?: { readonly job?: JobIdentity };
}

interface JobIdentity {
  readonly backupId?: string;
  readonly restoreId?: string;
  readonly server?: { readonly graph?: string };
  readonly target?: { readonly graph?: string };
}

/** Keys every log entry of an invocation carries, so one run's entries can be found together. */
export function runKeys(input: unknown): Record<string, string> {
  const { executionId, request, job: ownJob, BatchInput } = (input ?? {}) as RunIdentity;
  const job = ownJob ?? BatchInput?.job;
  const keys = {
    executionArn: executionId,
    graph: job?.server?.graph ?? job?.target?.graph ?? request?.server?.graph ?? request?.target?.graph,
    backupId: job?.backupId,
    restoreId: job?.restoreId ?? request?.restoreId,
  };
  return Object.fromEntries(Object.entries(keys).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export type LambdaHandlers<S extends WorkflowSteps> = {
  readonly [K in keyof S]: (input: Parameters<BoundSteps<S>[K]>[0], context: LambdaContext) => ReturnType<BoundSteps<S>[K]>;
};

/** A workflow's steps as Lambda entry points: each invocation gets its runtime and its log keys. */
export function lambdaHandlers<S extends WorkflowSteps>(steps: S, runtime: AwsRuntime, log: Pick<Logger, 'resetKeys' | 'appendKeys'> = logger): LambdaHandlers<S> {
  const handlers = Object.entries(steps).map(([name, step]) => [
    name,
    (input: unknown, context: LambdaContext) => {
      log.resetKeys();
      log.appendKeys({ step: name, ...runKeys(input) });
      return step(runtime.forInvocation(context), input);
    },
  ]);
  return Object.fromEntries(handlers) as LambdaHandlers<S>;
}
