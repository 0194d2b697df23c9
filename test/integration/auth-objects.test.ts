/**
 * The server's auth objects (`--types auth`): backed up without passwords, restored with new ids,
 * references re-pointed, and the conflict strategies, on a real HugeGraph server with auth on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifest } from '../../functions/backup/catalog';
import { HugeGraphClient } from '../../functions/hugegraph';
import type { JsonObject } from '../../functions/json/lossless';
import { openStorage } from '../../functions/storage/open';
import { runHgbr } from '../support/cli';
import { basicAuth, startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';

const ADMIN_PASSWORD = 'admin-pw-1';
let server: HugeGraphServer;
let client: HugeGraphClient;
let folder: string;
let backupDir: string;

const KINDS = ['users', 'groups', 'targets', 'belongs', 'accesses'] as const;

async function hgbr(args: string[]): Promise<{ code: number | null; json: Record<string, any> }> {
  const result = await runHgbr([...args, '--user', 'admin', '--password', ADMIN_PASSWORD, '--json']);
  return { code: result.code, json: JSON.parse(result.stdout || result.stderr) as Record<string, any> };
}

/** The server's auth objects, by kind, keyed by name (or by the names they join). */
async function authByName(): Promise<Record<string, Record<string, JsonObject>>> {
  const lists = Object.fromEntries(await Promise.all(KINDS.map(async (kind) => [kind, await client.listAuth(kind)] as const)));
  const name = new Map<string, string>();
  for (const u of lists.users ?? []) name.set(String(u.id), String(u.user_name));
  for (const g of lists.groups ?? []) name.set(String(g.id), String(g.group_name));
  for (const t of lists.targets ?? []) name.set(String(t.id), String(t.target_name));
  const key = (kind: string, o: JsonObject) =>
    kind === 'belongs'
      ? `${name.get(String(o.user))}>${name.get(String(o.group))}`
      : kind === 'accesses'
        ? `${name.get(String(o.group))}>${name.get(String(o.target))}:${String(o.access_permission)}`
        : (name.get(String(o.id)) as string);
  return Object.fromEntries(KINDS.map((kind) => [kind, Object.fromEntries((lists[kind] ?? []).map((o) => [key(kind, o), o]))]));
}

/** An auth object without what the server owns (id, dates, creator, password hash) or points at by id. */
function portable(o: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([field]) => !/^(id|user|group|target|user_password)$|_(create|update|creator)$/.test(field)));
}

async function deleteAllButAdmin(): Promise<void> {
  for (const kind of [...KINDS].reverse()) {
    for (const o of await client.listAuth(kind)) {
      if (o.user_name === 'admin') continue;
      const res = await fetch(`${server.url}${authPath(kind)}/${encodeURIComponent(String(o.id))}`, { method: 'DELETE', headers: server.authHeaders() });
      expect(res.status).toBeLessThan(300);
    }
  }
}

/** Below the graph before 1.7.0; in the graph space from 1.7.0, groups server-wide. */
function authPath(kind: string): string {
  if (!server.graphPath().startsWith('/graphspaces/')) return `${server.graphPath()}/auth/${kind}`;
  return kind === 'groups' ? '/auth/groups' : `/graphspaces/DEFAULT/auth/${kind}`;
}

async function create(kind: (typeof KINDS)[number], body: JsonObject): Promise<string> {
  return String((await client.createAuth(kind, body)).id);
}

async function canLogIn(user: string, password: string): Promise<boolean> {
  const res = await fetch(`${server.url}${server.graphPath()}/schema/propertykeys`, { headers: { Authorization: basicAuth(user, password) } });
  return res.status === 200;
}

beforeAll(async () => {
  server = await startHugeGraph({ auth: { password: ADMIN_PASSWORD } });
  client = await HugeGraphClient.connect({ url: server.url, graph: 'hugegraph', username: 'admin', password: ADMIN_PASSWORD });
  const alice = await create('users', { user_name: 'alice', user_password: 'alice-pw-1', user_email: 'alice@example.com', user_description: 'reads' });
  const bob = await create('users', { user_name: 'bob', user_password: 'bob-pw-1' });
  const readers = await create('groups', { group_name: 'readers', group_description: 'may read' });
  const writers = await create('groups', { group_name: 'writers' });
  const all = await create('targets', { target_name: 'everything', target_graph: 'hugegraph', target_url: server.url.replace('http://', ''), target_resources: [{ type: 'ALL', label: '*' }] });
  await create('belongs', { user: alice, group: readers, belong_description: 'alice reads' });
  await create('belongs', { user: bob, group: writers });
  await create('accesses', { group: readers, target: all, access_permission: 'READ' });
  await create('accesses', { group: writers, target: all, access_permission: 'WRITE', access_description: 'bob writes' });
  expect(await canLogIn('alice', 'alice-pw-1')).toBe(true);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-auth-'));
  const { code, json } = await hgbr(['backup', '--server', server.url, '--graph', 'hugegraph', '--to', folder, '--types', 'schema,auth']);
  expect(code).toBe(0);
  backupDir = path.join(folder, 'hugegraph', json.backupId as string);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

const restore = (...args: string[]) => hgbr(['restore', '--server', server.url, '--graph', 'hugegraph', '--from', backupDir, ...args]);

describe('a backup of the auth objects (--types auth)', () => {
  it('holds every user but admin, group, target, belong and access in a manifest-listed file, and no password', async () => {
    const manifest = await readManifest(openStorage(folder), { graph: 'hugegraph' }, path.basename(backupDir));
    expect(manifest.contents).toEqual(['schema', 'auth']);
    expect(manifest.files.find((f) => f.type === 'auth')).toMatchObject({ name: 'auth.json', elements: 9, compressed: false });
    const text = fs.readFileSync(path.join(backupDir, 'auth.json'), 'utf8');
    const stored = JSON.parse(text) as Record<string, JsonObject[]>;
    expect(stored.users?.map((u) => u.user_name).sort()).toEqual(['alice', 'bob']);
    expect(text).not.toMatch(/user_password|\$2a\$/);
    expect(KINDS.map((kind) => stored[kind]?.length)).toEqual([2, 2, 1, 2, 2]);
  });
});

describe('restoring the auth objects', () => {
  it('stops, naming every object the server already has, and changes nothing', async () => {
    const before = await authByName();
    const { code, json } = await restore();
    expect(code).not.toBe(0);
    expect(json.error).toMatchObject({ code: 'AuthConflictError' });
    expect(json.error.message).toMatch(/already has 9 of the backup's auth object\(s\): /);
    const named = ['users alice', 'users bob', 'groups readers', 'groups writers', 'targets everything', 'belongs user alice → group readers', 'belongs user bob → group writers'];
    for (const conflict of [...named, 'accesses group readers → target everything → READ', 'accesses group writers → target everything → WRITE']) expect(json.error.message).toContain(conflict);
    expect(await authByName()).toEqual(before);
  });

  it('creates them all on a server without them: new ids, belongs and accesses joining the same names, random passwords', async () => {
    const before = await authByName();
    await deleteAllButAdmin();
    const { code, json } = await restore();
    expect(code).toBe(0);
    expect(json).toMatchObject({ contents: ['schema', 'auth'], auth: { objects: 9, onConflict: 'stop' } });
    const after = await authByName();
    for (const kind of KINDS) expect(Object.keys(after[kind] ?? {}).sort()).toEqual(Object.keys(before[kind] ?? {}).sort());
    for (const kind of KINDS) for (const [key, o] of Object.entries(before[kind] ?? {})) expect(portable(after[kind]?.[key] as JsonObject)).toEqual(portable(o));
    expect(after.users?.alice).toMatchObject({ user_email: 'alice@example.com' });
    expect(after.accesses?.['writers>everything:WRITE']).toMatchObject({ access_description: 'bob writes' });
    expect(after.belongs?.['alice>readers']).toMatchObject({ belong_description: 'alice reads' });
    expect(await canLogIn('alice', 'alice-pw-1')).toBe(false);
    expect(await canLogIn('admin', ADMIN_PASSWORD)).toBe(true);
  });

  it('skip keeps what the server has; overwrite gives it the backup fields', async () => {
    const readers = (await authByName()).groups?.readers as JsonObject;
    await client.updateAuth('groups', String(readers.id), { group_description: 'changed on the server' });
    const skip = await restore('--auth-conflict', 'skip');
    expect(skip.code).toBe(0);
    expect((await authByName()).groups?.readers).toMatchObject({ group_description: 'changed on the server' });
    const overwrite = await restore('--auth-conflict', 'overwrite');
    expect(overwrite.code).toBe(0);
    expect((await authByName()).groups?.readers).toMatchObject({ id: readers.id, group_description: 'may read' });
  });
});
