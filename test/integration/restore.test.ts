/**
 * Restores and migrations through the synthesized restore state machine (the local runner with
 * its Distributed Map adapter), against real HugeGraph servers and a local folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifest } from '../../functions/backup/catalog';
import type { BackupSummary } from '../../functions/backup/types';
import { HugeGraphClient } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { localRuntime } from '../../cli/local-runtime';
import { WorkflowAbortedError } from '../../cli/errors';
import { runBackupLocally, runRestoreLocally } from '../../cli/workflows';
import { countOf, createFixtureSchema, expectedCounts, fixtureSchema, loadFixtureData } from '../support/graph-fixtures';
import { flipByte } from '../support/damage';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { runHgbr, waitFor } from '../support/cli';
import { EXIT_BACKUP_DAMAGED, EXIT_TARGET_CONFLICT } from '../../cli/command';
import { dump, type GraphDump } from '../support/graph-dump';

const EXTRA_VERTICES = 2000;

let source: HugeGraphServer;
let target: HugeGraphServer;
let sourceClient: HugeGraphClient;
let targetClient: HugeGraphClient;
let folder: string;
let backup: BackupSummary;
let backupDir: string;
let original: GraphDump;

beforeAll(async () => {
  [source, target] = await Promise.all([startHugeGraph(), startHugeGraph()]);
  sourceClient = await HugeGraphClient.connect({ url: source.url, graph: 'hugegraph' });
  targetClient = await HugeGraphClient.connect({ url: target.url, graph: 'hugegraph' });
  await createFixtureSchema(sourceClient);
  await loadFixtureData(sourceClient, { extraVertices: EXTRA_VERTICES });
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-restore-'));
  const runtime = localRuntime();
  backup = await runBackupLocally(runtime, { server: { url: source.url, graph: 'hugegraph' }, location: folder, pageSize: 400, elementsPerFile: 500 }).finally(() => runtime.close());
  backupDir = path.join(folder, 'hugegraph', backup.backupId);
  original = await dump(sourceClient);
});

afterAll(async () => {
  await Promise.all([sourceClient?.close(), targetClient?.close()]);
  await Promise.all([source?.stop(), target?.stop()]);
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const counts = (d: Record<string, string[]>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v.length]));

async function restoreIntoTarget(mode: 'RESTORING' | 'MERGING', extra: { restoreId?: string; signal?: AbortSignal } = {}) {
  const runtime = localRuntime();
  try {
    return await runRestoreLocally(runtime, { source: backupDir, target: { url: target.url, graph: 'hugegraph' }, mode, restoreId: extra.restoreId }, extra.signal);
  } finally {
    await runtime.close();
  }
}

beforeEach(async () => {
  await targetClient.setMode('NONE');
  await targetClient.clear();
});

describe('RESTORING into an empty graph', () => {
  it('gives back an identical graph: every element with its id, label and properties, the schema with its ids', async () => {
    const summary = await restoreIntoTarget('RESTORING');
    expect(summary.modeRestoredTo).toBe('NONE');
    const restored = await dump(targetClient);
    expect(restored.schemaIds).toEqual(original.schemaIds);
    expect(counts(restored.vertices)).toEqual(expectedCounts({ extraVertices: EXTRA_VERTICES }).vertices);
    expect(restored.vertices).toEqual(original.vertices);
    expect(restored.edges).toEqual(original.edges);
    expect(await targetClient.getMode()).toBe('NONE');
  });

  it('refuses a graph that is not empty, before writing anything', async () => {
    await createFixtureSchema(targetClient);
    const result = await runHgbr(['restore', '--from', backupDir, '--server', target.url, '--graph', 'hugegraph', '--json']);
    expect(result.code).toBe(EXIT_TARGET_CONFLICT);
    expect(JSON.parse(result.stdout).error.code).toBe('TargetNotEmptyError');
    expect(counts((await dump(targetClient)).vertices)).toEqual(Object.fromEntries(fixtureSchema().vertexlabels.map((l) => [l.name, 0])));
    expect(await targetClient.getMode()).toBe('NONE');
  });
});

describe('MERGING into a graph with data of its own', () => {
  it('restores every element next to the existing ones, with PK ids and edge endpoints for the target', async () => {
    // Part of the same schema, created in another order so that the label ids differ.
    const schema = fixtureSchema();
    const reversed = { ...schema, vertexlabels: [...schema.vertexlabels].reverse(), edgelabels: [], indexlabels: [] };
    await targetClient.createSchema(reversed);
    const own = [`{"label":"v_pk_str","properties":{"name":"only-in-target","p_int":1}}`];
    await targetClient.createVertices(own);
    const sourceLabelId = (await sourceClient.getVertexLabel('v_pk_str')).id;
    const targetLabelId = (await targetClient.getVertexLabel('v_pk_str')).id;
    expect(targetLabelId).not.toBe(sourceLabelId);

    const result = await runHgbr(['restore', '--from', backupDir, '--server', target.url, '--graph', 'hugegraph', '--mode', 'merging', '--json']);
    expect(result.code).toBe(0);

    const merged = await dump(targetClient);
    const expected = expectedCounts({ extraVertices: EXTRA_VERTICES });
    expect(counts(merged.vertices)).toEqual({ ...expected.vertices, v_pk_str: countOf(expected.vertices, 'v_pk_str') + 1 });
    expect(counts(merged.edges)).toEqual(expected.edges);
    const pkStr = merged.vertices['v_pk_str'] ?? [];
    expect(pkStr.some((v) => v.includes('only-in-target'))).toBe(true);
    // Primary-key ids carry the target's label id, and edges point at them.
    for (const v of pkStr) expect(v).toContain(`"id":"${targetLabelId}:`);
    const pkEndpoints = Object.values(merged.edges)
      .flat()
      .filter((e) => e.includes('"outVLabel":"v_pk_str"'));
    expect(pkEndpoints.length).toBeGreaterThan(0);
    for (const e of pkEndpoints) expect(e).toContain(`"outV":"${targetLabelId}:`);
    // AUTOMATIC and customized ids are kept exactly.
    expect(merged.vertices.v_auto).toEqual(original.vertices.v_auto);
    expect(merged.vertices.v_cust_num).toEqual(original.vertices.v_cust_num);
    expect(await targetClient.getMode()).toBe('NONE');
  });

  it('stops on a conflicting schema before any write and names each conflict', async () => {
    await targetClient.createSchema({
      propertykeys: [
        { name: 'p_int', data_type: 'TEXT' },
        { name: 'p_long', data_type: 'INT' },
      ],
    });
    const dryRun = await runHgbr(['restore', '--from', backupDir, '--server', target.url, '--graph', 'hugegraph', '--mode', 'merging', '--dry-run', '--json']);
    const result = await runHgbr(['restore', '--from', backupDir, '--server', target.url, '--graph', 'hugegraph', '--mode', 'merging', '--json']);
    for (const run of [dryRun, result]) {
      expect(run.code).toBe(EXIT_TARGET_CONFLICT);
      const error = JSON.parse(run.stdout).error;
      expect(error.code).toBe('SchemaConflictError');
      expect(error.message).toContain('p_int');
      expect(error.message).toContain('p_long');
    }
    const schema = await targetClient.getSchema();
    expect(schema.propertykeys.elements.map((p) => p.name).sort()).toEqual(['p_int', 'p_long']);
    expect(schema.vertexlabels.elements).toEqual([]);
    expect(await targetClient.getMode()).toBe('NONE');
  });
});

describe('failures', () => {
  it('refuses a corrupted file before writing any element of any file, and leaves the mode alone', async () => {
    const damaged = fs.mkdtempSync(path.join(folder, 'damaged-'));
    fs.cpSync(backupDir, path.join(damaged, 'hugegraph', backup.backupId), { recursive: true });
    const dir = path.join(damaged, 'hugegraph', backup.backupId);
    const manifest = await readManifest(openStorage(damaged), { graph: 'hugegraph' }, backup.backupId);
    const victim = manifest.files.find((f) => f.label === 'v_cust_str')!;
    flipByte(path.join(dir, victim.name), 0x20);

    const result = await runHgbr(['restore', '--from', dir, '--server', target.url, '--graph', 'hugegraph', '--json']);
    expect(result.code).toBe(EXIT_BACKUP_DAMAGED);
    const error = JSON.parse(result.stdout).error;
    expect(error.code).toBe('BackupDamagedError');
    expect(error.message).toContain(`${victim.name}: SHA-256`);
    expect((await targetClient.getSchema()).vertexlabels.elements).toEqual([]);
    expect(await targetClient.getMode()).toBe('NONE');
  });

  it('an aborted execution of the local runner still puts the mode back', async () => {
    const controller = new AbortController();
    const running = restoreIntoTarget('RESTORING', { signal: controller.signal });
    const restoring = async () => (await targetClient.getMode()) === 'RESTORING' && (await targetClient.count('vertex', 'v_auto')) > 0;
    await waitFor(() => restoring().catch(() => false), 120_000, 20);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(WorkflowAbortedError);
    expect(await targetClient.getMode()).toBe('NONE');
  });

  it('server and restore stopped in the middle: once back, the mode is NONE and a re-run completes, nothing missing, nothing twice', async () => {
    // Both die at once (a host failure): no clean-up runs, the lock stays with a dead process.
    const restoreId = 'server-stopped';
    const run = runHgbr(['restore', '--from', backupDir, '--server', target.url, '--graph', 'hugegraph', '--restore-id', restoreId, '--concurrency', '1', '--json']);
    const done = path.join(folder, '_restores', restoreId, 'done');
    await waitFor(() => fs.existsSync(done) && fs.readdirSync(done).length > 0, 120_000, 20);
    run.child.kill('SIGKILL');
    const serverPid = Number(fs.readFileSync(path.join(target.home, 'hugegraph.pid'), 'utf8'));
    process.kill(serverPid, 'SIGKILL');
    await run;
    await waitFor(() => !isAlive(serverPid), 30_000);
    expect(fs.readdirSync(done).length).toBeLessThan(fs.readdirSync(backupDir).filter((f) => /^(vertices|edges)/.test(f)).length);

    await target.restart();
    await targetClient.close();
    targetClient = await HugeGraphClient.connect({ url: target.url, graph: 'hugegraph' });
    expect(await targetClient.getMode()).toBe('NONE');

    const rerun = await runHgbr(['restore', '--from', backupDir, '--server', target.url, '--graph', 'hugegraph', '--restore-id', restoreId, '--json']);
    expect(rerun.code).toBe(0);
    const restored = await dump(targetClient);
    expect(restored.vertices).toEqual(original.vertices);
    expect(restored.edges).toEqual(original.edges);
    expect(await targetClient.getMode()).toBe('NONE');
  });
});

describe('hgbr migrate', () => {
  it('moves the graph to another server unchanged and leaves no temporary backup', async () => {
    const result = await runHgbr(['migrate', '--server', source.url, '--graph', 'hugegraph', '--target-server', target.url, '--target-graph', 'hugegraph', '--verify-target', '--json']);
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout);
    expect(outcome.restore.countedOnTarget).toBe(true);
    expect(fs.existsSync(outcome.backup.location)).toBe(false);
    expect(outcome.backup.removed).toBe(true);
    const migrated = await dump(targetClient);
    expect(migrated.schemaIds).toEqual(original.schemaIds);
    expect(migrated.vertices).toEqual(original.vertices);
    expect(migrated.edges).toEqual(original.edges);
  });
});

describe('hgbr mode', () => {
  it('gets and sets the mode, and refuses an unknown one', async () => {
    const set = await runHgbr(['mode', 'set', '--server', target.url, '--graph', 'hugegraph', '--mode', 'merging', '--json']);
    expect(JSON.parse(set.stdout)).toMatchObject({ ok: true, before: 'NONE', mode: 'MERGING' });
    const get = await runHgbr(['mode', 'get', '--server', target.url, '--graph', 'hugegraph', '--json']);
    expect(JSON.parse(get.stdout).mode).toBe('MERGING');
    const bad = await runHgbr(['mode', 'set', '--server', target.url, '--graph', 'hugegraph', '--mode', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sideways');
  });
});
