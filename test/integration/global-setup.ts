/**
 * Jest globalSetup of the `integration` project (see jest.config.js).
 *
 * How integration tests get a HugeGraph server:
 *
 * 1. Their own, isolated server (fresh data dir, free port, any version/backend/auth):
 *
 *      import { startHugeGraph, HugeGraphServer } from '../support/hugegraph-server';
 *      let hg: HugeGraphServer;
 *      beforeAll(async () => { hg = await startHugeGraph({ version: '1.5.0', auth: { password: 'pa' } }); });
 *      afterAll(async () => { await hg?.stop(); });
 *
 *    Warm start takes ~7-20 s on 2 cores; prefer one server per test file, not per test.
 *
 * 2. The shared server started here (RocksDB, no auth, version HGBR_TEST_HUGEGRAPH_VERSION or 1.5.0):
 *
 *      const url = process.env.HGBR_TEST_HUGEGRAPH_URL!;          // e.g. http://127.0.0.1:41234
 *      const version = process.env.HGBR_TEST_HUGEGRAPH_VERSION!;  // e.g. 1.5.0
 *
 *    Started only with HGBR_TEST_SHARED_HUGEGRAPH=1. Test files run in parallel workers against it, so do not assume an empty graph and do not clear
 *    graph `hugegraph`; create a graph of your own instead (POST /graphs/<unique name>, text/plain
 *    body = graph properties, on <= 1.5.0), or use option 1.
 *
 * Environment:
 *   HGBR_TEST_HUGEGRAPH_URL=<url>      use an already running server as the shared one (nothing is started)
 *   HGBR_TEST_SHARED_HUGEGRAPH=0       do not start the shared server (HGBR_TEST_HUGEGRAPH_URL stays unset)
 *   HGBR_TEST_HUGEGRAPH_VERSION=1.7.0  default version for both options
 *
 * Setting process.env here works because jest spawns its test workers after globalSetup returns, and
 * they inherit this process's environment.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, DEFAULT_HUGEGRAPH_VERSION, resolveHugeGraph, startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';

declare global {
  // Read by global-teardown.ts, which runs in this same process.
  var __HGBR_SHARED_HUGEGRAPH__: HugeGraphServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const version = DEFAULT_HUGEGRAPH_VERSION;
  process.env.HGBR_TEST_HUGEGRAPH_VERSION = version;

  // Resolve the jars once here (a no-op after the first run) so tests that start servers in parallel
  // do not all wait on Maven.
  await resolveHugeGraph(version);

  // Likewise the S3 server's jar.
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 's3-server.sh'), 'jar'], { stdio: ['ignore', 'ignore', 'inherit'] });

  if (process.env.HGBR_TEST_HUGEGRAPH_URL) return; // a server provided from outside
  // Every test file starts the servers it needs; a shared one is only started on request.
  if (process.env.HGBR_TEST_SHARED_HUGEGRAPH !== '1') return;

  const server = await startHugeGraph({ version, backend: 'rocksdb' });
  globalThis.__HGBR_SHARED_HUGEGRAPH__ = server;
  process.env.HGBR_TEST_HUGEGRAPH_URL = server.url;
  process.env.HGBR_TEST_HUGEGRAPH_HOME = server.home;
}
