/**
 * `--remote <state machine ARN>`: start the deployed workflow (the same definition the local
 * runner runs) with client-sfn, wait for it, and hand back its output. The execution runs in AWS:
 * it keeps running when this process stops waiting.
 */
import type { DescribeExecutionCommandOutput, SFNClient } from '@aws-sdk/client-sfn';
import { RemoteExecutionFailedError, RemoteWaitStoppedError, UsageError, usageError } from './errors';
import { CLI_MESSAGES } from './messages';
import type { Output } from './output';
import { withSignals } from './signals';

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:[A-Za-z0-9_-]{1,80}$/;
const DEFAULT_POLL_MS = 5000;
/** Step Functions execution names, as the restore API accepts restore ids (functions/api/restore-request.ts). */
const EXECUTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

/** HGBR_REMOTE_POLL_MS: how often the execution is described (default 5 s; at least 10 ms). */
function pollIntervalFromEnv(): number | undefined {
  const text = process.env.HGBR_REMOTE_POLL_MS;
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 10) throw new UsageError(`HGBR_REMOTE_POLL_MS must be a number of milliseconds ≥ 10, not '${text}'`);
  return ms;
}

export type SfnSender = Pick<SFNClient, 'send'>;

export interface RemoteRunOptions {
  readonly stateMachineArn: string;
  readonly input: unknown;
  /** Execution name; the restore id of a restore, so a re-run resumes as the API's does. */
  readonly name?: string;
  /** Stops the waiting, not the execution. */
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
  readonly onStarted?: (executionArn: string) => void;
  /** The name was taken: the existing execution is followed instead. */
  readonly onExisting?: (executionArn: string) => void;
  readonly onPoll?: (status: string) => void;
  /** @default a client for the ARN's region (endpoint from AWS_ENDPOINT_URL_SFN when set) */
  readonly sfn?: SfnSender;
}

/** Checks the ARN's shape and returns its region, so a typo fails before any AWS call. */
export function stateMachineRegion(command: string, arn: string): string {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) throw usageError(command, `--remote must be a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>), got '${arn}'`);
  return match[1] as string;
}

/** `--remote` runs in AWS: what the deployed functions read or write must be in S3. */
export function requireS3(command: string, option: string, location: string | undefined): void {
  if (location !== undefined && !location.startsWith('s3://')) {
    throw usageError(command, `with --remote the workflow runs in AWS, so --${option} must be an s3:// location, not '${location}'`);
  }
}

/** Starts the execution and resolves to its parsed output once it SUCCEEDED. */
export async function runRemotely<T>(options: RemoteRunOptions): Promise<T> {
  // Loaded on first use: only --remote needs the AWS SDK, and loading it slows every command's start.
  const { DescribeExecutionCommand, SFNClient, StartExecutionCommand } = require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn');
  const sfn = options.sfn ?? new SFNClient({ region: regionOf(options.stateMachineArn) });
  let executionArn: string;
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name: options.name, input: JSON.stringify(options.input) }));
    executionArn = started.executionArn as string;
    options.onStarted?.(executionArn);
  } catch (error) {
    // The name was used already (Step Functions keeps names 90 days): follow that execution, as the
    // restore API answers a repeated request; its outcome is reported like this run's would be.
    if ((error as Error).name !== 'ExecutionAlreadyExists' || !options.name) throw error;
    executionArn = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${options.name}`;
    options.onExisting?.(executionArn);
  }
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  for (;;) {
    const execution: DescribeExecutionCommandOutput = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = execution.status ?? 'UNKNOWN';
    if (status === 'SUCCEEDED') return JSON.parse(execution.output ?? 'null') as T;
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') throw new RemoteExecutionFailedError(executionArn, status, execution.error, execution.cause);
    options.onPoll?.(status);
    await sleep(pollMs, options.signal);
    if (options.signal?.aborted) throw new RemoteWaitStoppedError(executionArn);
  }
}

function regionOf(arn: string): string {
  return STATE_MACHINE_ARN.exec(arn)?.[1] ?? 'us-east-1';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * What `hgbr backup|restore --remote ARN` does: checks that the run can work in AWS (an ARN, S3
 * locations, no credentials on the command line: the deployed functions read the stack's secret,
 * and an execution's input is visible in its history), then runs it and reports as it goes.
 */
export async function runRemoteWorkflow<T>(
  command: string,
  values: Record<string, unknown>,
  output: Output,
  run: { readonly input: unknown; readonly name?: string; readonly locations: Record<string, string | undefined>; readonly sfn?: SfnSender },
): Promise<T> {
  const stateMachineArn = values.remote as string;
  stateMachineRegion(command, stateMachineArn);
  if (run.name !== undefined && !EXECUTION_NAME.test(run.name)) {
    throw usageError(command, `with --remote the restore id names the execution: 1 to 80 letters, digits, "-" or "_", not '${run.name}'`);
  }
  for (const [option, location] of Object.entries(run.locations)) requireS3(command, option, location);
  if (values.user !== undefined || values.password !== undefined) {
    throw usageError(command, `--user and --password do not go with --remote: the deployed functions use the stack's HugeGraph secret`);
  }
  return withSignals(output, 'no longer waiting; the execution goes on in AWS', (signal) =>
    runRemotely<T>({
      stateMachineArn,
      input: run.input,
      name: run.name,
      signal,
      sfn: run.sfn,
      pollMs: pollIntervalFromEnv(),
      onStarted: (executionArn) => output.notify(CLI_MESSAGES.executionStarted.of({ executionArn })),
      onExisting: (executionArn) => output.notify(CLI_MESSAGES.executionFollowed.of({ name: run.name ?? '', executionArn })),
      onPoll: (status) => output.progress(`execution ${status.toLowerCase()}…`),
    }),
  );
}
