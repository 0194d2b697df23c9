/** Jest globalTeardown of the `integration` project: stops the shared server of global-setup.ts. */
import type { HugeGraphServer } from '../support/hugegraph-server';

declare global {
  var __HGBR_SHARED_HUGEGRAPH__: HugeGraphServer | undefined;
}

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__HGBR_SHARED_HUGEGRAPH__;
  globalThis.__HGBR_SHARED_HUGEGRAPH__ = undefined;
  if (!server) return;
  delete process.env.HGBR_TEST_HUGEGRAPH_URL;
  delete process.env.HGBR_TEST_HUGEGRAPH_HOME;
  await server.stop();
}
