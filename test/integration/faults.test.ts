/**
 * Faults against a real HugeGraph server and a real S3 server (s3proxy), injected by proxies on
 * 127.0.0.1 (test/support/fault-proxy.ts) while the real `hgbr` runs: lost answers, 503 SlowDown
 * bursts, transfers cut midway, a server gone during the reset, concurrent restores, signals.
 * Every test counts the elements lost once the run (or its re-run) is done and the times the graph
 * was left in a mode other than NONE without the output saying how to end it: both must stay 0.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT_BACKUP_DAMAGED, EXIT_LOCKED, EXIT_UNREACHABLE } from '../../cli/command';
import { runBackupLocally } from '../../cli/workflows';
import { localRuntime } from '../../cli/local-runtime';
import { listBackups } from '../../functions/backup/catalog';
import { BACKUP_STEPS } from '../../functions/backup/handlers';
import type { ExportCursor, ExportWork } from '../../functions/backup/types';
import { bindSteps } from '../../functions/workflow/runtime';
import { backupLockKey } from '../../functions/backup/layout';
import { zipEntryStream } from '../../functions/format';
import { HugeGraphClient } from '../../functions/hugegraph';
import { restoreLockKey } from '../../functions/restore/layout';
import { openStorage } from '../../functions/storage/open';
import { runHgbr, waitFor, type CliResult } from '../support/cli';
import { startFaultProxy, s3Key, type FaultProxy } from '../support/fault-proxy';
import { dump, type GraphDump } from '../support/graph-dump';
import { createFixtureSchema, loadFixtureData } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { startS3Server, type S3Server } from '../support/s3-server';

const GRAPH = 'hugegraph';
const EXTRA_VERTICES = 1500;

let hugegraph: HugeGraphServer;
let s3: S3Server;
let s3Proxy: FaultProxy;
let graphProxy: FaultProxy;
let client: HugeGraphClient;
let original: GraphDump;
/** s3://bucket/base/hugegraph/<id>: a complete backup of the graph, made before any fault. */
let backup: string;
/** How many data files the backup has: the plan reads each once before the restore writes. */
let dataFiles: number;
let folder: string;

/** The two figures this file exists for; printed at the end. */
const tally = { runs: 0, elementsLost: 0, modeLeftNonNone: 0 };

beforeAll(async () => {
  [hugegraph, s3] = await Promise.all([startHugeGraph(), startS3Server()]);
  Object.assign(process.env, s3.env);
  client = await HugeGraphClient.connect({ url: hugegraph.url, graph: GRAPH });
  await createFixtureSchema(client);
  await loadFixtureData(client, { extraVertices: EXTRA_VERTICES });
  original = await dump(client);
  const runtime = localRuntime();
  const summary = await runBackupLocally(runtime, { server: { url: hugegraph.url, graph: GRAPH }, location: `s3://${s3.bucket}/base`, pageSize: 400, elementsPerFile: 300 }).finally(() =>
    runtime.close(),
  );
  backup = summary.location;
  dataFiles = 0;
  for await (const object of openStorage(backup).list('')) if (isDataFile(`/${object.key}`)) dataFiles++;
  [s3Proxy, graphProxy] = await Promise.all([startFaultProxy(s3.endpoint), startFaultProxy(hugegraph.url)]);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-faults-'));
});

afterAll(async () => {
  console.log(`fault runs: ${tally.runs}, elements lost: ${tally.elementsLost}, graph left in a restore mode: ${tally.modeLeftNonNone}`);
  await Promise.all([s3Proxy?.close(), graphProxy?.close(), client?.close()]);
  await Promise.all([hugegraph?.stop(), s3?.stop()]);
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

beforeEach(async () => {
  s3Proxy.rule = () => undefined;
  graphProxy.rule = () => undefined;
  await client.setMode('NONE');
  await client.clear();
});

/** `hgbr …` with S3 reached through the fault proxy (or directly), as a user would run it. */
function hgbr(args: string[], options: { direct?: boolean; env?: Record<string, string> } = {}) {
  return runHgbr([...args, '--json'], { ...s3.env, AWS_ENDPOINT_URL_S3: options.direct ? s3.endpoint : s3Proxy.endpoint, ...options.env });
}

function restoreArgs(from: string, restoreId: string, server = hugegraph.url): string[] {
  return ['restore', '--from', from, '--server', server, '--graph', GRAPH, '--restore-id', restoreId];
}

function errorOf(result: CliResult): { code: string; message: string; hint?: string } {
  return JSON.parse(result.stdout).error;
}

/** Counts the run: a mode other than NONE left behind is counted, then put back for the next test. */
async function modeAfterRun(): Promise<string> {
  tally.runs++;
  const mode = await client.getMode();
  if (mode !== 'NONE') tally.modeLeftNonNone++;
  return mode;
}

/** Elements of the original graph the target does not hold (counted), and the whole graph compared. */
async function expectGraphRestored(): Promise<void> {
  const restored = await dump(client);
  for (const kind of ['vertices', 'edges'] as const) {
    for (const [label, elements] of Object.entries(original[kind])) {
      const held = new Set(restored[kind][label] ?? []);
      tally.elementsLost += elements.filter((e) => !held.has(e)).length;
    }
  }
  expect(restored.vertices).toEqual(original.vertices);
  expect(restored.edges).toEqual(original.edges);
}

/** A promise that resolves when `release` is called: what a held request waits for. */
function opened(): { gate: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { gate, release };
}

/** A backup's data file (not the done record `…/done/vertices-….zip.json` of a restore). */
const isDataFile = (key: string) => /\/(vertices|edges)-\d+-\d+(\.zip)?$/.test(key);

describe('a lost answer is not a failure', () => {
  it('a backup whose PUTs (lock, files, records, manifest) were stored but answered 500 is complete and exits 0', async () => {
    expect((await hgbr(restoreArgs(backup, 'before-lost-answers'), { direct: true })).code).toBe(0);
    const answered = new Set<string>();
    s3Proxy.rule = (request) => {
      const key = s3Key(request, s3.bucket);
      if (request.method !== 'PUT' || request.url.includes('uploadId=') || answered.has(key)) return undefined;
      answered.add(key);
      return { kind: 'lose-answer' };
    };
    const result = await hgbr(['backup', '--server', hugegraph.url, '--graph', GRAPH, '--to', `s3://${s3.bucket}/lost`]);
    const lostKeys = s3Proxy.served.filter((s) => s.fault.kind === 'lose-answer').map((s) => s3Key(s.request, s3.bucket));
    expect(lostKeys.some((k) => k.endsWith('/manifest.json'))).toBe(true);
    expect(lostKeys.some((k) => k.endsWith('/.hgbr-backup.lock'))).toBe(true);
    expect(lostKeys.some(isDataFile)).toBe(true);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const verify = await hgbr(['verify', '--from', summary.location], { direct: true });
    expect(verify.code).toBe(0);
    expect(await openStorage(`s3://${s3.bucket}/lost`).head(backupLockKey({ graph: GRAPH }))).toBeUndefined();

    // What it wrote restores to the very graph.
    await client.clear();
    expect((await hgbr(restoreArgs(summary.location, 'after-lost-answers'), { direct: true })).code).toBe(0);
    expect(await modeAfterRun()).toBe('NONE');
    await expectGraphRestored();
  });

  it('a finalize retried after its first attempt committed (answer lost, Lambda timed out) returns that backup', async () => {
    expect((await hgbr(restoreArgs(backup, 'for-finalize'), { direct: true })).code).toBe(0);
    const runtime = localRuntime();
    try {
      const steps = bindSteps(BACKUP_STEPS, runtime);
      const plan = await steps.plan({ request: { server: { url: hugegraph.url, graph: GRAPH }, location: path.join(folder, 'finalize') }, executionId: 'finalize-retry' });
      for (const work of JSON.parse(fs.readFileSync(path.join(plan.items.bucket, plan.items.key), 'utf8')) as ExportWork[]) {
        let cursor: ExportCursor = { page: '', lastId: '', fileSeq: 1, elements: 0, done: false };
        while (!cursor.done) cursor = await steps.exportChunk({ job: plan.job, work, cursor });
      }
      const first = await steps.finalize({ job: plan.job });
      const retried = await steps.finalize({ job: plan.job });
      expect(retried).toEqual(first);
      await steps.retention({ job: plan.job, summary: retried });
      expect((await hgbr(['verify', '--from', first.location])).code).toBe(0);
      expect(Object.values(first.vertices).reduce((a, b) => a + b, 0)).toBe(Object.values(original.vertices).flat().length);
    } finally {
      await runtime.close();
    }
  });
});

describe('the mode and the lock after S3 trouble', () => {
  it('a burst of 503 SlowDown during a restore: the reset puts the mode back, says so, and releases the lock', async () => {
    // The lock in S3 too, and every other request for it refused: the reset must get through.
    const locks = `s3://${s3.bucket}/locks`;
    let lockRequests = 0;
    let dataReads = 0;
    s3Proxy.rule = (request) => {
      const key = s3Key(request, s3.bucket);
      if (key.startsWith('locks/_restores/') && lockRequests++ % 2 === 0) return { kind: 'status', status: 503, code: 'SlowDown' };
      // The plan's read of every file passes; the burst begins with the restore's own reads.
      if (request.method === 'GET' && isDataFile(key) && ++dataReads > dataFiles) return { kind: 'status', status: 503, code: 'SlowDown' };
      return undefined;
    };
    const result = await hgbr(restoreArgs(backup, 'burst'), { env: { HGBR_LOCKS: locks, AWS_MAX_ATTEMPTS: '3' } });
    expect(result.code).toBe(EXIT_UNREACHABLE);
    const error = errorOf(result);
    expect(`${error.code}: ${error.message}`).toMatch(/^StorageUnavailableError: /);
    expect(error.message).toMatch(/SlowDown \(HTTP 503\) after 3 attempts/);
    expect(error.message).toContain(`s3://${s3.bucket}/base/${GRAPH}/`);
    expect(error.message).toContain(`the mode of graph ${GRAPH} was put back to NONE and its lock released`);
    expect(error.hint).toMatch(/kept failing or throttling/);
    expect(result.stderr).toContain('HGBR_RESTORE_W2008');
    expect(await modeAfterRun()).toBe('NONE');
    expect(await openStorage(locks).head(restoreLockKey({ url: hugegraph.url, graph: GRAPH }))).toBeUndefined();
    expect(s3Proxy.served.some((s) => s3Key(s.request, s3.bucket).startsWith('locks/'))).toBe(true);

    // Once S3 answers again, the same restore id completes.
    s3Proxy.rule = () => undefined;
    expect((await hgbr(restoreArgs(backup, 'burst'), { env: { HGBR_LOCKS: locks } })).code).toBe(0);
    expect(await modeAfterRun()).toBe('NONE');
    await expectGraphRestored();
  });

  it('a reset that cannot reach the server says exactly how to finish, and that command does', async () => {
    // One file refused by S3 (not worth a retry) fails the restore; the server goes away with it.
    let dataReads = 0;
    s3Proxy.rule = (request) => {
      if (request.method !== 'GET' || !isDataFile(s3Key(request, s3.bucket)) || ++dataReads !== dataFiles + 1) return undefined;
      graphProxy.goDown();
      return { kind: 'status', status: 403, code: 'AccessDenied' };
    };
    const result = await hgbr(restoreArgs(backup, 'server-gone', graphProxy.endpoint));
    graphProxy.comeBack();
    expect(result.code).toBe(EXIT_UNREACHABLE);
    const error = errorOf(result);
    expect(error.code).toBe('RestoreResetFailedError');
    expect(error.message).toContain('StorageAccessDeniedError');
    const finish = /`(hgbr mode set [^`]+)`/.exec(error.message)?.[1];
    expect(finish).toBe(`hgbr mode set --server ${graphProxy.endpoint} --graph ${GRAPH} --mode NONE`);
    expect(await client.getMode()).toBe('RESTORING'); // what the message says is left

    // The message's command, as a person would paste it, ends it.
    expect((await runHgbr((finish as string).split(' ').slice(1))).code).toBe(0);
    expect(await modeAfterRun()).toBe('NONE');
    expect((await hgbr(restoreArgs(backup, 'server-gone'), { direct: true })).code).toBe(0);
    expect(await modeAfterRun()).toBe('NONE');
    await expectGraphRestored();
  });

  it('S3 reads that fail (every third GET 503) or are cut midway are retried; the restore completes', async () => {
    let gets = 0;
    let cuts = 0;
    s3Proxy.rule = (request) => {
      if (request.method !== 'GET') return undefined;
      if (++gets % 3 === 0) return { kind: 'status', status: 503, code: 'SlowDown' };
      if (isDataFile(s3Key(request, s3.bucket)) && !request.headers.range && cuts < 2) {
        cuts++;
        return { kind: 'cut', afterBytes: 200 };
      }
      return undefined;
    };
    const result = await hgbr(restoreArgs(backup, 'flaky-reads'));
    // A cut the SDK sees before it hands the body over, it retries itself; one after, the storage
    // resumes with a ranged GET (test/unit/storage/s3.test.ts); either way nothing fails.
    expect(s3Proxy.served.filter((s) => s.fault.kind === 'cut')).toHaveLength(2);
    expect(result.code).toBe(0);
    expect(await modeAfterRun()).toBe('NONE');
    await expectGraphRestored();
  });
});

describe('one restore per target graph', () => {
  it('whatever the source root: a second restore from a copy elsewhere is refused without touching the first', async () => {
    // The same backup under a second root.
    const source = openStorage(backup);
    const copy = backup.replace(`s3://${s3.bucket}/base/`, `s3://${s3.bucket}/copy/`);
    const target = openStorage(copy);
    for await (const object of source.list('')) await target.put(object.key, await source.get(object.key));

    // The first restore, held on its data files while the second one starts.
    const { gate, release } = opened();
    let dataReads = 0;
    s3Proxy.rule = (request) => (request.method === 'GET' && isDataFile(s3Key(request, s3.bucket)) && ++dataReads > dataFiles ? { kind: 'hold', until: gate } : undefined);
    const first = hgbr(restoreArgs(backup, 'first'));
    await waitFor(async () => s3Proxy.served.length > 0 && (await client.getMode()) === 'RESTORING', 120_000);

    const second = await hgbr(restoreArgs(copy, 'second'), { direct: true });
    expect(second.code).toBe(EXIT_LOCKED);
    expect(errorOf(second).code).toBe('LockHeldError');
    expect(errorOf(second).message).toContain('run first');
    expect(await client.getMode()).toBe('RESTORING'); // the first restore's, untouched
    tally.runs++;

    release();
    expect((await first).code).toBe(0);
    expect(await modeAfterRun()).toBe('NONE');
    await expectGraphRestored();
  });
});

describe('a damaged backup: decided before writing', () => {
  /** A local copy of the backup; `damage` may rewrite one of its data files (the manifest updated to match). */
  async function copyOfBackup(name: string): Promise<string> {
    const dir = path.join(folder, name, GRAPH, path.basename(backup.replace(/\/+$/, '')));
    const source = openStorage(backup);
    const copy = openStorage(dir);
    for await (const object of source.list('')) await copy.put(object.key, await source.get(object.key));
    return dir;
  }

  /** Replaces a data file by one zipped line of valid JSON of the wrong shape, with a manifest that vouches for it. */
  async function reshape(dir: string, label: string): Promise<string> {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const victim = manifest.files.filter((f: { label?: string }) => f.label === label).at(-1);
    const line = Buffer.from(`{"vertices": {"id": 1, "label": "${label}"}}\n`);
    const zipped: Uint8Array[] = [];
    for await (const chunk of zipEntryStream(
      victim.name.replace(/\.zip$/, ''),
      (async function* () {
        yield line;
      })(),
    ))
      zipped.push(chunk);
    const bytes = Buffer.concat(zipped);
    fs.writeFileSync(path.join(dir, victim.name), bytes);
    manifest.totals.bytes += bytes.length - victim.bytes;
    Object.assign(victim, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    return victim.name;
  }

  it('a data line of the wrong shape (checksums updated) is refused before any element of any file is written', async () => {
    const dir = await copyOfBackup('reshaped');
    // The label restored last (its files are the smallest): without the read first, the others went in before.
    const victim = await reshape(dir, 'v_cust_uuid');
    const result = await hgbr(restoreArgs(dir, 'reshaped'));
    expect(result.code).toBe(EXIT_BACKUP_DAMAGED);
    expect(errorOf(result).code).toBe('BackupDamagedError');
    expect(errorOf(result).message).toContain(victim);
    const schema = await client.getSchema();
    expect(schema.vertexlabels.elements).toEqual([]); // not even the schema
    expect(await modeAfterRun()).toBe('NONE');

    // Skipping the read: the same file is still refused, but only once its turn comes.
    const skipped = await hgbr([...restoreArgs(dir, 'reshaped-skip'), '--skip-preflight-read']);
    expect(skipped.code).toBe(EXIT_BACKUP_DAMAGED);
    expect(errorOf(skipped).code).toBe('BackupFormatError');
    expect(errorOf(skipped).message).toContain(victim);
    expect(await modeAfterRun()).toBe('NONE');
  });

  it('a file named like a data file that the manifest does not list is a warning in verify and restore, and is not restored', async () => {
    const dir = await copyOfBackup('unlisted');
    const first = fs.readdirSync(dir).find((n) => n.startsWith('vertices-')) as string;
    fs.copyFileSync(path.join(dir, first), path.join(dir, 'vertices-0099-00001.zip'));
    const verify = await hgbr(['verify', '--from', dir]);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout).unlisted).toEqual(['vertices-0099-00001.zip']);
    expect(verify.stderr).toContain('HGBR_CLI_W9007');
    const restore = await hgbr(restoreArgs(dir, 'unlisted'));
    expect(restore.code).toBe(0);
    expect(restore.stderr).toMatch(/HGBR_RESTORE_W2001.*vertices-0099-00001\.zip is named like a backup file but the manifest does not list it/);
    expect(await modeAfterRun()).toBe('NONE');
    await expectGraphRestored();
  });
});

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s in the middle of a backup removes the incomplete backup and the lock, and exits %i', async (signal, exitCode) => {
    // The graph must hold data to back up: restore it first (this file's beforeEach clears it).
    expect((await hgbr(restoreArgs(backup, `for-${signal}`), { direct: true })).code).toBe(0);
    const root = path.join(folder, signal);
    const { gate, release } = opened();
    let reads = 0;
    graphProxy.rule = (request) => (/\/traversers\/(vertices|edges)\/scan|\/graph\/(vertices|edges)\?/.test(request.url) && ++reads > 1 ? { kind: 'hold', until: gate } : undefined);
    const run = hgbr(['backup', '--server', graphProxy.endpoint, '--graph', GRAPH, '--to', root, '--page-size', '50', '--workers', '1']);
    await waitFor(() => graphProxy.served.some((s) => s.fault.kind === 'hold') && fs.existsSync(path.join(root, backupLockKey({ graph: GRAPH }))), 120_000);
    run.child.kill(signal);
    const result = await run;
    release();
    expect(result.code).toBe(exitCode);
    expect(errorOf(result).code).toBe('WorkflowAbortedError');
    expect(await listBackups(openStorage(root), { graph: GRAPH })).toEqual([]);
    expect(fs.existsSync(path.join(root, GRAPH)) ? fs.readdirSync(path.join(root, GRAPH)) : []).toEqual([]);
    tally.runs++;
  });
});
