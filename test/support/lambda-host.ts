import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** A Lambda function as the synthesized template defines it. */
export interface DeployedFunction {
  readonly logicalId: string;
  /** The function's code folder: its asset in the cloud assembly. */
  readonly codeDir: string;
  /** `index.plan` */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
}

/** An error as a Lambda invocation reports it: `name` is the errorType Step Functions matches on. */
export class InvocationError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly remoteStack: string[],
  ) {
    super(message);
    this.name = errorType;
  }
}

type ChildMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: { errorType: string; errorMessage: string; stack: string[] } }
  | { type: 'result'; id: string; result: unknown }
  | { type: 'error'; id: string; error: { errorType: string; errorMessage: string; stack: string[] } };

const CHILD = path.join(__dirname, 'lambda-host-child.js');

/**
 * Runs one deployed function in a Node.js process of the Lambda runtime's major, started on first
 * use and kept warm like a Lambda container. Its environment is the function's own plus `env`
 * (endpoints of the local stand-ins), and nothing of this process's: no NODE_PATH, no repository.
 */
export class LambdaHost {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** What the function wrote to stdout and stderr (its log). */
  readonly log: string[] = [];
  invocations = 0;

  constructor(
    readonly fn: DeployedFunction,
    private readonly nodeBinary: string,
    private readonly env: Record<string, string>,
  ) {}

  async invoke(event: unknown): Promise<unknown> {
    await this.start();
    this.invocations++;
    const id = `req-${this.fn.logicalId}-${++this.nextId}`;
    const deadline = Date.now() + this.fn.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child?.send({ type: 'invoke', id, event, deadline });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  private start(): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        TZ: 'UTC',
        LAMBDA_TASK_ROOT: this.fn.codeDir,
        AWS_LAMBDA_FUNCTION_NAME: this.fn.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_EXECUTION_ENV: `AWS_Lambda_${this.fn.runtime}`,
        ...this.fn.environment,
        ...this.env,
      };
      const child = fork(CHILD, [this.fn.codeDir, this.fn.handler], { cwd: this.fn.codeDir, env, execPath: this.nodeBinary, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
      this.child = child;
      child.stdout?.on('data', (chunk) => this.log.push(String(chunk)));
      child.stderr?.on('data', (chunk) => this.log.push(String(chunk)));
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(new InvocationError(message.error.errorType, message.error.errorMessage, message.error.stack));
        else this.settle(message);
      });
      child.once('exit', (code, signal) => {
        const gone = new InvocationError('Runtime.ExitError', `${this.fn.logicalId} exited (${signal ?? code})`, []);
        reject(gone);
        for (const call of this.pending.values()) call.reject(gone);
        this.pending.clear();
      });
    });
    return this.ready;
  }

  private settle(message: Extract<ChildMessage, { id: string }>): void {
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.type === 'result') call.resolve(message.result);
    else call.reject(new InvocationError(message.error.errorType, message.error.errorMessage, message.error.stack));
  }
}
