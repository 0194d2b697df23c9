/**
 * npm run bench — see bench/README.md.
 *
 * Starts its own HugeGraph (RocksDB) and S3 server, and for each size: loads a synthetic graph,
 * measures the read ceiling, hgbr backup to a folder and to S3, hugegraph-tools backup (when a
 * classpath is given), the write ceiling, hgbr restore and hugegraph-tools restore; then writes the
 * report to docs/benchmarks.md. A step that fails is reported as failed; the run goes on. The
 * benchmark never fails on a time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PAGE_SIZE } from '../functions/backup/plan';
import { DEFAULT_BATCH_CONCURRENCY } from '../functions/restore/plan';
import { startHugeGraph, type HugeGraphServer } from '../test/support/hugegraph-server';
import { startS3Server, type S3Server } from '../test/support/s3-server';
import { type GraphSize, sizeFromTotal, skewedSize } from './graph';
import type { Options } from './options';
import { benchScaleOut, benchSize, log, serverPid } from './size';
import { machineInfo, runMeasured } from './proc';
import { renderReport, writeReport, type BenchReport, type SizeReport } from './report';
import { buildCompiled, removeCompiled, hgbrCommand, hgbrEnv, REPO, type StepResult } from './steps';

const HELP = `usage: npm run bench -- [options]        (or: npx tsx bench/run.ts [options])

  --sizes LIST          total elements per size, e.g. 100k,1M (default; env HGBR_BENCH_SIZES);
                        ${Math.round(0.6 * 100)}% of each size are edges (--edge-share)
  --vertices N --edges M   one size given exactly (env HGBR_BENCH_VERTICES / HGBR_BENCH_EDGES)
  --edge-share F        fraction of edges when a size is a total (default 0.6)
  --page-size N         page size of hgbr backup and of the read ceiling (default ${DEFAULT_PAGE_SIZE}, hgbr's)
  --read-concurrency N  labels paged at once by the read ceiling (default 4: hgbr's backup Map)
  --write-concurrency N batches in flight for the write ceiling (default 12: hgbr restore's
                        4 files in parallel x 3 batches per file)
  --load-concurrency N  batches in flight while loading the graph (default 4)
  --scale-out N         elements of the scale-out graph (default 500k; 0 skips): its largest label
                        holds ~63%; backed up with 1, 2, 4 and 8 workers by key ranges and by label
  --no-s3               skip the backup to S3 (no S3 server)
  --no-restore          skip the write ceiling and the restores
  --cpu-prof            run the hgbr backups under node --cpu-prof (profiles kept in
                        $TMPDIR/hgbr-bench-profiles-<time>; summarize: npx tsx bench/profile.ts --summarize DIR)
  --node-options FLAGS  extra node flags for the hgbr child processes, e.g. --max-old-space-size=128
  --repeat N            run every measured step N times and keep the fastest (default 2): a busy
                        moment of a shared machine slows a run, never speeds one up
  --worker-heap MIB     also run hgbr backup → folder and hgbr restore ← folder with V8's heap
                        capped at MIB (--max-old-space-size; default 64, 0 skips): a worker's
                        memory bound, where the default heap keeps garbage it has room for
  --restore-concurrency N   pass --concurrency N (batches in flight per file) to hgbr restore
  --from-source         run hgbr from the TypeScript sources through tsx (as ./bin/hgbr.js does
                        without dist/) instead of the default: a tsc build (tsconfig.build.json) in
                        bench/.dist-<pid>/ (never dist/), closer to what npm users and Lambda run
  --out FILE            report file (default docs/benchmarks.md; env HGBR_BENCH_OUT); --no-write: none
  --json FILE           also write the raw results as JSON
  --keep                keep the work folder (backups) and print where it is
  --pin                 pin the HugeGraph server to CPU 0 and the bench, hgbr, hugegraph-tools and
                        the S3 server to the other CPUs (taskset; Linux, 2 CPUs or more): client
                        and server stop taking CPU from each other, as when HugeGraph has its own
                        host and hgbr runs on Lambda
  --step-timeout S      seconds before a step is killed (default 1800)
  --hugegraph-version V server release (default HUGEGRAPH_VERSION or 1.5.0)
  --heap SIZE           server heap (default 2g)

env: HGBR_BENCH_TOOLS_CLASSPATH   a classpath holding a hugegraph-tools build: adds its backup and
                                  restore (org.apache.hugegraph.cmd.HugeGraphCommand)
     HUGEGRAPH_JAVA               java for the server and the tools`;

/** The CPUs other than 0, as taskset lists them. */
function clientCpus(): string {
  const n = os.cpus().length; // not availableParallelism(): that counts only the CPUs this process is pinned to
  if (n < 2) throw new Error(`--pin needs 2 CPUs or more, this machine has ${n}`);
  return n === 2 ? '1' : `1-${n - 1}`;
}

/** Sets the CPUs of every thread of a process (`taskset -a`); threads it starts later inherit them. */
function pinToCpus(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

function parseCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim().replace(/_/g, ''));
  if (!m) throw new Error(`not a count: '${text}' (e.g. 20000, 100k, 1M)`);
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1);
  if (!Number.isInteger(n) || n < 100) throw new Error(`a size must be a whole number ≥ 100, got '${text}'`);
  return n;
}

function label(n: number): string {
  return n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got '${value}'`);
  return n;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sizes: { type: 'string' },
      vertices: { type: 'string' },
      edges: { type: 'string' },
      'edge-share': { type: 'string' },
      'page-size': { type: 'string' },
      'read-concurrency': { type: 'string' },
      'write-concurrency': { type: 'string' },
      'load-concurrency': { type: 'string' },
      'no-s3': { type: 'boolean' },
      'scale-out': { type: 'string' },
      'no-restore': { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      'from-source': { type: 'boolean' },
      'node-options': { type: 'string' },
      'worker-heap': { type: 'string' },
      repeat: { type: 'string' },
      'restore-concurrency': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      pin: { type: 'boolean' },
      'step-timeout': { type: 'string' },
      'hugegraph-version': { type: 'string' },
      heap: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const edgeShare = values['edge-share'] === undefined ? 0.6 : Number(values['edge-share']);
  if (!(edgeShare >= 0 && edgeShare < 1)) throw new Error('--edge-share must be in [0, 1)');
  const vertices = values.vertices ?? process.env.HGBR_BENCH_VERTICES;
  const edges = values.edges ?? process.env.HGBR_BENCH_EDGES;
  let sizes: GraphSize[];
  if (vertices !== undefined || edges !== undefined) {
    if (vertices === undefined || edges === undefined) throw new Error('--vertices and --edges go together');
    const v = parseCount(vertices);
    const e = edges === '0' ? 0 : parseCount(edges);
    sizes = [{ name: label(v + e), vertices: v, edges: e }];
  } else {
    const totals = (values.sizes ?? process.env.HGBR_BENCH_SIZES ?? '100k,1M')
      .split(',')
      .map(parseCount)
      .sort((a, b) => a - b);
    sizes = totals.map((n, i) => sizeFromTotal(n, totals.length === 2 ? `${i === 0 ? 'small' : 'large'} (${label(n)})` : label(n), edgeShare));
  }
  const out = values['no-write'] ? null : (values.out ?? process.env.HGBR_BENCH_OUT ?? path.join(REPO, 'docs', 'benchmarks.md'));
  return {
    sizes,
    pageSize: positiveInt(values['page-size'] ?? process.env.HGBR_BENCH_PAGE_SIZE, 'page-size', DEFAULT_PAGE_SIZE),
    readConcurrency: positiveInt(values['read-concurrency'], 'read-concurrency', 4),
    writeConcurrency: positiveInt(values['write-concurrency'], 'write-concurrency', 4 * DEFAULT_BATCH_CONCURRENCY),
    loadConcurrency: positiveInt(values['load-concurrency'], 'load-concurrency', 4),
    scaleOut: values['scale-out'] === '0' ? undefined : skewedSize(parseCount(values['scale-out'] ?? '500k'), `scale-out (${values['scale-out'] ?? '500k'})`),
    s3: !values['no-s3'],
    restore: !values['no-restore'],
    cpuProf: !!values['cpu-prof'],
    compiled: !values['from-source'],
    nodeOptions: (values['node-options'] ?? '').split(/\s+/).filter(Boolean),
    workerHeapMib: values['worker-heap'] === '0' ? 0 : positiveInt(values['worker-heap'], 'worker-heap', 64),
    repeat: positiveInt(values.repeat, 'repeat', 2),
    restoreConcurrency: values['restore-concurrency'] === undefined ? undefined : positiveInt(values['restore-concurrency'], 'restore-concurrency', 2),
    out,
    json: values.json,
    keep: !!values.keep,
    pin: !!values.pin,
    stepTimeoutMs: positiveInt(values['step-timeout'], 'step-timeout', 1800) * 1000,
    hugegraphVersion: values['hugegraph-version'],
    heap: values.heap,
    toolsClasspath: process.env.HGBR_BENCH_TOOLS_CLASSPATH || undefined,
    profileDir: path.join(os.tmpdir(), `hgbr-bench-profiles-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`),
  };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (!o) return;
  const started = Date.now();
  const machine = machineInfo();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-bench-'));
  log(`work folder ${work}; sizes ${o.sizes.map((s) => `${s.name}=${s.vertices}v+${s.edges}e`).join(', ')}`);

  let hg: HugeGraphServer | undefined;
  let s3: S3Server | undefined;
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([hg?.stop(), s3?.stop()]);
    removeCompiled(o.distDir);
    if (!o.keep) fs.rmSync(work, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the servers`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  const sizes: SizeReport[] = [];
  let scaleOut: (SizeReport & { steps: StepResult[] }) | undefined;
  let baselineRssKb: number | undefined;
  try {
    if (o.compiled) {
      const t = Date.now();
      o.distDir = buildCompiled();
      log(`compiled into ${o.distDir} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    // Children inherit the bench's CPUs: pinned first, everything started from here on stays off CPU 0.
    if (o.pin) pinToCpus(process.pid, clientCpus());
    log(`starting HugeGraph${o.s3 ? ' and the S3 server' : ''}`);
    [hg, s3] = await Promise.all([startHugeGraph({ version: o.hugegraphVersion, backend: 'rocksdb', heap: o.heap }), o.s3 ? startS3Server({ bucket: 'hgbr-bench' }) : Promise.resolve(undefined)]);
    log(`HugeGraph ${hg.version} at ${hg.url}${s3 ? `, S3 at ${s3.endpoint}` : ''}`);
    if (o.pin) {
      const pid = serverPid(hg);
      if (pid === undefined) throw new Error('--pin: the HugeGraph server has no pid file');
      pinToCpus(pid, '0');
      log(`pinned: HugeGraph (pid ${pid}) to CPU 0, the rest to CPU ${clientCpus()}`);
    }
    const idleCommand = hgbrCommand(['backup', '--help'], { distDir: o.distDir });
    const idle = await runMeasured(idleCommand.command, idleCommand.args, { env: hgbrEnv() });
    baselineRssKb = idle.peakRssKb;
    for (const size of o.sizes) {
      const report: SizeReport & { steps: StepResult[] } = { size, steps: [] };
      sizes.push(report);
      try {
        await benchSize(size, o, hg, s3, work, report);
      } catch (error) {
        (report as { error?: string }).error = (error as Error).message;
        log(`size ${size.name} stopped: ${(error as Error).stack ?? error}`);
      }
    }
    if (o.scaleOut) {
      scaleOut = { size: o.scaleOut, steps: [] };
      try {
        await benchScaleOut(o.scaleOut, o, hg, work, scaleOut);
      } catch (error) {
        (scaleOut as { error?: string }).error = (error as Error).message;
        log(`scale-out stopped: ${(error as Error).stack ?? error}`);
      }
    }
  } finally {
    const version = hg?.version ?? '?';
    log('stopping the servers');
    if (o.keep) log(`kept ${work}`);
    if (o.cpuProf) log(`CPU profiles in ${o.profileDir}`);
    await stopAll();
    const report: BenchReport = {
      machine,
      hugegraphVersion: version,
      backend: 'RocksDB',
      pageSize: o.pageSize,
      readConcurrency: o.readConcurrency,
      writeConcurrency: o.writeConcurrency,
      hgbrNodeOptions: o.nodeOptions,
      compiled: o.compiled,
      toolsClasspath: o.toolsClasspath,
      restoreConcurrency: o.restoreConcurrency,
      pinned: o.pin,
      baselineRssKb,
      sizes,
      scaleOut,
      durationMs: Date.now() - started,
      command: [...(o.toolsClasspath ? [`HGBR_BENCH_TOOLS_CLASSPATH='${o.toolsClasspath}'`] : []), 'npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      loadAverageEnd: os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' '),
    };
    const markdown = renderReport(report);
    console.log(`\n${markdown}`);
    if (o.out) {
      writeReport(o.out, markdown);
      log(`report written to ${path.relative(process.cwd(), o.out) || o.out}`);
    }
    if (o.json)
      fs.writeFileSync(
        o.json,
        JSON.stringify(report, (k, v: unknown) => (k === 'summary' ? undefined : v), 2),
      );
  }
}

main().catch((error) => {
  console.error(`bench: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
