/**
 * What every Lambda entry point shares: one structured logger, metrics and tracer (Powertools),
 * the steps' messages rendered through them, and the wrapper that gives each invocation its
 * runtime, its log keys and trace annotations, and publishes its metrics.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { type Message, MESSAGES, type Notify } from '../workflow/messages';
import type { BoundSteps, WorkflowSteps } from '../workflow/runtime';
import type { AwsRuntime, LambdaContext } from './aws-runtime';

/**
 * The one logger of the stack's functions (JSON, as Lambda's JSON log format expects). Its level
 * comes from POWERTOOLS_LOG_LEVEL, INFO by default: the per-page and per-batch progress messages
 * are debug, and appear only when asked for.
 */
export const logger = new Logger({ serviceName: 'hgbr' });

/** Metrics in the Embedded Metric Format (log lines CloudWatch turns into metrics), namespace hgbr. */
export const metrics = new Metrics({ namespace: 'hgbr', serviceName: 'hgbr' });

/** X-Ray: each invocation's segment annotated with the step, the graph and the run. */
export const tracer = new Tracer({ serviceName: 'hgbr' });

/** Messages that count elements moved: they become the ExportedElements and RestoredElements metrics. */
const ELEMENT_METRICS: Record<string, string> = { [MESSAGES.pageExported.code]: 'ExportedElements', [MESSAGES.batchRestored.code]: 'RestoredElements' };

/** The steps' messages as log entries (the message, its code, and its data as keys), and their element counts as metrics. */
export function logMessages(log: Pick<Logger, Message['level']> = logger, counts: Pick<Metrics, 'addMetric'> = metrics): Notify {
  return (message) => {
    log[message.level](message.message, { code: message.code, data: message.data });
    const metric = ELEMENT_METRICS[message.code];
    const elements = (message.data as { elements?: unknown }).elements;
    if (metric && typeof elements === 'number') counts.addMetric(metric, MetricUnit.Count, elements);
  };
}

/** A task's state input, as far as the log keys go: the places the steps' inputs carry the run's identity. */
interface RunIdentity {
  readonly executionId?: string;
  readonly request?: { readonly server?: { readonly graph?: string }; readonly target?: { readonly graph?: string }; readonly restoreId?: string };
  readonly job?: JobIdentity;
  readonly BatchInput?: { readonly job?: JobIdentity };
}

interface JobIdentity {
  readonly executionId?: string;
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
    executionArn: executionId ?? job?.executionId,
    graph: job?.server?.graph ?? job?.target?.graph ?? request?.server?.graph ?? request?.target?.graph,
    backupId: job?.backupId,
    restoreId: job?.restoreId ?? request?.restoreId,
  };
  return Object.fromEntries(Object.entries(keys).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export type LambdaHandlers<S extends WorkflowSteps> = {
  readonly [K in keyof S]: (input: Parameters<BoundSteps<S>[K]>[0], context: LambdaContext) => ReturnType<BoundSteps<S>[K]>;
};

/**
 * A workflow's steps as Lambda entry points: each invocation gets its runtime, its log keys and
 * trace annotations, and publishes its metrics (the elements it moved, dimension: the step) before
 * it answers. Invocations and errors per function are Lambda's own metrics: not counted again here,
 * as every custom metric costs $0.30 a month.
 */
export function lambdaHandlers<S extends WorkflowSteps>(
  steps: S,
  runtime: AwsRuntime,
  log: Pick<Logger, 'resetKeys' | 'appendKeys'> = logger,
  counts: Pick<Metrics, 'addDimension' | 'publishStoredMetrics'> = metrics,
  trace: Pick<Tracer, 'putAnnotation'> = tracer,
): LambdaHandlers<S> {
  const handlers = Object.entries(steps).map(([name, step]) => [
    name,
    async (input: unknown, context: LambdaContext) => {
      const keys = runKeys(input);
      log.resetKeys();
      log.appendKeys({ step: name, ...keys });
      trace.putAnnotation('step', name);
      for (const key of ['graph', 'backupId', 'restoreId'] as const) if (keys[key]) trace.putAnnotation(key, keys[key]);
      counts.addDimension('step', name);
      try {
        return await step(runtime.forInvocation(context), input);
      } finally {
        counts.publishStoredMetrics();
      }
    },
  ]);
  return Object.fromEntries(handlers) as LambdaHandlers<S>;
}
