/**
 * A second graph space in front of a real HugeGraph 1.7.0. A server without PD (one store,
 * RocksDB: what the tests run) has the DEFAULT graph space only: it lists no graph space, answers
 * "has existed" to creating one, and puts a graph created under any graph space in DEFAULT
 * (docs/server-facts.md). This proxy, on 127.0.0.1, shows some DEFAULT graphs as graphs of other
 * graph spaces: `/graphspaces/<space>/graphs/<graph>/…` is forwarded to
 * `/graphspaces/DEFAULT/graphs/<backing graph>/…`, and it answers the two listings itself
 * (`GET /graphspaces`, `GET /graphspaces/<space>/graphs`). Everything else goes to the server
 * unchanged, so every read and write of a graph is the real server's.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest } from './recording-proxy';

/** Graph space → graph name as hgbr sees it → the DEFAULT graph that holds it. DEFAULT lists its graphs as they are. */
export type GraphSpaces = Record<string, Record<string, string>>;

export interface GraphspaceProxy {
  readonly endpoint: string;
  /** Paths the proxy sent on, as forwarded (after mapping). */
  readonly forwarded: string[];
  close(): Promise<void>;
}

export async function startGraphspaceProxy(target: string, spaces: GraphSpaces): Promise<GraphspaceProxy> {
  const upstream = new URL(target);
  const forwarded: string[] = [];
  const answer = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (req.method === 'GET' && url.pathname === '/graphspaces') return answer(res, { graphSpaces: Object.keys(spaces) });
    const listing = /^\/graphspaces\/([^/]+)\/graphs\/?$/.exec(url.pathname);
    if (req.method === 'GET' && listing) return answer(res, { graphs: Object.keys(spaces[decodeURIComponent(listing[1] as string)] ?? {}) });
    const path = (req.url ?? '/').replace(/^\/graphspaces\/([^/]+)\/graphs\/([^/?]+)/, (whole, space: string, graph: string) => {
      const backing = spaces[decodeURIComponent(space)]?.[decodeURIComponent(graph)];
      return backing === undefined ? whole : `/graphspaces/DEFAULT/graphs/${encodeURIComponent(backing)}`;
    });
    forwarded.push(path);
    forwardRequest(upstream, req, res, path);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
