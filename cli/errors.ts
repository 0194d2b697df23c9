/** The errors the CLI itself raises; cli/command.ts maps them (and every other) to an exit status. */
import { HgbrError } from '../functions/errors';
import { TASK_ERRORS } from '../functions/workflow/errors';

export class UsageError extends HgbrError {
  static override readonly code = 'UsageError';
  static override readonly hint = 'run `hgbr help` for the commands and their options';
}

/** A usage error of one command: says which, and points at that command's --help. */
export function usageError(command: string, problem: string): UsageError {
  return new UsageError(`hgbr ${command}: ${problem}`, { hint: `run \`hgbr ${command.split(' ')[0]} --help\` for its options` });
}

const TASK_HINTS: ReadonlyMap<string, string | undefined> = new Map(TASK_ERRORS.map((type) => [type.code, type.hint]));

/**
 * The hint of a task's error known only by its code and message (a workflow's failure carries no
 * more): the thrown error's own hint when this process threw it, else its class's.
 */
function taskHint(code: string, thrown: unknown): string | undefined {
  if (HgbrError.isHgbrError(thrown) && thrown.code === code) return thrown.hint;
  return TASK_HINTS.get(code);
}

/** A Lambda's error cause is `{"errorType", "errorMessage", "trace"}`; a local task's, the message. */
export function causeMessage(cause: string | undefined): string | undefined {
  if (!cause?.startsWith('{')) return cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/**
 * A workflow run here ended FAILED; it reports the error of the task that failed, its message and
 * its hint, as a direct call would.
 */
export class WorkflowFailedError extends HgbrError {
  static override readonly code = 'WorkflowFailedError';

  constructor(
    workflow: string,
    readonly error: string,
    readonly causeText: string,
    thrown?: unknown,
    /** What the clean-up after the failure did, when there is something to say. */
    afterwards?: string,
  ) {
    super(`${workflow} failed: ${causeText}${afterwards ? `; ${afterwards}` : ''}`, { hint: taskHint(error, thrown), cause: thrown });
  }

  override get reportedCode(): string {
    return this.error || this.code;
  }
}

/** A workflow run here was stopped (Ctrl-C); its clean-up ran. */
export class WorkflowAbortedError extends HgbrError {
  static override readonly code = 'WorkflowAbortedError';

  constructor(workflow: string, detail: string) {
    super(`${workflow} was stopped; ${detail}`);
  }
}

/** The execution in AWS ended other than SUCCEEDED; it reports the error the execution ended with. */
export class RemoteExecutionFailedError extends HgbrError {
  static override readonly code = 'RemoteExecutionFailedError';

  constructor(
    readonly executionArn: string,
    readonly status: string,
    readonly error: string | undefined,
    readonly causeText: string | undefined,
  ) {
    const history = `aws stepfunctions get-execution-history --execution-arn ${executionArn}`;
    const taskError = error ? TASK_HINTS.get(error) : undefined;
    super(`execution ${executionArn} ended ${status}${causeText ? `: ${causeMessage(causeText)}` : error ? `: ${error}` : ''}`, {
      hint: taskError ? `${taskError} (the execution's history: ${history})` : `see the execution in the Step Functions console, or: ${history}`,
    });
  }

  /** The execution's error, else its status as `ExecutionAborted`, `ExecutionTimedOut`… */
  override get reportedCode(): string {
    return (
      this.error ||
      `Execution${this.status.charAt(0)}${this.status
        .slice(1)
        .toLowerCase()
        .replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}`
    );
  }
}

/** This process stopped waiting (Ctrl-C); the execution goes on in AWS. */
export class RemoteWaitStoppedError extends HgbrError {
  static override readonly code = 'RemoteWaitStoppedError';

  constructor(readonly executionArn: string) {
    super(`stopped waiting for ${executionArn}; the execution goes on in AWS`, {
      hint: `follow it with: aws stepfunctions describe-execution --execution-arn ${executionArn} (stop it with stop-execution; the stack's clean-up rules then reset the graph)`,
    });
  }
}
