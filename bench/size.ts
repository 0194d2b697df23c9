/**
 * One size of `npm run bench`: load the graph, then each measured step in turn. A step that fails
 * is reported as failed and the next one runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HugeGraphClient } from '../functions/hugegraph';
import type { HugeGraphServer } from '../test/support/hugegraph-server';
import type { S3Server } from '../test/support/s3-server';
import { planRanges, RANGES_PER_WORKER } from '../functions/backup/plan';
import { readCeiling, scanCeiling, serverCpuMeter, waitForQuietServer, writeCeiling } from './ceilings';
import { type GraphSize, loadGraph } from './graph';
import type { SizeReport } from './report';
import type { Options } from './options';
import { fastestOf, folderBytes, hgbrCommand, hgbrEnv, runChildStep, summaryElements, toolsCommand, TOOLS_NOT_AVAILABLE, type StepResult } from './steps';

export const log = (line: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** What every step of one size works with. */
interface SizeBench {
  readonly size: GraphSize;
  readonly o: Options;
  readonly hg: HugeGraphServer;
  readonly s3: S3Server | undefined;
  readonly work: string;
  readonly client: HugeGraphClient;
  /** The server's process, whose CPU each step measures. */
  readonly pid: number | undefined;
  /** Elements of the loaded graph: what every backup and restore must move. */
  readonly total: number;
  readonly vertexLabels: string[];
  readonly edgeLabels: string[];
  /** Records a step's result in the report and logs it. */
  add(step: StepResult): void;
}

export async function benchSize(size: GraphSize, o: Options, hg: HugeGraphServer, s3: S3Server | undefined, work: string, report: SizeReport & { steps: StepResult[] }): Promise<void> {
  const client = await HugeGraphClient.connect({ url: hg.url, graph: 'hugegraph' });
  try {
    log(`size ${size.name}: ${size.vertices.toLocaleString('en')} vertices, ${size.edges.toLocaleString('en')} edges`);
    await client.setMode('NONE');
    await client.clear();
    const loaded = await loadGraph(client, size, { concurrency: o.loadConcurrency, log });
    (report as { loaded?: typeof loaded }).loaded = loaded;
    const add = (step: StepResult): void => {
      report.steps.push(step);
      log(describe(step));
    };
    const bench: SizeBench = { size, o, hg, s3, work, client, pid: serverPid(hg), total: loaded.total, vertexLabels: Object.keys(loaded.vertices), edgeLabels: Object.keys(loaded.edges), add };

    await warmUp(bench);
    add(await fastestOf(o.repeat, () => measureReadCeiling(bench)));
    add(await fastestOf(o.repeat, () => measureScanCeiling(bench)));
    const folder = await measureBackups(bench);
    const toolsDir = await measureToolsBackup(bench);
    if (!o.restore) return;
    const backupId = folder.result.summary?.['backupId'];
    if (folder.result.status !== 'ok' || typeof backupId !== 'string') {
      add({ step: 'write ceiling', status: 'failed', message: 'no folder backup to take the elements from' });
      add({ step: 'hgbr restore ← folder', status: 'failed', message: 'no folder backup to restore' });
      return;
    }
    const backupDir = path.join(folder.root, 'hugegraph', backupId);
    add(await fastestOf(o.repeat, () => measureWriteCeiling(bench, backupDir)));
    await measureRestores(bench, backupDir);
    await measureToolsRestore(bench, toolsDir);
  } finally {
    await client.close();
  }
}

export function serverPid(hg: HugeGraphServer): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(hg.home, 'hugegraph.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function describe(step: StepResult): string {
  if (step.status !== 'ok') return `${step.step}: ${step.status}${step.message ? `: ${step.message}` : ''}`;
  const rate = step.elements && step.wallMs ? Math.round(step.elements / (step.wallMs / 1000)).toLocaleString('en') : '?';
  const rss = step.peakRssKb ? `, peak RSS ${(step.peakRssKb / 1024).toFixed(0)} MiB` : '';
  return `${step.step}: ${rate} elements/s (${((step.wallMs ?? 0) / 1000).toFixed(1)} s${rss}${step.note ? `; ${step.note}` : ''})`;
}

/** A name of the size fit for a folder or a key. */
function slug(size: GraphSize): string {
  return size.name.replace(/\W+/g, '');
}

/** Warms the server up (JIT, caches) so that the first measured step is not the cold one. */
async function warmUp(b: SizeBench): Promise<void> {
  const warm = { url: b.hg.url, graphPath: b.client.graphPath, vertexLabels: b.vertexLabels, edgeLabels: b.edgeLabels, pageSize: b.o.pageSize, maxPagesPerLabel: 5 };
  await readCeiling({ ...warm, acceptGzip: true });
  await readCeiling({ ...warm, acceptGzip: false });
}

/** The read ceiling (label paging). No variant without gzip: the server gzips list answers whatever the request asks. */
async function measureReadCeiling(b: SizeBench): Promise<StepResult> {
  await waitForQuietServer(b.pid);
  const meter = serverCpuMeter(b.pid);
  const r = await readCeiling({
    url: b.hg.url,
    graphPath: b.client.graphPath,
    vertexLabels: b.vertexLabels,
    edgeLabels: b.edgeLabels,
    pageSize: b.o.pageSize,
    labelConcurrency: b.o.readConcurrency,
  });
  return {
    step: 'read ceiling',
    status: 'ok',
    elements: b.total,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    serverCpuMs: meter(),
    bytes: r.bytes,
    note: `${r.requests} pages, ${(r.bytes / 2 ** 20).toFixed(0)} MiB of JSON`,
  };
}

/** The scan ceiling: the key ranges hgbr's plan cuts, read by as many loops as hgbr's workers. */
async function measureScanCeiling(b: SizeBench): Promise<StepResult> {
  const workers = b.o.readConcurrency;
  const ranges = [];
  for (const kind of ['vertex', 'edge'] as const) for (const r of await planRanges(b.client, kind, workers * RANGES_PER_WORKER)) ranges.push({ kind, ...r });
  await waitForQuietServer(b.pid);
  const meter = serverCpuMeter(b.pid);
  const r = await scanCeiling({ url: b.hg.url, graphPath: b.client.graphPath, ranges, pageSize: b.o.pageSize, concurrency: workers, acceptGzip: true });
  return {
    step: 'scan ceiling',
    status: 'ok',
    elements: b.total,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    serverCpuMs: meter(),
    bytes: r.bytes,
    note: `${ranges.length} key ranges, ${r.requests} pages, ${(r.bytes / 2 ** 20).toFixed(0)} MiB of JSON`,
  };
}

interface HgbrStepOptions {
  readonly nodeFlags: string[];
  readonly env?: Record<string, string>;
  /** Runs before each repetition, outside the measurement (e.g. clearing the target). */
  readonly before?: () => Promise<void>;
}

/** One measured `hgbr` run (the fastest of `repeat`), expected to move the whole graph. */
function hgbrStep(b: SizeBench, step: string, args: string[], options: HgbrStepOptions): Promise<StepResult> {
  return fastestOf(b.o.repeat, async () => {
    await options.before?.();
    return runChildStep({
      step,
      ...hgbrCommand(args, { nodeFlags: options.nodeFlags, distDir: b.o.distDir }),
      env: hgbrEnv(options.env ?? {}),
      timeoutMs: b.o.stepTimeoutMs,
      serverPid: b.pid,
      expectedElements: b.total,
      elementsOf: summaryElements,
    });
  });
}

/** An empty graph in mode NONE: where a restore starts. */
async function clearGraph(b: SizeBench): Promise<void> {
  await b.client.setMode('NONE');
  await b.client.clear();
}

/** (b) (c) hgbr backup to a folder (also with a bounded heap) and to S3; the folder run is kept for the restores. */
async function measureBackups(b: SizeBench): Promise<{ result: StepResult; root: string }> {
  const root = path.join(b.work, `backups-${slug(b.size)}`);
  const nodeFlags = [...b.o.nodeOptions, ...(b.o.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', b.o.profileDir] : [])];
  const backupArgs = (to: string) => ['backup', '--server', b.hg.url, '--graph', 'hugegraph', '--to', to, '--page-size', String(b.o.pageSize), '--json'];
  const result = await hgbrStep(b, 'hgbr backup → folder', backupArgs(root), { nodeFlags });
  b.add(result);
  const byLabel = path.join(b.work, 'label-path-backups');
  b.add(await hgbrStep(b, 'hgbr backup --read-path label → folder', [...backupArgs(byLabel), '--read-path', 'label'], { nodeFlags }));
  fs.rmSync(byLabel, { recursive: true, force: true });
  if (b.o.workerHeapMib) {
    const bounded = path.join(b.work, 'bounded-heap-backups');
    b.add(await hgbrStep(b, `hgbr backup → folder, ${b.o.workerHeapMib} MiB heap`, backupArgs(bounded), { nodeFlags: [...nodeFlags, `--max-old-space-size=${b.o.workerHeapMib}`] }));
    fs.rmSync(bounded, { recursive: true, force: true });
  }
  if (b.s3) {
    const s3 = { nodeFlags, env: { ...b.s3.env } };
    b.add(await hgbrStep(b, 'hgbr backup → S3', backupArgs(`s3://${b.s3.bucket}/bench-${slug(b.size)}`), s3));
    // What one Lambda of the Distributed Map holds: one work item at a time.
    b.add(await hgbrStep(b, 'hgbr backup → S3, 1 worker', [...backupArgs(`s3://${b.s3.bucket}/bench-one-${slug(b.size)}`), '--workers', '1'], s3));
  }
  return { result, root };
}

/** (f) hugegraph-tools backup, when a classpath is given; returns its folder. */
async function measureToolsBackup(b: SizeBench): Promise<string> {
  const toolsDir = path.join(b.work, `tools-${slug(b.size)}`);
  const classpath = b.o.toolsClasspath;
  if (!classpath) {
    b.add({ step: 'hugegraph-tools backup', status: 'not available', message: TOOLS_NOT_AVAILABLE });
    return toolsDir;
  }
  const t = await fastestOf(b.o.repeat, () => {
    fs.rmSync(toolsDir, { recursive: true, force: true });
    return runChildStep({
      step: 'hugegraph-tools backup',
      ...toolsCommand(classpath, b.hg.url, 'hugegraph', 'backup', toolsDir),
      timeoutMs: b.o.stepTimeoutMs,
      serverPid: b.pid,
      expectedElements: b.total,
    });
  });
  b.add(t.status === 'ok' ? { ...t, bytes: folderBytes(toolsDir) } : t);
  return toolsDir;
}

/** (d) The write ceiling: the backup's elements posted as fast as the server takes them. */
async function measureWriteCeiling(b: SizeBench, backupDir: string): Promise<StepResult> {
  try {
    // The server's CPU counts from the clock's start: the clear and the schema before are not posts.
    let meter = serverCpuMeter(b.pid);
    const beforeTiming = async () => {
      await waitForQuietServer(b.pid);
      meter = serverCpuMeter(b.pid);
    };
    const w = await writeCeiling({ client: b.client, url: b.hg.url, backupDir, concurrency: b.o.writeConcurrency, log, beforeTiming });
    return {
      step: 'write ceiling',
      status: 'ok',
      elements: w.elements,
      wallMs: w.wallMs,
      cpuMs: w.cpuMs,
      serverCpuMs: meter(),
      note: w.elements !== b.total ? `posted ${w.elements} elements, the graph holds ${b.total}` : `${w.requests} batches`,
    };
  } catch (error) {
    return { step: 'write ceiling', status: 'failed', message: (error as Error).message };
  }
}

/**
 * (e) hgbr restore into a cleared graph: as it runs by default (every file read once before the
 * first write), without that pre-write read (its cost), reading the target back, and with the worker heap.
 */
async function measureRestores(b: SizeBench, backupDir: string): Promise<void> {
  const restores = [
    { step: 'hgbr restore ← folder', args: [], nodeFlags: b.o.nodeOptions },
    { step: 'hgbr restore --skip-preflight-read ← folder', args: ['--skip-preflight-read'], nodeFlags: b.o.nodeOptions },
    { step: 'hgbr restore --verify-target ← folder', args: ['--verify-target'], nodeFlags: b.o.nodeOptions },
    ...(b.o.workerHeapMib ? [{ step: `hgbr restore ← folder, ${b.o.workerHeapMib} MiB heap`, args: [], nodeFlags: [...b.o.nodeOptions, `--max-old-space-size=${b.o.workerHeapMib}`] }] : []),
  ];
  const concurrency = b.o.restoreConcurrency ? ['--concurrency', String(b.o.restoreConcurrency)] : [];
  for (const restore of restores) {
    const args = ['restore', '--from', backupDir, '--server', b.hg.url, '--graph', 'hugegraph', '--mode', 'restoring', '--json', ...restore.args, ...concurrency];
    b.add(await hgbrStep(b, restore.step, args, { nodeFlags: restore.nodeFlags, before: () => clearGraph(b) }));
  }
}

/** (f) hugegraph-tools restore of its own backup, in RESTORING mode as the tool expects. */
async function measureToolsRestore(b: SizeBench, toolsDir: string): Promise<void> {
  const classpath = b.o.toolsClasspath;
  if (!classpath || !fs.existsSync(toolsDir)) {
    b.add({ step: 'hugegraph-tools restore', status: 'not available', message: classpath ? 'its backup failed' : TOOLS_NOT_AVAILABLE });
    return;
  }
  b.add(
    await fastestOf(b.o.repeat, async () => {
      await clearGraph(b);
      await b.client.setMode('RESTORING');
      try {
        return await runChildStep({
          step: 'hugegraph-tools restore',
          ...toolsCommand(classpath, b.hg.url, 'hugegraph', 'restore', toolsDir),
          timeoutMs: b.o.stepTimeoutMs,
          serverPid: b.pid,
          expectedElements: b.total,
        });
      } finally {
        await b.client.setMode('NONE');
      }
    }),
  );
}

/** The worker counts of the scale-out table. */
export const SCALE_OUT_WORKERS = [1, 2, 4, 8] as const;

/**
 * Scale-out: one graph whose largest label holds ≥ 60% of the elements, backed up with 1, 2, 4 and
 * 8 workers by key ranges (several workers share the big label) and by label (one worker reads it
 * whatever the count), beside the scan ceiling with as many loops.
 */
export async function benchScaleOut(size: GraphSize, o: Options, hg: HugeGraphServer, work: string, report: SizeReport & { steps: StepResult[] }): Promise<void> {
  const client = await HugeGraphClient.connect({ url: hg.url, graph: 'hugegraph' });
  try {
    log(`scale-out: ${size.vertices.toLocaleString('en')} vertices, ${size.edges.toLocaleString('en')} edges`);
    await client.setMode('NONE');
    await client.clear();
    const loaded = await loadGraph(client, size, { concurrency: o.loadConcurrency, log });
    (report as { loaded?: typeof loaded }).loaded = loaded;
    const add = (step: StepResult): void => {
      report.steps.push(step);
      log(describe(step));
    };
    const b: SizeBench = { size, o, hg, s3: undefined, work, client, pid: serverPid(hg), total: loaded.total, vertexLabels: Object.keys(loaded.vertices), edgeLabels: Object.keys(loaded.edges), add };
    await warmUp(b);
    for (const workers of SCALE_OUT_WORKERS) {
      add(await fastestOf(o.repeat, async () => ({ ...(await measureScanCeiling({ ...b, o: { ...o, readConcurrency: workers } })), step: `scan ceiling, ${workers} loops` })));
      for (const readPath of ['scan', 'label'] as const) {
        const root = path.join(work, `scale-out-${readPath}-${workers}`);
        const args = ['backup', '--server', hg.url, '--graph', 'hugegraph', '--to', root, '--page-size', String(o.pageSize), '--read-path', readPath, '--workers', String(workers), '--json'];
        add(await hgbrStep(b, `hgbr backup --read-path ${readPath}, ${workers} workers`, args, { nodeFlags: o.nodeOptions }));
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
  } finally {
    await client.close();
  }
}
