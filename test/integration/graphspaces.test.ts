/**
 * Graph spaces (HugeGraph 1.7.0): backups of same-named graphs of two graph spaces in their own
 * folders, locks and retention; list, verify and restore of either layout; --all-graphs over
 * every graph space. One real 1.7.0 server with auth on (1.7.0 creates graphs only with auth: the
 * creator comes from the login). A server without PD has the DEFAULT graph space only, so the
 * second graph space, gs1, is a graph of DEFAULT shown through test/support/graphspace-proxy.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifest } from '../../functions/backup/catalog';
import { parseConfigFile } from '../../functions/format';
import { HugeGraphClient } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { runHgbr } from '../support/cli';
import { createFixtureSchema, expectedCounts, loadFixtureData } from '../support/graph-fixtures';
import { startGraphspaceProxy, type GraphspaceProxy } from '../support/graphspace-proxy';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';

const ADMIN_PASSWORD = 'admin-pw-1';
/** gs1's graph `hugegraph` lives in DEFAULT's `gs1_hugegraph`, with two vertices more than DEFAULT's `hugegraph`. */
const SPACES = { DEFAULT: { hugegraph: 'hugegraph', restored: 'restored' }, gs1: { hugegraph: 'gs1_hugegraph' } };
let server: HugeGraphServer;
let proxy: GraphspaceProxy;
let root: string;

async function hgbr(args: string[]): Promise<{ code: number | null; json: Record<string, any> }> {
  const result = await runHgbr([...args, '--user', 'admin', '--password', ADMIN_PASSWORD, '--json']);
  return { code: result.code, json: JSON.parse(result.stdout || result.stderr) as Record<string, any> };
}

async function cloneGraph(name: string): Promise<void> {
  const res = await fetch(`${server.url}/graphspaces/DEFAULT/graphs/${name}?clone_graph_name=hugegraph`, {
    method: 'POST',
    headers: { ...server.authHeaders(), 'Content-Type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(201);
}

async function load(graph: string, extraVertices: number): Promise<void> {
  const client = await HugeGraphClient.connect({ url: server.url, graph, username: 'admin', password: ADMIN_PASSWORD });
  try {
    await createFixtureSchema(client);
    await loadFixtureData(client, { extraVertices });
  } finally {
    await client.close();
  }
}

function backupIds(folder: string): string[] {
  return fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => /^\d{8}T\d{6}Z-/.test(name)) : [];
}

beforeAll(async () => {
  server = await startHugeGraph({ version: '1.7.0', auth: { password: ADMIN_PASSWORD } });
  await cloneGraph('gs1_hugegraph');
  await cloneGraph('restored');
  await load('hugegraph', 0);
  await load('gs1_hugegraph', 2);
  proxy = await startGraphspaceProxy(server.url, SPACES);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-graphspaces-'));
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('same-named graphs of two graph spaces', () => {
  let defaultId: string;
  let spaceId: string;

  beforeAll(async () => {
    const inDefault = await hgbr(['backup', '--server', proxy.endpoint, '--graph', 'hugegraph', '--to', root]);
    expect(inDefault.code).toBe(0);
    defaultId = inDefault.json.backupId;
    const inSpace = await hgbr(['backup', '--server', proxy.endpoint, '--graph', 'hugegraph', '--graphspace', 'gs1', '--to', root]);
    expect(inSpace.code).toBe(0);
    spaceId = inSpace.json.backupId;
  });

  it('are backed up to their own folders: DEFAULT at ROOT/<graph>/ as before, gs1 below ROOT/_graphspaces/gs1/', async () => {
    expect(backupIds(path.join(root, 'hugegraph'))).toEqual([defaultId]);
    expect(backupIds(path.join(root, '_graphspaces', 'gs1', 'hugegraph'))).toEqual([spaceId]);
    const storage = openStorage(root);
    const inDefault = await readManifest(storage, { graph: 'hugegraph' }, defaultId);
    const inSpace = await readManifest(storage, { graph: 'hugegraph', graphspace: 'gs1' }, spaceId);
    expect([inDefault.graphspace, inSpace.graphspace]).toEqual(['DEFAULT', 'gs1']);
    expect(inDefault.labels.vertex).toEqual(expectedCounts().vertices);
    expect(inSpace.labels.vertex).toEqual(expectedCounts({ extraVertices: 2 }).vertices);
    // gs1's graph was read from the graph behind it, through the graph space's paths.
    expect(proxy.forwarded.some((p) => p.startsWith('/graphspaces/DEFAULT/graphs/gs1_hugegraph/'))).toBe(true);
  });

  it('are listed apart, and --graph with --graphspace lists one of them', async () => {
    const all = await hgbr(['list', '--from', root]);
    expect(all.code).toBe(0);
    expect(all.json.backups.map((b: any) => [b.graphspace ?? 'DEFAULT', b.graph, b.backupId])).toEqual([
      ['DEFAULT', 'hugegraph', defaultId],
      ['gs1', 'hugegraph', spaceId],
    ]);
    const one = await hgbr(['list', '--from', root, '--graph', 'hugegraph', '--graphspace', 'gs1']);
    expect(one.json.backups.map((b: any) => b.backupId)).toEqual([spaceId]);
    expect(one.json.backups[0].location).toBe(`${root}/_graphspaces/gs1/hugegraph/${spaceId}/`);
  });

  it('verify reads a graph space backup by its location', async () => {
    const { code, json } = await hgbr(['verify', '--from', path.join(root, '_graphspaces', 'gs1', 'hugegraph', spaceId)]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, backupId: spaceId, problems: [] });
  });

  it('keep their own retention: --keep 1 in gs1 leaves the DEFAULT backup alone', async () => {
    const again = await hgbr(['backup', '--server', proxy.endpoint, '--graph', 'hugegraph', '--graphspace', 'gs1', '--to', root, '--keep', '1', '--types', 'schema']);
    expect(again.code).toBe(0);
    expect(again.json.deletedBackups).toEqual([spaceId]);
    expect(backupIds(path.join(root, '_graphspaces', 'gs1', 'hugegraph'))).toEqual([again.json.backupId]);
    expect(backupIds(path.join(root, 'hugegraph'))).toEqual([defaultId]);
    // Each backup took and released its graph's own lock.
    expect(fs.existsSync(path.join(root, '_graphspaces', 'gs1', 'hugegraph', '.hgbr-backup.lock'))).toBe(false);
  });

  it('a graph space backup restores into a graph of another graph space, every element there', async () => {
    const full = (await hgbr(['backup', '--server', proxy.endpoint, '--graph', 'hugegraph', '--graphspace', 'gs1', '--to', root])).json.backupId as string;
    const { code, json } = await hgbr(['restore', '--server', proxy.endpoint, '--graph', 'restored', '--from', path.join(root, '_graphspaces', 'gs1', 'hugegraph', full)]);
    expect(code).toBe(0);
    expect(json.vertices).toEqual(expectedCounts({ extraVertices: 2 }).vertices);
    expect(json.edges).toEqual(expectedCounts().edges);
    // The restore's records sit at the root, beside the backups, not inside the graph space's folder.
    expect(fs.existsSync(path.join(root, '_graphspaces', 'gs1', '_restores'))).toBe(false);
  });
});

describe('the graph config on 1.7.0 (--types config)', () => {
  it("is the graph's properties file, read below its graph space", async () => {
    const { code, json } = await hgbr(['backup', '--server', proxy.endpoint, '--graph', 'hugegraph', '--graphspace', 'gs1', '--to', path.join(root, 'config'), '--types', 'schema,config']);
    expect(code).toBe(0);
    const location = path.join(root, 'config', '_graphspaces', 'gs1', 'hugegraph', json.backupId);
    const config = parseConfigFile(fs.readFileSync(path.join(location, 'config.json')), 'config.json');
    // A clone's config: its own store, and the options the server adds.
    expect(config.options).toMatchObject({ backend: 'rocksdb', store: 'gs1_hugegraph', 'gremlin.graph': 'org.apache.hugegraph.auth.HugeFactoryAuthProxy' });
    expect((await hgbr(['verify', '--from', location])).json).toMatchObject({ ok: true, contents: ['schema', 'config'] });
  });
});

describe('--all-graphs on 1.7.0', () => {
  it('backs up every graph of every graph space the server lists, DEFAULT first', async () => {
    const allRoot = path.join(root, 'all');
    const { code, json } = await hgbr(['backup', '--server', proxy.endpoint, '--all-graphs', '--to', allRoot, '--types', 'schema,vertices']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, graphs: ['hugegraph', 'restored', 'gs1/hugegraph'], failed: [] });
    expect(fs.readdirSync(allRoot).sort()).toEqual(['_graphspaces', 'hugegraph', 'restored']);
    expect(backupIds(path.join(allRoot, '_graphspaces', 'gs1', 'hugegraph'))).toHaveLength(1);
  });

  it('with --graphspace, only that graph space', async () => {
    const { code, json } = await hgbr(['backup', '--server', proxy.endpoint, '--all-graphs', '--graphspace', 'gs1', '--to', path.join(root, 'gs1-only'), '--types', 'schema']);
    expect(code).toBe(0);
    expect(json.graphs).toEqual(['gs1/hugegraph']);
  });

  it('on the server itself (no proxy), which lists no graph space at all: the DEFAULT graphs', async () => {
    const { code, json } = await hgbr(['backup', '--server', server.url, '--all-graphs', '--to', path.join(root, 'direct'), '--types', 'schema']);
    expect(code).toBe(0);
    expect(json.graphs).toEqual(['gs1_hugegraph', 'hugegraph', 'restored']);
  });
});
