/**
 * Child processes measured from /proc: peak RSS (VmHWM, polled every 100 ms until exit; VmHWM is
 * already the peak, polling only keeps the last value seen before the entry disappears), CPU time
 * (utime + stime), wall time. Also the CPU time of another process (the HugeGraph server) and a
 * description of the machine.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

export interface ProcStats {
  /** Peak resident set, KiB (VmHWM). */
  readonly peakRssKb: number;
  /** utime + stime, ms. */
  readonly cpuMs: number;
}

export function readProcStats(pid: number): ProcStats | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return { peakRssKb: hwm ? Number(hwm[1]) : 0, cpuMs: cpuMsOf(pid) ?? 0 };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of a live process, ms. */
export function cpuMsOf(pid: number, file = `/proc/${pid}/stat`): number | undefined {
  try {
    const stat = fs.readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU ms of the process's main thread (tid = pid); the rest is the thread pool (zlib, fs), GC helpers. */
export function mainThreadCpuMs(pid: number): number | undefined {
  return cpuMsOf(pid, `/proc/${pid}/task/${pid}/stat`);
}

export interface ChildResult {
  readonly exitCode: number | null;
  /** CPU time of the main thread (JS), ms; cpuMs minus this is the other threads'. */
  readonly mainCpuMs: number;
  readonly signal: NodeJS.Signals | null;
  readonly wallMs: number;
  readonly peakRssKb: number;
  readonly cpuMs: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Poll interval of /proc. @default 100 */
  readonly pollMs?: number;
}

/** Runs a command to its end, measuring its peak RSS, CPU time and wall time. Never rejects on a non-zero exit. */
export function runMeasured(command: string, args: readonly string[], options: RunChildOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-200_000)));
    let last: ProcStats = { peakRssKb: 0, cpuMs: 0 };
    let mainCpuMs = 0;
    const poll = (): void => {
      if (child.pid === undefined) return;
      const s = readProcStats(child.pid);
      if (s) last = { peakRssKb: Math.max(last.peakRssKb, s.peakRssKb), cpuMs: Math.max(last.cpuMs, s.cpuMs) };
      mainCpuMs = Math.max(mainCpuMs, mainThreadCpuMs(child.pid) ?? 0);
    };
    const timer = setInterval(poll, options.pollMs ?? 100);
    let timedOut = false;
    const killer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 20_000).unref();
          }, options.timeoutMs);
    child.once('error', (error) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      resolve({
        exitCode,
        signal,
        wallMs: Number(process.hrtime.bigint() - started) / 1e6,
        peakRssKb: last.peakRssKb,
        cpuMs: last.cpuMs,
        mainCpuMs,
        stdout,
        stderr,
        timedOut,
      });
    });
    poll();
  });
}

function sh(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
  }
}

function javaVersion(): string {
  // java -version writes to stderr
  const r = spawnSync(process.env.HUGEGRAPH_JAVA || 'java', ['-version'], { encoding: 'utf8' });
  const text = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim();
  return text ? `Java ${text.split('\n').slice(0, 2).join(', ')}` : `Java: ${r.error?.message ?? 'unknown'}`;
}

export interface MachineInfo {
  readonly date: string;
  readonly nproc: string;
  readonly memory: string;
  readonly cpu: string;
  readonly os: string;
  readonly node: string;
  readonly java: string;
  readonly git: string;
  readonly loadAverage: string;
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not Linux */
  }
  let memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  try {
    const kb = Number(/^MemTotal:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    if (kb) memory = `${(kb / 2 ** 20).toFixed(1)} GiB`;
  } catch {
    /* not Linux */
  }
  const head = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain']).length > 0 ? ' + uncommitted changes' : '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: sh('nproc', []) || String(os.availableParallelism()),
    memory,
    cpu,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: javaVersion(),
    git: `${head}${dirty}`,
    loadAverage: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}
