import { HgbrError } from '../errors';

/**
 * The EventBridge event "Step Functions Execution Status Change" the stack routes here for FAILED,
 * TIMED_OUT and ABORTED executions: runs that may have ended where no Catch could clean up.
 */
export interface ExecutionStatusChangeEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: {
    readonly executionArn?: string;
    readonly stateMachineArn?: string;
    readonly status?: string;
    /** The execution's input, as a JSON string (null when it was too large to include). */
    readonly input?: string | null;
  };
}

export interface EndedExecution {
  readonly executionArn: string;
  readonly status: string;
  readonly input: unknown;
}

/** An event the clean-up cannot act on; it is logged and dropped, since a retry would not change it. */
export class UnusableEventError extends HgbrError {
  static override readonly code = 'UnusableEventError';
  static override readonly hint = 'the EventBridge rule sends events of another shape than the clean-up reads; redeploy the stack';

  constructor(reason: string) {
    super(`not an execution status change this function can act on: ${reason}`);
  }
}

/** The execution and its input; the input is what the clean-up needs to find the run's lock. */
export function parseEndedExecution(event: ExecutionStatusChangeEvent): EndedExecution {
  const detail = event.detail;
  if (event['detail-type'] !== 'Step Functions Execution Status Change' || !detail) throw new UnusableEventError('wrong detail-type');
  if (!detail.executionArn || !detail.status) throw new UnusableEventError('no executionArn or status');
  if (typeof detail.input !== 'string') throw new UnusableEventError(`execution ${detail.executionArn} came without its input`);
  let input: unknown;
  try {
    input = JSON.parse(detail.input);
  } catch {
    throw new UnusableEventError(`the input of ${detail.executionArn} is not JSON`);
  }
  return { executionArn: detail.executionArn, status: detail.status, input };
}

/** A shallow check that the input is the request the workflow takes; the clean-up reads only these fields. */
export function requireFields<T>(input: unknown, fields: string[], what: string): T {
  const object = input as Record<string, unknown> | null;
  const missing = fields.filter((f) => {
    let value: unknown = object;
    for (const part of f.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    return typeof value !== 'string' || value === '';
  });
  if (missing.length) throw new UnusableEventError(`the input is not a ${what} (missing ${missing.join(', ')})`);
  return input as T;
}
