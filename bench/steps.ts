/**
 * The measured steps that run as child processes: `hgbr backup`, `hgbr restore` and, where a
 * classpath is given, hugegraph-tools. Each gives wall time, peak RSS and CPU time of the child, and
 * the CPU time the HugeGraph server spent meanwhile. A failing step is reported, never thrown.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serverCpuMeter, waitForQuietServer } from './ceilings';
import { runMeasured, type ChildResult } from './proc';

export const REPO = path.resolve(__dirname, '..');
export const HGBR_BIN = path.join(REPO, 'bin', 'hgbr.js');

export type StepStatus = 'ok' | 'failed' | 'not available';

export interface StepResult {
  readonly step: string;
  readonly status: StepStatus;
  /** Why it failed or is not available. */
  readonly message?: string;
  /** Elements the step moved (the loaded total for a complete run). */
  readonly elements?: number;
  readonly wallMs?: number;
  /** The tool's own duration (hgbr's summary durationMs), ms. */
  readonly innerMs?: number;
  /** Of innerMs, a backup's plan (hgbr's summary planMs: schema, key ranges probed), ms. */
  readonly planMs?: number;
  readonly peakRssKb?: number;
  /** CPU time of the client (child process, or the bench process for ceilings), ms. */
  readonly cpuMs?: number;
  /** Of cpuMs, the main (JS) thread's; the rest is libuv's pool (zlib, fs) and V8 helpers. */
  readonly mainCpuMs?: number;
  /** CPU time of the HugeGraph server during the step, ms. */
  readonly serverCpuMs?: number;
  readonly bytes?: number;
  readonly note?: string;
  /** Raw summary the tool printed (hgbr --json). */
  readonly summary?: Record<string, unknown>;
}

export interface ChildStepOptions {
  readonly step: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly serverPid?: number;
  readonly expectedElements: number;
  /** Reads the elements moved from the parsed --json summary. */
  readonly elementsOf?: (summary: Record<string, unknown>) => number | undefined;
}

function sumCounts(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  return Object.values(value as Record<string, unknown>).reduce<number>((a, b) => a + (typeof b === 'number' ? b : 0), 0);
}

/** Elements in an hgbr backup or restore summary (vertices + edges per label). */
export function summaryElements(summary: Record<string, unknown>): number {
  return sumCounts(summary['vertices']) + sumCounts(summary['edges']);
}

function lastJsonObject(stdout: string): Record<string, unknown> | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function failureText(r: ChildResult, summary: Record<string, unknown> | undefined): string {
  if (r.timedOut) return `timed out after ${Math.round(r.wallMs / 1000)} s`;
  const err = summary?.['error'] as { code?: string; message?: string } | undefined;
  if (err?.message) return `${err.code ?? 'Error'}: ${err.message}`;
  const tail = `${r.stderr}\n${r.stdout}`.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  return `exit ${r.exitCode ?? r.signal}: ${tail.slice(0, 400)}`;
}

export async function runChildStep(o: ChildStepOptions): Promise<StepResult> {
  await waitForQuietServer(o.serverPid);
  const serverCpu = serverCpuMeter(o.serverPid);
  let r: ChildResult;
  try {
    r = await runMeasured(o.command, o.args, { env: o.env, timeoutMs: o.timeoutMs, cwd: REPO });
  } catch (error) {
    return { step: o.step, status: 'failed', message: (error as Error).message };
  }
  const summary = lastJsonObject(r.stdout);
  const base = { step: o.step, wallMs: r.wallMs, peakRssKb: r.peakRssKb, cpuMs: r.cpuMs, mainCpuMs: o.command === process.execPath ? r.mainCpuMs : undefined, serverCpuMs: serverCpu() };
  if (r.exitCode !== 0 || (summary && summary['ok'] === false)) {
    return { ...base, status: 'failed', message: failureText(r, summary), summary };
  }
  const elements = (summary && o.elementsOf?.(summary)) ?? o.expectedElements;
  const note = elements !== o.expectedElements ? `moved ${elements} elements, the graph holds ${o.expectedElements}` : undefined;
  const innerMs = typeof summary?.['durationMs'] === 'number' ? (summary['durationMs'] as number) : undefined;
  const planMs = typeof summary?.['planMs'] === 'number' ? (summary['planMs'] as number) : undefined;
  const bytes = typeof summary?.['bytes'] === 'number' ? (summary['bytes'] as number) : undefined;
  return { ...base, status: 'ok', elements, innerMs, planMs, bytes, note, summary };
}

export interface HgbrRunOptions {
  readonly nodeFlags?: readonly string[];
  /** A compiled tree from {@link buildCompiled}: run its cli/main.js instead of the sources through tsx. */
  readonly distDir?: string;
}

/** `node [nodeFlags] bin/hgbr.js <args>`, or the compiled CLI of `distDir`. */
export function hgbrCommand(args: readonly string[], options: HgbrRunOptions = {}): { command: string; args: string[] } {
  const flags = options.nodeFlags ?? [];
  if (options.distDir) {
    const main = JSON.stringify(path.join(options.distDir, 'cli', 'main.js'));
    const code = `require(${main}).main(process.argv.slice(1))`;
    return { command: process.execPath, args: [...flags, '-e', code, ...args] };
  }
  return { command: process.execPath, args: [...flags, HGBR_BIN, ...args] };
}

/** Environment of an hgbr child. */
export function hgbrEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // never let the bench's own settings leak into the tool under test
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Compiles the project with tsc (tsconfig.build.json) into bench/.dist-<pid>/ (git-ignored), never
 * dist/: bin/hgbr.js runs dist/ whenever it exists, which must stay the lead's choice. Inside the
 * repository on purpose: the CLI finds the repository root (and the handler sources CDK bundles)
 * by walking up to package.json, and node_modules resolve the same way. What runs then is plain
 * CommonJS as tsc emits it, not tsx's on-the-fly transform. Remove it with {@link removeCompiled}.
 */
export function buildCompiled(): string {
  const dir = path.join(REPO, 'bench', `.dist-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', dir], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // type errors (someone's work in progress) still emit JavaScript; only a missing output is fatal
    if (!fs.existsSync(path.join(dir, 'cli', 'main.js'))) throw error;
  }
  return dir;
}

export function removeCompiled(dir: string | undefined): void {
  if (dir && path.basename(dir).startsWith('.dist-')) fs.rmSync(dir, { recursive: true, force: true });
}

// ---- hugegraph-tools ------------------------------------------------------------------------

export const TOOLS_NOT_AVAILABLE = 'not published on Maven Central (set HGBR_BENCH_TOOLS_CLASSPATH to a hugegraph-tools build)';

export function toolsCommand(classpath: string, url: string, graph: string, action: 'backup' | 'restore', dir: string): { command: string; args: string[] } {
  const java = process.env.HUGEGRAPH_JAVA || (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  return {
    command: java,
    args: ['-cp', classpath, 'org.apache.hugegraph.cmd.HugeGraphCommand', '--url', url, '--graph', graph, '--throw-mode', 'true', action, '-t', 'all', '-d', dir],
  };
}

/** Total bytes of the files under a folder. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)).size;
  }
  return total;
}

/**
 * Runs a measured step `times` times and keeps the fastest run: on a machine the server shares, a
 * busy moment (RocksDB compacting after a clear) slows a run and never speeds one up. Peak RSS is
 * the highest of all runs, since memory gains nothing from a repeat. A failed run is reported.
 */
export async function fastestOf(times: number, run: () => Promise<StepResult>): Promise<StepResult> {
  const results: StepResult[] = [];
  for (let k = 0; k < times; k++) {
    const r = await run();
    if (r.status !== 'ok') return r;
    results.push(r);
  }
  const fastest = results.reduce((a, b) => ((b.wallMs ?? Infinity) < (a.wallMs ?? Infinity) ? b : a));
  const peaks = results.map((r) => r.peakRssKb).filter((kb): kb is number => kb !== undefined);
  const note = [fastest.note, times > 1 ? `fastest of ${times} runs (${results.map((r) => ((r.wallMs ?? 0) / 1000).toFixed(1)).join(', ')} s)` : undefined];
  return { ...fastest, peakRssKb: peaks.length ? Math.max(...peaks) : undefined, note: note.filter(Boolean).join('; ') || undefined };
}
