import { randomUUID } from 'node:crypto';
import type { AslDefinition } from '../functions/workflow/asl';

export type TaskHandler = (input: any) => Promise<unknown>;

export interface LocalRunOptions {
  /** Task state name → handler, called in-process in place of the Lambda. */
  readonly handlers: Record<string, TaskHandler>;
  /** Stops the run when aborted, like StopExecution; Catch paths do not run then. */
  readonly signal?: AbortSignal;
  /** Retry waits are real by default; tests shorten them. */
  readonly retryIntervalMs?: number;
  readonly onEvent?: (event: LocalRunEvent) => void;
  /** `$$.Execution.Id` of the run. @default a new `arn:hgbr:local:execution:<uuid>` */
  readonly executionId?: string;
}

export interface LocalRunEvent {
  readonly type: string;
  readonly state?: string;
  /** Type of the state: Task, Map, Parallel… */
  readonly stateType?: string;
  /** Milliseconds since the epoch. */
  readonly timestamp?: number;
  readonly error?: string;
  readonly cause?: string;
}

export type LocalRunOutcome =
  | { readonly status: 'SUCCEEDED'; readonly executionId: string; readonly output: any }
  | { readonly status: 'FAILED'; readonly executionId: string; readonly error: string; readonly cause: string; readonly thrown?: unknown }
  | { readonly status: 'ABORTED'; readonly executionId: string };

/**
 * Runs a synthesized state machine definition on this machine with aws-local-stepfunctions: the
 * same ASL that CDK deploys, with each Task state answered by its handler in-process. Every Task
 * state of the definition must have a handler, so a definition and its handler map cannot drift.
 */
export async function runLocally(definition: AslDefinition, input: unknown, options: LocalRunOptions): Promise<LocalRunOutcome> {
  const { StateMachine, ExecutionAbortedError, ExecutionError } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');
  const missing = taskStateNames(definition).filter((name) => !options.handlers[name]);
  if (missing.length) throw new Error(`no local handler for task state(s): ${missing.join(', ')}`);

  const executionId = options.executionId ?? `arn:hgbr:local:execution:${randomUUID()}`;
  // The definitions are the generated ones, which test/infra/deployed-definitions.test.ts validates
  // with asl-validator; validating them again here cost every run ~0.4 s of CPU (its JSON schemas
  // are compiled on each start).
  const machine = new StateMachine(definition as any, { validationOptions: { noValidate: true } });
  const retryOverrides = options.retryIntervalMs === undefined ? undefined : Object.fromEntries(taskStateNames(definition).map((name) => [name, options.retryIntervalMs!]));
  // Handlers still running when the machine is aborted are awaited, so nothing writes after we return.
  const inFlight = new Set<Promise<unknown>>();
  // The errors handlers threw, so a failure reports the error itself (its hint), not only its name and message.
  const thrown: unknown[] = [];
  const tracked = Object.fromEntries(
    Object.entries(options.handlers).map(([name, handler]) => [
      name,
      (taskInput: unknown) => {
        const call = handler(taskInput);
        inFlight.add(call);
        call.then(
          () => inFlight.delete(call),
          (error: unknown) => {
            inFlight.delete(call);
            thrown.push(error);
          },
        );
        return call;
      },
    ]),
  );
  const execution = machine.run(input as any, {
    overrides: { taskResourceLocalHandlers: tracked as any, retryIntervalOverrides: retryOverrides },
    context: { Execution: { Id: executionId, Name: executionId.split(':').pop(), StartTime: new Date().toISOString() } as any },
  });
  const onAbort = () => execution.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort(); // aborted while the first task was starting
  const events = options.onEvent ? forwardEvents(execution.eventLogs, options.onEvent) : Promise.resolve();
  try {
    const output = await execution.result;
    return { status: 'SUCCEEDED', executionId, output };
  } catch (error) {
    if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', executionId };
    if (error instanceof ExecutionError) {
      const failure = failureOf(error);
      const original = thrown.findLast((e) => (e as Error)?.name === failure.error && (e as Error)?.message === failure.cause);
      return { status: 'FAILED', executionId, ...failure, ...(original === undefined ? {} : { thrown: original }) };
    }
    throw error;
  } finally {
    // A failed Map leaves its sibling iterations running: let them end before the caller moves on.
    await Promise.allSettled([...inFlight]);
    options.signal?.removeEventListener('abort', onAbort);
    await events.catch(() => undefined);
  }
}

/** Names of all Task states, including those inside Map and Parallel states. */
export function taskStateNames(definition: { States: Record<string, any> }): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') names.push(name);
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (inner) names.push(...taskStateNames(inner));
    }
  }
  return [...new Set(names)];
}

function failureOf(error: Error): { error: string; cause: string } {
  const caught = (error as { cause?: { name?: string; message?: string } }).cause;
  const name = caught?.name ?? error.name;
  const message = caught?.message ?? error.message;
  // A Fail state reports as name = its Error, message = its Cause.
  return { error: name, cause: message };
}

async function forwardEvents(events: AsyncGenerator<any>, onEvent: (event: LocalRunEvent) => void): Promise<void> {
  for await (const event of events) {
    onEvent({ type: event.type, timestamp: event.timestamp, state: event.state?.name, stateType: event.state?.type, error: event.Error ?? event.error, cause: event.Cause ?? event.cause });
  }
}
