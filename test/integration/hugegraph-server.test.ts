/**
 * The real-server harness itself: scripts/hugegraph.sh + test/support/hugegraph-server.ts.
 * Version: HGBR_TEST_HUGEGRAPH_VERSION (default 1.5.0); e.g. HGBR_TEST_HUGEGRAPH_VERSION=1.7.0 npx jest ...
 */
import { DEFAULT_HUGEGRAPH_VERSION, type HugeGraphServer, basicAuth, isHugeGraphRunning, startHugeGraph } from '../support/hugegraph-server';
import { canBind, isPortListening } from '../support/ports';

const version = DEFAULT_HUGEGRAPH_VERSION;
// Server starts take 7-20 s on an idle 2-core box, minutes when many JVMs share it. (jest 30 ignores a
// project-level testTimeout in jest.config.js; only the global one or this call count.)
jest.setTimeout(600_000);

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectGone(server: HugeGraphServer, pid: number): Promise<void> {
  expect(processAlive(pid)).toBe(false);
  expect(isHugeGraphRunning(server.home)).toBe(false);
  expect(await isPortListening(server.port)).toBe(false);
  expect(await isPortListening(server.gremlinPort)).toBe(false);
  expect(await canBind(server.port)).toBe(true);
}

describe(`HugeGraph ${version} server harness`, () => {
  test('rocksdb: versions, backend, data survives restart, stop frees the port', async () => {
    const hg = await startHugeGraph({ version, backend: 'rocksdb' });
    let pid = hg.pid();
    try {
      expect(pid).toBeDefined();
      expect(hg.url).toBe(`http://127.0.0.1:${hg.port}`);
      const versions = await getJson(`${hg.url}/versions`);
      expect(versions.status).toBe(200);
      expect(versions.body.versions.core).toBe(version);

      const graph = await getJson(`${hg.url}${hg.graphPath()}`);
      expect(graph.status).toBe(200);
      expect(graph.body).toMatchObject({ name: 'hugegraph', backend: 'rocksdb' });

      // write something, restart, read it back (RocksDB data dir kept, InitStore not re-run)
      const created = await fetch(`${hg.url}${hg.graphPath()}/schema/propertykeys`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'harness_name', data_type: 'TEXT', cardinality: 'SINGLE' }),
      });
      expect([200, 201, 202]).toContain(created.status);
      await hg.restart();
      expect(pid !== undefined && processAlive(pid)).toBe(false);
      pid = hg.pid();
      expect(pid).toBeDefined();
      const pk = await getJson(`${hg.url}${hg.graphPath()}/schema/propertykeys/harness_name`);
      expect(pk.status).toBe(200);
      expect(pk.body).toMatchObject({ name: 'harness_name', data_type: 'TEXT' });
    } finally {
      await hg.stop();
    }
    await expectGone(hg, pid!);
  });

  test('auth: 401 without credentials, 200 as admin', async () => {
    // ASCII only, no ':': HugeGraph (<= 1.7) decodes Basic credentials as ASCII and splits them on
    // every ':', so a password with 'ä' or ':' can never log in with Basic auth.
    const password = 'hgbr test-pw!#%&';
    const hg = await startHugeGraph({ version, backend: 'rocksdb', auth: { password } });
    const pid = hg.pid()!;
    try {
      expect((await getJson(`${hg.url}/versions`)).status).toBe(200); // whitelisted
      const anonymous = await getJson(`${hg.url}/graphs`);
      expect(anonymous.status).toBe(401);
      const wrong = await getJson(`${hg.url}/graphs`, { Authorization: basicAuth('admin', 'nope') });
      expect(wrong.status).toBe(401);
      const admin = await getJson(`${hg.url}/graphs`, hg.authHeaders());
      expect(admin.status).toBe(200);
      expect(admin.body.graphs).toContain('hugegraph');
    } finally {
      await hg.stop();
    }
    await expectGone(hg, pid);
  });

  test('memory backend with auth (admin password = auth.admin_token)', async () => {
    const hg = await startHugeGraph({ version, backend: 'memory', auth: { password: 'pa' } });
    const pid = hg.pid()!;
    try {
      expect((await getJson(`${hg.url}${hg.graphPath()}`)).status).toBe(401);
      const graph = await getJson(`${hg.url}${hg.graphPath()}`, hg.authHeaders());
      expect(graph.status).toBe(200);
      expect(graph.body).toMatchObject({ name: 'hugegraph', backend: 'memory' });
    } finally {
      await hg.stop();
    }
    await expectGone(hg, pid);
  });
});
