/** The errors the CLI itself raises; cli/command.ts maps them (and every other) to an exit status. */
import { HgbrError } from '../functions/errors';

export class UsageError extends HgbrError {
  static override readonly code = 'UsageError';
  static override readonly hint = 'run `hgbr help` for the commands and their options';
}

/** A workflow run here ended FAILED; it reports the error of the task that failed. */
export class WorkflowFailedError extends HgbrError {
  static override readonly code = 'WorkflowFailedError';

  constructor(
    workflow: string,
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${workflow} failed: ${error}: ${causeText}`);
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
    super(`execution ${executionArn} ended ${status}${error ? `: ${error}` : ''}${causeText ? `: ${causeText}` : ''}`, {
      hint: `see the execution in the Step Functions console, or: aws stepfunctions get-execution-history --execution-arn ${executionArn}`,
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
