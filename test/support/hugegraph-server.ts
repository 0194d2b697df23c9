/**
 * Start real HugeGraph servers from tests, through scripts/hugegraph.sh (jars from Maven Central,
 * cached in ~/.m2; Java 17 from PATH).
 *
 *   const hg = await startHugeGraph({ version: '1.5.0', backend: 'rocksdb', auth: { password: 'pa' } });
 *   await fetch(`${hg.url}${hg.graphPath()}`, { headers: hg.authHeaders() });
 *   await hg.restart();   // same port and data
 *   await hg.stop();      // always call it (afterAll); a watchdog stops it anyway once this process ends
 *
 * Each call gets free ports on 127.0.0.1 and its own fresh HUGEGRAPH_HOME (data + logs) under
 * .hgbr/test-homes/, deleted by stop() unless HGBR_KEEP_HUGEGRAPH_HOME=1 or `home` was given.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { usesGraphspaces } from '../../functions/hugegraph/version';
import { twoFreePorts } from './ports';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const HUGEGRAPH_SCRIPT = path.join(REPO_ROOT, 'scripts', 'hugegraph.sh');
/** Version used by tests that do not ask for one (override with HGBR_TEST_HUGEGRAPH_VERSION). */
export const DEFAULT_HUGEGRAPH_VERSION = process.env.HGBR_TEST_HUGEGRAPH_VERSION || '1.5.0';
const TEST_HOMES = path.join(REPO_ROOT, '.hgbr', 'test-homes');

export type HugeGraphBackend = 'rocksdb' | 'memory';

export interface StartHugeGraphOptions {
  /** Server release, e.g. '1.3.0', '1.5.0' (default), '1.7.0'. */
  version?: string;
  /** Turn auth on; user `admin` gets this password. */
  auth?: { password: string };
  backend?: HugeGraphBackend;
  /** Use (and keep) this HUGEGRAPH_HOME instead of a fresh temporary one. */
  home?: string;
  /** task.sync_deletion=true (schema deletions finish before the DELETE returns). */
  syncDeletion?: boolean;
  /** Extra rest-server.properties / graphs/hugegraph.properties entries. */
  restConf?: Record<string, string | number | boolean>;
  graphConf?: Record<string, string | number | boolean>;
  /** Seconds to wait for GET /versions (default 180). */
  startTimeoutSec?: number;
  /** Max heap, e.g. '1g' (default 2g). */
  heap?: string;
}

export interface HugeGraphServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  port: number;
  gremlinPort: number;
  version: string;
  backend: HugeGraphBackend;
  home: string;
  auth?: { username: 'admin'; password: string };
  /** Path of a graph's root: /graphs/{g} before 1.7.0, /graphspaces/DEFAULT/graphs/{g} from 1.7.0. */
  graphPath(graph?: string): string;
  /** Authorization header for admin (empty object when auth is off). */
  authHeaders(): Record<string, string>;
  /** pid of the server JVM, undefined when it is not running. */
  pid(): number | undefined;
  stop(): Promise<void>;
  /** Stop and start again on the same ports with the same data. */
  restart(): Promise<void>;
}

const PER_SERVER_ENV = [
  'HUGEGRAPH_VERSION',
  'HUGEGRAPH_PORT',
  'HUGEGRAPH_GREMLIN_PORT',
  'HUGEGRAPH_HOME',
  'HUGEGRAPH_BACKEND',
  'HUGEGRAPH_AUTH_PASSWORD',
  'HUGEGRAPH_SYNC_DELETION',
  'HUGEGRAPH_REST_CONF_EXTRA',
  'HUGEGRAPH_GRAPH_CONF_EXTRA',
  'HUGEGRAPH_START_TIMEOUT',
  'HUGEGRAPH_OWNER_PID',
  'HUGEGRAPH_DELETE_HOME_ON_ORPHAN',
];

interface Tracked {
  home: string;
}
const running = new Map<string, Tracked>();
let exitHookInstalled = false;

/** Kill (SIGTERM) every server this process started and did not stop. Synchronous: safe in 'exit'. */
export function killAllStartedHugeGraphs(): void {
  for (const { home } of running.values()) {
    const pid = serverPid(home);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
  running.clear();
}

/*
 * Two safety nets for servers a test forgot (or had no chance) to stop:
 * - HUGEGRAPH_OWNER_PID=process.pid: the script leaves a detached watchdog that stops the JVM (and
 *   deletes a temporary home) once this process is gone, however it ended (crash, SIGKILL, timeout).
 *   This is the one that works under jest: inside a test environment `process` is a copy whose
 *   'exit' event never fires.
 * - a process 'exit' hook, for use outside jest (plain node scripts).
 * SIGTERM makes the JVM run its own shutdown hook (closes RocksDB); nobody needs to wait for it.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllStartedHugeGraphs);
}

/** The pid in HOME/hugegraph.pid, if that process is alive and is the server of that home. */
function serverPid(home: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(home, 'hugegraph.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(`-Dhgbr.home=${home}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Is the server of this HUGEGRAPH_HOME still alive? */
export function isHugeGraphRunning(home: string): boolean {
  return serverPid(home) !== undefined;
}

/** SIGTERM the server of `home` if it runs, SIGKILL after `graceMs`; resolves once it is gone. */
async function terminate(home: string, graceMs = 60_000): Promise<void> {
  let pid = serverPid(home);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  for (pid = serverPid(home); pid !== undefined; pid = serverPid(home)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

class ScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

function runScript(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [HUGEGRAPH_SCRIPT, command], { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = typeof err.code === 'number' ? err.code : null;
        reject(new ScriptError(`scripts/hugegraph.sh ${command} failed (${err.message.split('\n')[0]}):\n${stdout}\n${stderr}`, code));
      } else {
        resolve(`${stdout}${stderr}`);
      }
    });
  });
}

function confLines(conf: Record<string, string | number | boolean> | undefined): string {
  return Object.entries(conf ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n');
}

export async function startHugeGraph(opts: StartHugeGraphOptions = {}): Promise<HugeGraphServer> {
  const version = opts.version ?? DEFAULT_HUGEGRAPH_VERSION;
  const backend = opts.backend ?? 'rocksdb';
  const ownHome = opts.home === undefined;
  fs.mkdirSync(TEST_HOMES, { recursive: true });
  const home = path.resolve(opts.home ?? fs.mkdtempSync(path.join(TEST_HOMES, `hg-${version}-${backend}-`)));
  const startTimeoutSec = opts.startTimeoutSec ?? 180;
  // First use of a version resolves ~300 jars from Maven Central: allow for it.
  const scriptTimeoutMs = (startTimeoutSec + 600) * 1000;

  // Settings of this server come from `opts` only; machine-wide ones (HUGEGRAPH_JAVA, HUGEGRAPH_JAVA_OPTS,
  // HUGEGRAPH_HEAP, HUGEGRAPH_IMPORT_BOM, HGBR_STATE_DIR, ...) pass through from the environment.
  const baseEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const k of PER_SERVER_ENV) delete baseEnv[k];
  Object.assign(baseEnv, {
    HUGEGRAPH_VERSION: version,
    HUGEGRAPH_BACKEND: backend,
    HUGEGRAPH_HOME: home,
    HUGEGRAPH_START_TIMEOUT: String(startTimeoutSec),
    HUGEGRAPH_REST_CONF_EXTRA: confLines(opts.restConf),
    HUGEGRAPH_GRAPH_CONF_EXTRA: confLines(opts.graphConf),
  });
  if (opts.auth) baseEnv.HUGEGRAPH_AUTH_PASSWORD = opts.auth.password;
  if (opts.syncDeletion) baseEnv.HUGEGRAPH_SYNC_DELETION = 'true';
  if (opts.heap) baseEnv.HUGEGRAPH_HEAP = opts.heap;
  baseEnv.HUGEGRAPH_OWNER_PID = String(process.pid);
  if (ownHome && process.env.HGBR_KEEP_HUGEGRAPH_HOME !== '1') baseEnv.HUGEGRAPH_DELETE_HOME_ON_ORPHAN = '1';

  installExitHook();
  let env: NodeJS.ProcessEnv | undefined;
  let port = 0;
  let gremlinPort = 0;
  // The ports are free when picked but another process may take them before the JVM binds:
  // the script exits with 4 when the REST port is taken; pick new ports then.
  for (let attempt = 1; ; attempt++) {
    [port, gremlinPort] = await twoFreePorts();
    const candidate = { ...baseEnv, HUGEGRAPH_PORT: String(port), HUGEGRAPH_GREMLIN_PORT: String(gremlinPort) };
    running.set(home, { home });
    try {
      await runScript('start', candidate, scriptTimeoutMs);
      env = candidate;
      break;
    } catch (err) {
      // e.g. the script was killed by the timeout: do not leave its JVM behind
      await terminate(home);
      running.delete(home);
      if (err instanceof ScriptError && err.exitCode === 4 && attempt < 3) continue;
      if (ownHome && process.env.HGBR_KEEP_HUGEGRAPH_HOME !== '1') fs.rmSync(home, { recursive: true, force: true });
      throw err;
    }
  }
  const serverEnv = env;

  let stopped = false;
  const server: HugeGraphServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    gremlinPort,
    version,
    backend,
    home,
    auth: opts.auth ? { username: 'admin', password: opts.auth.password } : undefined,
    graphPath(graph = 'hugegraph') {
      return graphPathFor(version, graph);
    },
    pid() {
      return serverPid(home);
    },
    authHeaders(): Record<string, string> {
      return opts.auth ? { Authorization: basicAuth('admin', opts.auth.password) } : {};
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await runScript('stop', serverEnv, 120_000);
      } catch (err) {
        await terminate(home);
        throw err;
      } finally {
        if (!isHugeGraphRunning(home)) {
          running.delete(home);
          if (ownHome && process.env.HGBR_KEEP_HUGEGRAPH_HOME !== '1') fs.rmSync(home, { recursive: true, force: true });
        }
      }
      if (isHugeGraphRunning(home)) throw new Error(`HugeGraph server of ${home} still running after stop`);
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop()');
      await runScript('stop', serverEnv, 120_000);
      await runScript('start', serverEnv, scriptTimeoutMs);
    },
  };
  return server;
}

/** Resolve (download once, then from ~/.m2) the classpath of a version without starting anything. */
export async function resolveHugeGraph(version = DEFAULT_HUGEGRAPH_VERSION): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, HUGEGRAPH_VERSION: version };
  await runScript('resolve', env, 15 * 60_000);
}

export function graphPathFor(version: string, graph = 'hugegraph'): string {
  return usesGraphspaces(version) ? `/graphspaces/DEFAULT/graphs/${graph}` : `/graphs/${graph}`;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
