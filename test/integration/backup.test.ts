/**
 * Backups through the synthesized backup state machine, run by the local runner, against a real
 * HugeGraph server and a real S3-compatible server (and a local folder).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listBackups, readManifest, verifyBackup } from '../../functions/backup/catalog';
import { backupLockKey, manifestKey } from '../../functions/backup/layout';
import type { BackupRequest, BackupSummary } from '../../functions/backup/types';
import { readFileLines } from '../../functions/format';
import { HugeGraphClient } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { localRuntime } from '../../cli/local-runtime';
import { runBackupLocally } from '../../cli/workflows';
import { createFixtureSchema, expectedCounts, loadFixtureData } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { startS3Server, type S3Server } from '../support/s3-server';
import { runHgbr, waitFor } from '../support/cli';
import { EXIT_BACKUP_DAMAGED, EXIT_LOCKED, EXIT_UNREACHABLE, EXIT_USAGE } from '../../cli/command';
import { startFaultProxy } from '../support/fault-proxy';
import { flipByte } from '../support/damage';

const EXTRA_VERTICES = 3000;

let hugegraph: HugeGraphServer;
let s3: S3Server;
let client: HugeGraphClient;
let folder: string;

beforeAll(async () => {
  [hugegraph, s3] = await Promise.all([startHugeGraph(), startS3Server()]);
  Object.assign(process.env, s3.env);
  client = await HugeGraphClient.connect({ url: hugegraph.url, graph: 'hugegraph' });
  await createFixtureSchema(client);
  await loadFixtureData(client, { extraVertices: EXTRA_VERTICES });
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-backup-'));
});

afterAll(async () => {
  await client?.close();
  await Promise.all([hugegraph?.stop(), s3?.stop()]);
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

function request(location: string, extra: Partial<BackupRequest> = {}): BackupRequest {
  return { server: { url: hugegraph.url, graph: 'hugegraph' }, location, ...extra };
}

async function backup(location: string, extra: Partial<BackupRequest> = {}): Promise<BackupSummary> {
  const runtime = localRuntime();
  try {
    return await runBackupLocally(runtime, request(location, extra));
  } finally {
    await runtime.close();
  }
}

/** What the server holds, counted by paging every label. */
async function serverCounts(): Promise<{ vertices: Record<string, number>; edges: Record<string, number> }> {
  const schema = await client.getSchema();
  const vertices: Record<string, number> = {};
  const edges: Record<string, number> = {};
  for (const l of schema.vertexlabels.elements) vertices[l.name] = await client.count('vertex', l.name);
  for (const l of schema.edgelabels.elements) edges[l.name] = await client.count('edge', l.name);
  return { vertices, edges };
}

describe.each([
  ['a local folder', 'scan', () => path.join(folder, 'root')],
  ['S3', 'scan', () => `s3://${s3.bucket}/backups`],
  ['a local folder', 'label', () => path.join(folder, 'root-by-label')],
] as const)('a backup to %s, read by %s', (_name, readPath, location) => {
  let summary: BackupSummary;

  beforeAll(async () => {
    summary = await backup(location(), { pageSize: 500, elementsPerFile: 1000, readPath });
  });

  it('records per label exactly what the server holds', async () => {
    const counts = await serverCounts();
    expect(counts).toEqual(expectedCounts({ extraVertices: EXTRA_VERTICES }));
    const manifest = await readManifest(openStorage(location()), { graph: 'hugegraph' }, summary.backupId);
    expect(manifest.labels).toEqual({ vertex: counts.vertices, edge: counts.edges });
    expect(summary.vertices).toEqual(counts.vertices);
    expect(summary.edges).toEqual(counts.edges);
  });

  it('splits a large label into several files of bounded size', async () => {
    const manifest = await readManifest(openStorage(location()), { graph: 'hugegraph' }, summary.backupId);
    const autoFiles = manifest.files.filter((f) => f.label === 'v_auto');
    // By label: one file per 1000 elements; by key range, also one per range the label spans.
    expect(autoFiles.length).toBeGreaterThanOrEqual(Math.ceil((EXTRA_VERTICES + 3) / 1000));
    expect(Math.max(...autoFiles.map((f) => f.elements))).toBeLessThanOrEqual(1000);
    expect(manifest.files.filter((f) => !f.label).map((f) => f.name)).toEqual(['propertykeys.zip', 'vertexlabels.zip', 'edgelabels.zip', 'indexlabels.zip']);
  });

  it('verifies: every file matches its SHA-256, size and element count', async () => {
    const report = await verifyBackup(openStorage(location()), { graph: 'hugegraph' }, summary.backupId);
    expect(report.problems).toEqual([]);
    const total = Object.values(summary.vertices).reduce((a, b) => a + b, 0) + Object.values(summary.edges).reduce((a, b) => a + b, 0);
    const schemaElements = await client.getSchema();
    const schemaCount =
      schemaElements.propertykeys.elements.length + schemaElements.vertexlabels.elements.length + schemaElements.edgelabels.elements.length + schemaElements.indexlabels.elements.length;
    expect(report.elementsChecked).toBe(total + schemaCount);
  });

  it('names range indexes RANGE, as hugegraph-tools can read them', async () => {
    const storage = openStorage(location());
    const lines = readFileLines('indexlabels.zip', await storage.openRead(`hugegraph/${summary.backupId}/indexlabels.zip`));
    const types: string[] = [];
    for await (const line of lines) for (const raw of line.rawElements) types.push(JSON.parse(raw).index_type);
    expect(types).toContain('RANGE');
    expect(types.every((t) => ['SECONDARY', 'RANGE', 'SEARCH', 'SHARD', 'UNIQUE'].includes(t))).toBe(true);
  });

  it('leaves no lock and no work files behind', async () => {
    const storage = openStorage(location());
    expect(await storage.head(backupLockKey({ graph: 'hugegraph' }))).toBeUndefined();
    const keys: string[] = [];
    for await (const o of storage.list(`hugegraph/${summary.backupId}/`)) keys.push(o.key);
    expect(keys.some((k) => k.includes('/_hgbr/'))).toBe(false);
  });
});

describe('hgbr verify', () => {
  it('catches one flipped byte and a missing file, and exits 4 (damaged)', async () => {
    const root = path.join(folder, 'verify');
    const summary = await backup(root);
    const dir = path.join(root, 'hugegraph', summary.backupId);
    const ok = await runHgbr(['verify', '--from', dir, '--json']);
    expect(ok.code).toBe(0);

    const vertexFile = (await readManifest(openStorage(root), { graph: 'hugegraph' }, summary.backupId)).files.find((f) => f.type === 'vertices')?.name as string;
    flipByte(path.join(dir, vertexFile));
    fs.rmSync(path.join(dir, 'edgelabels.zip'));

    const damaged = await runHgbr(['verify', '--from', dir, '--json']);
    expect(damaged.code).toBe(EXIT_BACKUP_DAMAGED);
    const report = JSON.parse(damaged.stdout);
    expect(report.exitCode).toBe(EXIT_BACKUP_DAMAGED);
    expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: vertexFile, problem: 'checksum' }), { file: 'edgelabels.zip', problem: 'missing' }]));
    expect(report.problems).toHaveLength(2);
  });
});

describe('interrupted and concurrent backups', () => {
  it('a backup killed midway leaves no manifest, and the next run succeeds', async () => {
    const root = path.join(folder, 'killed');
    const storage = openStorage(root);
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/hgbr.js'), 'backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', root, '--page-size', '2'], {
      stdio: 'ignore',
    });
    const lock = backupLockKey({ graph: 'hugegraph' });
    // Lock held and the backup's folder listed (counting folder entries raced with the lock's temporary file).
    await waitFor(async () => (await storage.head(lock)) !== undefined && (await listBackups(storage, { graph: 'hugegraph' }).catch(() => [])).length === 1, 120_000);
    const [killed] = await listBackups(storage, { graph: 'hugegraph' });
    if (!killed) throw new Error('the running backup is not listed');
    const killedId = killed.backupId;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    expect(await storage.head(manifestKey({ graph: 'hugegraph' }, killedId))).toBeUndefined();
    expect((await listBackups(storage, { graph: 'hugegraph' })).map((b) => b.state)).toEqual(['incomplete']);

    const next = await backup(root);
    const listed = await listBackups(storage, { graph: 'hugegraph' });
    // The dead run's lock was taken over and its files removed by the next run's clean-up.
    expect(listed.map((b) => [b.backupId, b.state])).toEqual([[next.backupId, 'complete']]);
  });

  it('a second backup of the same graph is refused while one runs', async () => {
    const root = path.join(folder, 'concurrent');
    const storage = openStorage(root);
    // The first run pauses on its first page, holding the lock, until the second has been refused.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const base = localRuntime();
    const paused: typeof base = {
      ...base,
      async connect(server) {
        const real = await base.connect(server);
        return Object.assign(Object.create(real), {
          scanRawPage: async (...args: Parameters<HugeGraphClient['scanRawPage']>) => {
            await gate;
            return real.scanRawPage(...args);
          },
        });
      },
    };
    const first = runBackupLocally(paused, request(root));
    await waitFor(async () => (await storage.head(backupLockKey({ graph: 'hugegraph' }))) !== undefined, 60_000);

    const second = await runHgbr(['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', root, '--json']);
    release();
    expect(second.code).toBe(EXIT_LOCKED);
    expect(JSON.parse(second.stdout).error.message).toMatch(/another backup holds .*hgbr-backup\.lock/);

    const done = await first.finally(() => base.close());
    expect((await listBackups(storage, { graph: 'hugegraph' })).map((b) => [b.backupId, b.state])).toEqual([[done.backupId, 'complete']]);
  });
});

describe('retention', () => {
  it('keeps exactly the N most recent complete backups', async () => {
    const root = `s3://${s3.bucket}/retention`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await backup(root, { keep: 2, labels: ['v_pk_str'] })).backupId);
    const listed = await listBackups(openStorage(root), { graph: 'hugegraph' });
    expect(listed.map((b) => b.backupId)).toEqual(ids.slice(2));
    expect(listed.every((b) => b.state === 'complete')).toBe(true);
  });
});

describe('a server that is not up yet', () => {
  it('--wait-for-server: a backup started while the server is away waits, then completes once it answers; without it, it fails at once with nothing written', async () => {
    const proxy = await startFaultProxy(hugegraph.url);
    proxy.goDown();
    const root = path.join(folder, 'server-late');
    const args = ['backup', '--server', proxy.endpoint, '--graph', 'hugegraph', '--to', root, '--json'];
    try {
      const refused = await runHgbr(args);
      expect(refused.code).toBe(EXIT_UNREACHABLE);
      expect(JSON.parse(refused.stdout).error.code).toBe('ServerUnreachableError');
      expect(refused.stderr).not.toContain('trying again');
      expect(fs.existsSync(root)).toBe(false);

      const run = runHgbr([...args, '--wait-for-server', '3x1']);
      let stderr = '';
      run.child.stderr?.on('data', (chunk) => {
        stderr += chunk;
        // The server comes back during the first wait.
        if (stderr.includes('trying again in 1 s (wait 1 of 3)')) proxy.comeBack();
      });
      const result = await run;
      expect(result.code).toBe(0);
      expect(result.stderr.match(/HGBR_BACKUP_W1006/g)).toHaveLength(1);
      expect(result.stderr).toContain(`cannot reach the HugeGraph server at ${proxy.endpoint}`);
      const summary = JSON.parse(result.stdout) as BackupSummary;
      expect({ vertices: summary.vertices, edges: summary.edges }).toEqual(await serverCounts());
      expect((await listBackups(openStorage(root), { graph: 'hugegraph' })).map((b) => b.state)).toEqual(['complete']);
      expect((await verifyBackup(openStorage(root), { graph: 'hugegraph' }, summary.backupId)).problems).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('graph modes and refusals', () => {
  it.each(['RESTORING', 'MERGING'] as const)('backs up a graph in %s mode and leaves the mode as it was', async (mode) => {
    await client.setMode(mode);
    try {
      const summary = await backup(path.join(folder, `mode-${mode}`), { labels: ['v_cust_num', 'e_knows'] });
      const manifest = await readManifest(openStorage(path.join(folder, `mode-${mode}`)), { graph: 'hugegraph' }, summary.backupId);
      expect(manifest.modes.graphMode).toBe(mode);
      expect(summary.vertices).toEqual({ v_cust_num: 3 });
      expect(await client.getMode()).toBe(mode);
    } finally {
      await client.setMode('NONE');
    }
  });

  it('deflates the data files at the level asked for, and refuses a level outside 0 to 9', async () => {
    const root = path.join(folder, 'levels');
    const sizes: Record<string, number> = {};
    for (const level of [0, 9]) {
      const done = await backup(root, { labels: ['v_auto'], compressionLevel: level });
      const manifest = await readManifest(openStorage(root), { graph: 'hugegraph' }, done.backupId);
      sizes[level] = manifest.files.filter((f) => f.label === 'v_auto').reduce((n, f) => n + f.bytes, 0);
      expect((await verifyBackup(openStorage(root), { graph: 'hugegraph' }, done.backupId)).problems).toEqual([]);
    }
    expect(sizes[0]).toBeGreaterThan(2 * (sizes[9] as number));

    const result = await runHgbr(['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', path.join(folder, 'bad-level'), '--compression-level', '10', '--json']);
    expect(result.code).toBe(EXIT_USAGE);
    expect(JSON.parse(result.stdout).error.message).toContain('compressionLevel must be a whole number from 0 to 9');
  });

  it('refuses unknown labels by name, with a non-zero exit and nothing written', async () => {
    const root = path.join(folder, 'unknown-label');
    const result = await runHgbr(['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', root, '--labels', 'nope,v_auto', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.message).toContain('nope');
    expect(await listBackups(openStorage(root), { graph: 'hugegraph' })).toEqual([]);
  });
});
