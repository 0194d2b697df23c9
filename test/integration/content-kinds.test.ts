/**
 * What a backup holds (`--types`, the manifest's `contents`), the graph's variables, and what a
 * restore may ask of a backup, on a real HugeGraph server: one server, backed up once per kind
 * set, cleared before each restore.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifest } from '../../functions/backup/catalog';
import { parseConfigFile, parseVariables } from '../../functions/format';
import { HugeGraphClient, usesGraphspaces } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { createFixtureSchema, expectedCounts, fixtureSchema, loadFixtureData, TRICKY_TEXT } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { runHgbr } from '../support/cli';
import { startRecordingProxy } from '../support/recording-proxy';
import { dump, type GraphDump } from '../support/graph-dump';

let server: HugeGraphServer;
let client: HugeGraphClient;
let folder: string;
let original: GraphDump;
/** Backup id per `--types` given. */
const backups: Record<string, string> = {};

/** A variable of every type the REST API can create, as JSON text (values typed by their JSON form). */
const VARIABLES: Record<string, string> = {
  int: '7',
  intMin: '-2147483648',
  long: '9223372036854775807',
  longSmall: '12345678901234',
  double: '1.0',
  doubleTenth: '0.1',
  doubleTiny: '-1.5E-300',
  doubleBig: '1.0E21',
  text: JSON.stringify(TRICKY_TEXT),
  emptyText: '""',
  yes: 'true',
  no: 'false',
  ints: '[3,1,2,3]',
  texts: '["b","a","b"]',
  doubles: '[0.5,1.0]',
  booleans: '[true,false]',
  emptyList: '[]',
  'key with spaces:colons?#%é': '"k"',
};

/** The target's variables: key → the value's JSON text exactly as the server wrote it. */
async function variablesOnServer(): Promise<Record<string, string>> {
  return Object.fromEntries(parseVariables(Buffer.from(await client.readVariables()), 'GET variables').map((v) => [v.key, v.rawValue]));
}
let originalVariables: Record<string, string>;
/** What GET variables answered before the backups. */
let variablesText: string;

async function hgbr(args: string[]): Promise<{ code: number | null; json: Record<string, any> }> {
  const result = await runHgbr([...args, '--json']);
  return { code: result.code, json: JSON.parse(result.stdout || result.stderr) as Record<string, any> };
}

beforeAll(async () => {
  server = await startHugeGraph();
  client = await HugeGraphClient.connect({ url: server.url, graph: 'hugegraph' });
  await createFixtureSchema(client);
  await loadFixtureData(client);
  for (const [key, value] of Object.entries(VARIABLES)) await client.setVariable(key, value);
  original = await dump(client);
  originalVariables = await variablesOnServer();
  variablesText = await client.readVariables();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-kinds-'));
  for (const types of ['schema', 'vertex', 'all']) {
    const { code, json } = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', types]);
    expect(code).toBe(0);
    backups[types] = json.backupId as string;
  }
  backups.quiet = await checkedBackup(server.url);
  // A writer that adds one vertex just as the export reads its first page.
  let written = false;
  const proxy = await startRecordingProxy(server.url, {
    beforeForward: async (request) => {
      // The export's reads: key-range scans (traversers/…/scan), or label pages (graph/vertices?label=).
      if (written || !/\/(traversers\/(vertices|edges)\/scan|graph\/(vertices|edges))\?/.test(request.url)) return;
      written = true;
      await client.createVertices(['{"label":"v_auto","properties":{"name":"written during the backup"}}']);
    },
  });
  backups.written = await checkedBackup(proxy.endpoint).finally(() => proxy.close());
  expect(written).toBe(true);
});

/** A backup with --check-writes, through `url`; its id. */
async function checkedBackup(url: string): Promise<string> {
  const { code, json } = await hgbr(['backup', '--server', url, '--graph', 'hugegraph', '--to', folder, '--types', 'schema,vertices,edges', '--check-writes']);
  expect(code).toBe(0);
  return json.backupId as string;
}

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
  it('holds the four schema files only (no variables), and its manifest (version 2) says so', async () => {
    const manifest = await readManifest(openStorage(folder), { graph: 'hugegraph' }, backups.schema as string);
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
    expect(await variablesOnServer()).toEqual({});
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
    const manifest = await readManifest(openStorage(folder), { graph: 'hugegraph' }, backups.vertex as string);
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
  it('holds the variables as the server wrote them, in a manifest-listed file (format version 2)', async () => {
    const manifest = await readManifest(openStorage(folder), { graph: 'hugegraph' }, backups.all as string);
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.contents).toEqual(['schema', 'vertices', 'edges', 'variables']);
    expect(manifest.files.find((f) => f.type === 'variables')).toMatchObject({ name: 'variables.json', elements: Object.keys(VARIABLES).length, compressed: false });
    const stored = fs.readFileSync(path.join(from('all'), 'variables.json'), 'utf8');
    expect(stored).toBe(`${variablesText.trim()}\n`);
    const verify = await hgbr(['verify', '--from', from('all')]);
    expect(verify.json).toMatchObject({ ok: true, contents: ['schema', 'vertices', 'edges', 'variables'] });
  });

  it('gives back every variable with its value text unchanged: the server types it as before', async () => {
    expect(Object.keys(originalVariables).sort()).toEqual(Object.keys(VARIABLES).sort());
    const { code, json } = await restore('all');
    expect(code).toBe(0);
    expect(json).toMatchObject({ contents: ['schema', 'vertices', 'edges', 'variables'], variables: Object.keys(VARIABLES).length });
    expect(await variablesOnServer()).toEqual(originalVariables);
    expect((await dump(client)).vertices).toEqual(original.vertices);
  });

  it('merging refuses variables the target holds with other values, before writing anything', async () => {
    await createFixtureSchema(client);
    await client.setVariable('int', '8');
    const { code, json } = await restore('all', '--mode', 'merging');
    expect(code).not.toBe(0);
    expect(json.error).toMatchObject({ code: 'VariablesConflictError' });
    expect(json.error.message).toMatch(/1 variable\(s\) with other values than the backup's: 'int' \(backup 7, target 8\)/);
    expect(await variablesOnServer()).toEqual({ int: '8' });
    expect(sizes((await dump(client)).vertices)).toEqual(none(original.vertices));
  });

  it('merging sets the variables when the target has none of them or the same values', async () => {
    await createFixtureSchema(client);
    await client.setVariable('int', '7');
    await client.setVariable('theirs', '"kept"');
    const { code } = await restore('all', '--mode', 'merging', '--types', 'variables');
    expect(code).toBe(0);
    expect(await variablesOnServer()).toEqual({ ...originalVariables, theirs: '"kept"' });
  });

  it('restores only what --types asks for: the schema and the vertices, no edge', async () => {
    const { code, json } = await restore('all', '--types', 'schema,vertices', '--verify-target');
    expect(code).toBe(0);
    expect(json).toMatchObject({ contents: ['schema', 'vertices'], vertices: expectedCounts().vertices, edges: {} });
    const restored = await dump(client);
    expect(restored.vertices).toEqual(original.vertices);
    expect(sizes(restored.edges)).toEqual(none(original.edges));
    expect(await variablesOnServer()).toEqual({});
  });

  it('restores the schema alone from it', async () => {
    const { code, json } = await restore('all', '--types', 'schema');
    expect(code).toBe(0);
    expect(json).toMatchObject({ contents: ['schema'], vertices: {}, edges: {} });
    expect(schemaNames(await dump(client))).toEqual(schemaNames(original));
  });
});

describe('the graph config (--types config)', () => {
  it("holds the graph's properties file as GET conf gives it, in a manifest-listed config.json, and a restore leaves it out", async () => {
    const backup = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', 'schema,config']);
    expect(backup.code).toBe(0);
    const manifest = await readManifest(openStorage(folder), { graph: 'hugegraph' }, backup.json.backupId);
    expect(manifest).toMatchObject({ formatVersion: 2, contents: ['schema', 'config'] });
    const listed = manifest.files.find((f) => f.type === 'config');
    const location = path.join(folder, 'hugegraph', backup.json.backupId);
    const config = parseConfigFile(fs.readFileSync(path.join(location, 'config.json')), 'config.json');
    expect(listed).toMatchObject({ name: 'config.json', elements: Object.keys(config.options).length, compressed: false });
    expect(config.options).toMatchObject({ backend: 'rocksdb', store: 'hugegraph', serializer: 'binary' });
    // The default hugegraph.properties of 1.0–1.5 sets cassandra.password, even for RocksDB: withheld. 1.7.0's does not.
    expect(config.withheld).toEqual(usesGraphspaces(server.version) ? [] : ['cassandra.password']);
    expect(fs.readFileSync(path.join(location, 'config.json'), 'utf8')).not.toMatch(/cassandra\.password"\s*:/);
    expect((await hgbr(['verify', '--from', location])).json).toMatchObject({ ok: true, contents: ['schema', 'config'] });
    const restored = await hgbr(['restore', '--server', server.url, '--graph', 'hugegraph', '--from', location]);
    expect(restored.code).toBe(0);
    expect(restored.json.contents).toEqual(['schema']);
    const asked = await hgbr(['restore', '--server', server.url, '--graph', 'hugegraph', '--from', location, '--types', 'config']);
    expect(asked.code).toBe(2);
  });
});

describe('the consistency window (--check-writes)', () => {
  it('records each label counted the same before and after a quiet backup, and no writes seen', async () => {
    const manifest = await readManifest(openStorage(folder), { graph: 'hugegraph' }, backups.quiet as string);
    const both = (n: number) => ({ atStart: n, atEnd: n });
    expect(manifest.window).toEqual({
      counts: {
        vertex: Object.fromEntries(Object.entries(expectedCounts().vertices).map(([label, n]) => [label, both(n)])),
        edge: Object.fromEntries(Object.entries(expectedCounts().edges).map(([label, n]) => [label, both(n)])),
      },
      writesSeen: false,
    });
    const verify = await runHgbr(['verify', '--from', from('quiet')]);
    expect(verify.stdout).toMatch(/writes during the backup: none seen/);
  });

  it('shows a backup taken while the graph was being written as such, in the manifest, list and verify', async () => {
    const manifest = await readManifest(openStorage(folder), { graph: 'hugegraph' }, backups.written as string);
    const autos = expectedCounts().vertices.v_auto as number;
    expect(manifest.window?.writesSeen).toBe(true);
    expect(manifest.window?.counts.vertex.v_auto).toEqual({ atStart: autos, atEnd: autos + 1 });
    const list = await hgbr(['list', '--from', folder, '--graph', 'hugegraph']);
    const listed = list.json.backups as { backupId: string; writesSeen?: boolean }[];
    expect(listed.find((b) => b.backupId === backups.written)?.writesSeen).toBe(true);
    expect(listed.find((b) => b.backupId === backups.quiet)?.writesSeen).toBe(false);
    expect(listed.find((b) => b.backupId === backups.all)).not.toHaveProperty('writesSeen');
    const human = await runHgbr(['list', '--from', folder, '--graph', 'hugegraph']);
    expect(human.stdout).toMatch(new RegExp(`${backups.written}.*WRITTEN DURING BACKUP`));
    const verify = await runHgbr(['verify', '--from', from('written')]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/WRITTEN DURING BACKUP.*\n {4}vertex v_auto: \d+ before, \d+ after/);
  });
});

describe('a second graph on the server', () => {
  beforeAll(async () => {
    // Before 1.7.0 a clone takes the configuration as text; from 1.7.0 a JSON object, in a graph space.
    const inSpace = server.graphPath('second').startsWith('/graphspaces/');
    const created = await fetch(`${server.url}${server.graphPath('second')}?clone_graph_name=hugegraph`, {
      method: 'POST',
      headers: { 'Content-Type': inSpace ? 'application/json' : 'text/plain' },
      body: inSpace ? '{}' : '',
    });
    expect(created.status).toBeLessThan(300);
    const second = await HugeGraphClient.connect({ url: server.url, graph: 'second' });
    try {
      await createFixtureSchema(second);
      await loadFixtureData(second);
    } finally {
      await second.close();
    }
  });

  it('--all-graphs backs up every graph of the server, one after the other, each with its own manifest', async () => {
    const root = path.join(folder, 'all-graphs');
    const { code, json } = await hgbr(['backup', '--server', server.url, '--all-graphs', '--to', root, '--types', 'schema,vertices,edges']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, graphs: ['hugegraph', 'second'], failed: [] });
    const summaries = json.backups as { graph: string; backupId: string }[];
    expect(summaries.map((b) => b.graph)).toEqual(['hugegraph', 'second']);
    const storage = openStorage(root);
    const [mine, theirs] = await Promise.all(summaries.map((b) => readManifest(storage, { graph: b.graph }, b.backupId)));
    expect(mine?.graph).toBe('hugegraph');
    expect(mine?.totals.vertices).toBe(0); // cleared before this test
    expect(theirs?.graph).toBe('second');
    expect(theirs?.labels).toEqual({ vertex: expectedCounts().vertices, edge: expectedCounts().edges });
    expect(fs.readdirSync(root).sort()).toEqual(['hugegraph', 'second']);
  });

  it('migrate --types moves only what it names: the schema of the second graph, no element', async () => {
    const { code, json } = await hgbr(['migrate', '--server', server.url, '--graph', 'second', '--target-server', server.url, '--target-graph', 'hugegraph', '--types', 'schema']);
    expect(code).toBe(0);
    expect(json.backup.contents).toEqual(['schema']);
    expect(json.restore).toMatchObject({ contents: ['schema'], vertices: {}, edges: {} });
    const moved = await dump(client);
    expect(Object.keys(moved.schemaIds).sort()).toEqual(Object.keys(original.schemaIds).sort());
    expect(sizes(moved.vertices)).toEqual(none(original.vertices));
  });

  it('refuses --graph beside --all-graphs', async () => {
    const { code, json } = await hgbr(['backup', '--server', server.url, '--all-graphs', '--graph', 'hugegraph', '--to', folder]);
    expect(code).toBe(2);
    expect(json.error.message).toMatch(/give --graph or --all-graphs, not both/);
  });
});

describe('--types on the command line', () => {
  it('refuses a kind it does not know, and --labels naming a label of a kind left out', async () => {
    const bad = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', 'schema,widgets']);
    expect(bad.code).toBe(2);
    expect(bad.json.error.message).toMatch(/--types takes schema, vertices, edges, variables, auth, config or all, got 'schema,widgets'/);
    await createFixtureSchema(client);
    const labels = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', 'vertices', '--labels', 'e_knows']);
    expect(labels.code).not.toBe(0);
    expect(labels.json.error.message).toMatch(/--labels names e_knows, but the backup's types leave out edges/);
    expect(fixtureSchema().edgelabels.map((l) => l.name)).toContain('e_knows');
  });
});
