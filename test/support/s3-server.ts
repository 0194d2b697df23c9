import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * A real S3-compatible server (s3proxy, or S3Mock with HGBR_S3_SERVER=s3mock; see
 * scripts/s3-server.sh) on a free port of 127.0.0.1, one per call, with one bucket. The server dies
 * with the test process: stop() ends it, so does the process exiting, and the script stops it when
 * our end of its stdin closes (even when this process is killed with SIGKILL).
 */
export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  /** Points the AWS SDK (in this process or a child `hgbr`) at the server, with its dummy credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** Milliseconds from spawning the server to its bucket answering. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

const REPO = path.resolve(__dirname, '../..');
const SCRIPT = path.join(REPO, 'scripts/s3-server.sh');
const STATE = path.join(REPO, '.hgbr/s3');

export async function startS3Server(options: { bucket?: string; timeoutMs?: number } = {}): Promise<S3Server> {
  const bucket = options.bucket ?? 'hgbr-test';
  removeStaleRoots();
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await launch(await freePort(), bucket, options.timeoutMs ?? 180_000);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) break; // another process took the port first: try another
    }
  }
  throw lastError;
}

class PortTakenError extends Error {}

async function launch(port: number, bucket: string, timeoutMs: number): Promise<S3Server> {
  const root = path.join(STATE, `test-${process.pid}-${port}`);
  const started = Date.now();
  // Its own process group, so stop() reaches bash, the JVM and the stdin watcher at once.
  const child = spawn('bash', [SCRIPT, 'run', String(port), root, bucket], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => killGroup(child, 'SIGTERM');
  process.once('exit', killOnExit);
  // A forgotten stop() must not keep the test process alive; the exit hook still stops the server.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?(): void }).unref?.();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      child.stdin!.end();
      killGroup(child, 'SIGTERM');
      const escalate = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(escalate);
      fs.rmSync(root, { recursive: true, force: true });
    })());

  const endpoint = `http://127.0.0.1:${port}`;
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    new Promise<true>((resolve) => {
      let said = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('S3-SERVER-READY')) resolve(true);
      });
    }),
    exited.then((code) => `exited with code ${code}`),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`not ready after ${timeoutMs} ms`), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (ready !== true) {
    await stop();
    const message = `S3 server on port ${port} did not start: ${ready}\n${output.split('\n').slice(-40).join('\n')}`;
    throw /already in use|Address already|BindException/i.test(output) ? new PortTakenError(message) : new Error(message);
  }
  return {
    endpoint,
    port,
    bucket,
    startupMs: Date.now() - started,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'hgbr-test',
      AWS_SECRET_ACCESS_KEY: 'hgbr-test',
      AWS_REGION: 'us-east-1',
      // S3Mock leaves out the part checksums the SDK's default multipart upload needs.
      ...(process.env.HGBR_S3_SERVER === 's3mock' ? { AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required' } : {}),
    },
    stop,
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Data folders of servers whose test process is gone (killed before it could clean up). */
function removeStaleRoots(): void {
  let names: string[];
  try {
    names = fs.readdirSync(STATE);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^test-(\d+)-\d+$/.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    fs.rmSync(path.join(STATE, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
