/**
 * What a backup holds (`--types`, the manifest's `contents`) and what a restore may ask of it, on a
 * real HugeGraph server: one server, backed up once per kind set, cleared before each restore.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifest } from '../../functions/backup/catalog';
import { HugeGraphClient } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { createFixtureSchema, expectedCounts, fixtureSchema, loadFixtureData } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { runHgbr } from '../support/cli';
import { dump, type GraphDump } from '../support/graph-dump';

let server: HugeGraphServer;
let client: HugeGraphClient;
let folder: string;
let original: GraphDump;
/** Backup id per `--types` given. */
const backups: Record<string, string> = {};

async function hgbr(args: string[]): Promise<{ code: number | null; json: Record<string, any> }> {
  const result = await runHgbr([...args, '--json']);
  return { code: result.code, json: JSON.parse(result.stdout || result.stderr) as Record<string, any> };
}

beforeAll(async () => {
  server = await startHugeGraph();
  client = await HugeGraphClient.connect({ url: server.url, graph: 'hugegraph' });
  await createFixtureSchema(client);
  await loadFixtureData(client);
  original = await dump(client);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-kinds-'));
  for (const types of ['schema', 'vertex', 'all']) {
    const { code, json } = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', types]);
    expect(code).toBe(0);
    backups[types] = json.backupId as string;
  }
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

beforeEach(async () => {
  await client.setMode('NONE');
  await client.clear();
});

const from = (types: string) => path.join(folder, 'hugegraph', backups[types] as string);
const restore = (types: string, ...args: string[]) => hgbr(['restore', '--server', server.url, '--graph', 'hugegraph', '--from', from(types), ...args]);
const schemaNames = (d: GraphDump) => Object.keys(d.schemaIds).sort();
const sizes = (byLabel: Record<string, string[]>) => Object.fromEntries(Object.entries(byLabel).map(([label, elements]) => [label, elements.length]));
/** Every label of the original graph, with no element. */
const none = (byLabel: Record<string, string[]>) => Object.fromEntries(Object.keys(byLabel).map((label) => [label, 0]));

describe('a schema-only backup (--types schema)', () => {
  it('holds the four schema files only, and its manifest (version 2) says so', async () => {
    const manifest = await readManifest(openStorage(folder), 'hugegraph', backups.schema as string);
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.contents).toEqual(['schema']);
    expect(manifest.files.map((f) => f.type)).toEqual(['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels']);
    expect(manifest.labels).toEqual({ vertex: {}, edge: {} });
    const names = fs.readdirSync(from('schema')).sort();
    expect(names).toEqual(['edgelabels.zip', 'indexlabels.zip', 'manifest.json', 'propertykeys.zip', 'vertexlabels.zip']);
  });

  it('is shown as such by list and verify', async () => {
    const list = await hgbr(['list', '--from', folder, '--graph', 'hugegraph']);
    const listed = (list.json.backups as { backupId: string; contents: string[] }[]).find((b) => b.backupId === backups.schema);
    expect(listed?.contents).toEqual(['schema']);
    const verify = await hgbr(['verify', '--from', from('schema')]);
    expect(verify.code).toBe(0);
    expect(verify.json).toMatchObject({ ok: true, contents: ['schema'], filesChecked: 4 });
  });

  it('restores into the schema and no element', async () => {
    const { code, json } = await restore('schema');
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, contents: ['schema'], vertices: {}, edges: {} });
    const restored = await dump(client);
    expect(schemaNames(restored)).toEqual(schemaNames(original));
    expect(sizes(restored.vertices)).toEqual(none(original.vertices));
    expect(sizes(restored.edges)).toEqual(none(original.edges));
  });

  it('refuses a restore of edges, naming what the backup holds, and writes nothing', async () => {
    const { code, json } = await restore('schema', '--types', 'schema,edges');
    expect(code).not.toBe(0);
    expect(json.error).toMatchObject({ code: 'ContentNotInBackupError' });
    expect(json.error.message).toMatch(/holds schema only: it has no edges to restore/);
    expect(await client.getMode()).toBe('NONE');
    const target = await client.getSchema();
    expect(target.propertykeys.elements).toEqual([]);
  });

  it('refuses the refusal early in a dry run too', async () => {
    const { code, json } = await restore('schema', '--types', 'vertices', '--dry-run');
    expect(code).not.toBe(0);
    expect(json.error).toMatchObject({ code: 'ContentNotInBackupError' });
  });
});

describe('a vertices backup (--types vertex, as hugegraph-tools names it)', () => {
  it('holds the schema and every vertex, no edge file', async () => {
    const manifest = await readManifest(openStorage(folder), 'hugegraph', backups.vertex as string);
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.contents).toEqual(['schema', 'vertices']);
    expect(manifest.files.some((f) => f.type === 'edges')).toBe(false);
    expect(manifest.labels).toEqual({ vertex: expectedCounts().vertices, edge: {} });
  });

  it('restores the vertices, checked on the target', async () => {
    const { code, json } = await restore('vertex', '--verify-target');
    expect(code).toBe(0);
    expect(json).toMatchObject({ contents: ['schema', 'vertices'], vertices: expectedCounts().vertices, edges: {} });
    const restored = await dump(client);
    expect(restored.vertices).toEqual(original.vertices);
    expect(sizes(restored.edges)).toEqual(none(original.edges));
  });
});

describe('a full backup', () => {
  it('stays at format version 1, which older hgbr reads, and lists what it holds', async () => {
    const manifest = await readManifest(openStorage(folder), 'hugegraph', backups.all as string);
    expect(manifest.formatVersion).toBe(1);
    expect(manifest.contents).toEqual(['schema', 'vertices', 'edges']);
  });

  it('restores only what --types asks for: the schema and the vertices, no edge', async () => {
    const { code, json } = await restore('all', '--types', 'schema,vertices', '--verify-target');
    expect(code).toBe(0);
    expect(json).toMatchObject({ contents: ['schema', 'vertices'], vertices: expectedCounts().vertices, edges: {} });
    const restored = await dump(client);
    expect(restored.vertices).toEqual(original.vertices);
    expect(sizes(restored.edges)).toEqual(none(original.edges));
  });

  it('restores the schema alone from it', async () => {
    const { code, json } = await restore('all', '--types', 'schema');
    expect(code).toBe(0);
    expect(json).toMatchObject({ contents: ['schema'], vertices: {}, edges: {} });
    expect(schemaNames(await dump(client))).toEqual(schemaNames(original));
  });
});

describe('--types on the command line', () => {
  it('refuses a kind it does not know, and --labels naming a label of a kind left out', async () => {
    const bad = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', 'schema,widgets']);
    expect(bad.code).toBe(2);
    expect(bad.json.error.message).toMatch(/--types takes schema, vertices, edges or all, got 'schema,widgets'/);
    await createFixtureSchema(client);
    const labels = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', 'vertices', '--labels', 'e_knows']);
    expect(labels.code).not.toBe(0);
    expect(labels.json.error.message).toMatch(/--labels names e_knows, but the backup's types leave out edges/);
    expect(fixtureSchema().edgelabels.map((l) => l.name)).toContain('e_knows');
  });
});
