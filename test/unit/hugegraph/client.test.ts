/**
 * HugeGraphClient over a local HTTP stub on 127.0.0.1: paths, headers, gzip, paging, retries,
 * time-outs and error mapping. The real server's behaviour is covered by test/integration/client.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AbortedError } from '../../../functions/abort';
import { dropRepeats, HugeGraphClient } from '../../../functions/hugegraph/client';
import {
  HugeGraphBadRequestError,
  HugeGraphBusyError,
  HugeGraphConnectionError,
  HugeGraphNotFoundError,
  HugeGraphProtocolError,
  HugeGraphServerError,
  HugeGraphTaskFailedError,
  HugeGraphTimeoutError,
  HugeGraphUnauthorizedError,
  HugeGraphUsageError,
} from '../../../functions/hugegraph/errors';
import type { RetryOptions } from '../../../functions/hugegraph/retry';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

class Stub {
  server!: Server;
  url = '';
  requests: Recorded[] = [];
  version = '1.5.0';
  routes: Handler = () => undefined;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let raw = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
        const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw.toString('utf8') };
        if (rec.url === '/versions') {
          json(res, 200, { versions: { version: 'v1', core: this.version, gremlin: '3.5.1', api: '0.71.0.0' } });
          return;
        }
        this.requests.push(rec);
        this.routes(rec, res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, gzip = false): void {
  send(res, status, typeof body === 'string' ? body : JSON.stringify(body), gzip);
}

function send(res: ServerResponse, status: number, text: string, gzip = false): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let payload: Buffer = Buffer.from(text, 'utf8');
  if (gzip) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  res.writeHead(status, headers);
  res.end(payload);
}

function hgError(res: ServerResponse, status: number, exception: string, message: string): void {
  json(res, status, { exception: `class ${exception}`, message, cause: '' });
}

const noWait: RetryOptions = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, sleep: async () => undefined };

describe('HugeGraphClient (HTTP stub)', () => {
  const stub = new Stub();
  let client: HugeGraphClient | undefined;

  beforeAll(() => stub.start());
  afterAll(() => stub.stop());
  beforeEach(() => {
    stub.requests = [];
    stub.version = '1.5.0';
    stub.routes = (_req, res) => hgError(res, 404, 'X', 'no route');
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  async function connect(extra: Partial<Parameters<typeof HugeGraphClient.connect>[0]> = {}): Promise<HugeGraphClient> {
    client = await HugeGraphClient.connect({ url: stub.url, graph: 'hugegraph', retry: noWait, ...extra });
    return client;
  }

  describe('version and paths', () => {
    it('uses /graphs/{g} below 1.7.0', async () => {
      const c = await connect();
      expect(c.serverVersion).toBe('1.5.0');
      expect(c.graphPath).toBe('/graphs/hugegraph');
      stub.routes = (_req, res) => json(res, 200, { name: 'hugegraph', backend: 'rocksdb' });
      await expect(c.graphInfo()).resolves.toEqual({ name: 'hugegraph', backend: 'rocksdb' });
      expect(stub.requests[0]?.url).toBe('/graphs/hugegraph');
    });

    it('uses /graphspaces/{gs}/graphs/{g} from 1.7.0, DEFAULT unless told', async () => {
      stub.version = '1.7.0';
      const c = await connect({ graph: 'g 1' });
      expect(c.graphPath).toBe('/graphspaces/DEFAULT/graphs/g%201');
      await c.close();
      const d = await connect({ graphspace: 'space' });
      expect(d.graphPath).toBe('/graphspaces/space/graphs/hugegraph');
      stub.routes = (_req, res) => json(res, 200, { name: 'hugegraph', backend: 'rocksdb' });
      await expect(d.graphInfo()).resolves.toEqual({ name: 'hugegraph', backend: 'rocksdb' });
      expect(stub.requests[0]?.url).toBe('/graphspaces/space/graphs/hugegraph');
    });

    it('keeps a base path of the URL', async () => {
      const c = await connect({ url: `${stub.url}/` });
      stub.routes = (_req, res) => json(res, 200, { mode: 'NONE' });
      await c.getMode();
      expect(stub.requests[0]?.url).toBe('/graphs/hugegraph/mode');
    });

    it('fails at once with a ConnectionError when nothing listens', async () => {
      const dead = createServer();
      await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
      const port = (dead.address() as AddressInfo).port;
      await new Promise<void>((r) => dead.close(() => r()));
      const err = await HugeGraphClient.connect({ url: `http://127.0.0.1:${port}`, graph: 'g', retry: noWait }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HugeGraphConnectionError);
      expect(err).toMatchObject({ errno: 'ECONNREFUSED' });
    });

    it('rejects a non-HugeGraph answer to /versions and a bad URL', async () => {
      await expect(HugeGraphClient.connect({ url: 'not a url', graph: 'g' })).rejects.toBeInstanceOf(HugeGraphUsageError);
      await expect(HugeGraphClient.connect({ url: 'ftp://127.0.0.1:1', graph: 'g' })).rejects.toBeInstanceOf(HugeGraphUsageError);
      await expect(HugeGraphClient.connect({ url: 'http://u:p@127.0.0.1:1', graph: 'g' })).rejects.toBeInstanceOf(HugeGraphUsageError);
      const other = createServer((_req, res) => send(res, 200, '{"hello":"world"}'));
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
        await expect(HugeGraphClient.connect({ url, graph: 'g' })).rejects.toBeInstanceOf(HugeGraphProtocolError);
      } finally {
        other.closeAllConnections();
        await new Promise<void>((r) => other.close(() => r()));
      }
    });
  });

  describe('connect retries', () => {
    it('retries /versions only when the server is busy or failing', async () => {
      const statuses = [503, 500, 200];
      let hits = 0;
      const flaky = createServer((_req, res) => {
        const status = statuses[hits++] ?? 404;
        if (status === 200) json(res, 200, { versions: { core: '1.3.0' } });
        else hgError(res, status, 'X', 'x');
      });
      await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
        const c = await HugeGraphClient.connect({ url, graph: 'g', retry: noWait });
        expect(c.serverVersion).toBe('1.3.0');
        await c.close();
        hits = 3;
        await expect(HugeGraphClient.connect({ url, graph: 'g', retry: noWait })).rejects.toBeInstanceOf(HugeGraphNotFoundError);
        expect(hits).toBe(4);
      } finally {
        flaky.closeAllConnections();
        await new Promise<void>((r) => flaky.close(() => r()));
      }
    });
  });

  describe('auth', () => {
    it('sends basic auth when credentials are given, none otherwise', async () => {
      stub.routes = (req, res) => (req.headers.authorization ? json(res, 200, { mode: 'NONE' }) : hgError(res, 401, 'jakarta.ws.rs.NotAuthorizedException', 'Authentication credentials are required'));
      const anon = await connect();
      await expect(anon.getMode()).rejects.toBeInstanceOf(HugeGraphUnauthorizedError);
      await anon.close();
      const c = await connect({ username: 'admin', password: 'pä:ss' });
      await expect(c.getMode()).resolves.toBe('NONE');
      const last = stub.requests[stub.requests.length - 1]!;
      expect(last.headers.authorization).toBe(`Basic ${Buffer.from('admin:pä:ss').toString('base64')}`);
      expect(stub.requests.filter((r) => r.headers.authorization === undefined)).toHaveLength(1); // 401 is not retried
    });
  });

  describe('graph calls', () => {
    it('sets the mode with a bare JSON string body and clears with the confirm message', async () => {
      const c = await connect();
      stub.routes = (req, res) => {
        if (req.url.endsWith('/mode')) json(res, 200, { mode: JSON.parse(req.body) as string });
        else res.writeHead(204).end();
      };
      await expect(c.setMode('RESTORING')).resolves.toBe('RESTORING');
      expect(stub.requests[0]).toMatchObject({ method: 'PUT', url: '/graphs/hugegraph/mode', body: '"RESTORING"' });
      expect(stub.requests[0]?.headers['content-type']).toBe('application/json');
      await c.clear();
      expect(stub.requests[1]).toMatchObject({ method: 'DELETE', url: "/graphs/hugegraph/clear?confirm_message=I'm%20sure%20to%20delete%20all%20data" });
    });
  });

  describe('paging', () => {
    it('asks for the first page with page= and URL-encodes the following tokens', async () => {
      const c = await connect();
      const tokens = ['AAAA+/b=', 'x y&z', null];
      let n = 0;
      stub.routes = (_req, res) => {
        const page = tokens[n];
        json(res, 200, `{"vertices":[{"id":${n + 1}208794584776818688,"label":"p"}],"page": ${page === null ? 'null' : JSON.stringify(page)}}`, true);
        n++;
      };
      const pages = [];
      for await (const p of c.pages('vertex', 'per son', { pageSize: 2 })) pages.push(p);
      expect(pages.map((p) => p.nextPage)).toEqual(tokens);
      expect(pages[0]?.elements).toEqual(['{"id":1208794584776818688,"label":"p"}']);
      expect(pages[0]?.lastId).toBe('1208794584776818688');
      expect(pages[0]?.bytes).toBeGreaterThan(0);
      expect(stub.requests.map((r) => r.url)).toEqual([
        '/graphs/hugegraph/graph/vertices?label=per%20son&page=&limit=2',
        '/graphs/hugegraph/graph/vertices?label=per%20son&page=AAAA%2B%2Fb%3D&limit=2',
        '/graphs/hugegraph/graph/vertices?label=per%20son&page=x%20y%26z&limit=2',
      ]);
      expect(stub.requests[0]?.headers['accept-encoding']).toContain('gzip');
    });

    it('drops the repeated elements the server sends at 500-element boundaries', async () => {
      const c = await connect();
      const e = (k: number): string => `{"id":${k},"label":"p"}`;
      const answers = [`{"edges":[${[e(1), e(2), e(2), e(3)].join(',')}],"page":"t1"}`, `{"edges":[${[e(3), e(4)].join(',')}],"page":null}`];
      let n = 0;
      stub.routes = (_req, res) => json(res, 200, answers[n++] ?? '', true);
      const pages = [];
      for await (const p of c.pages('edge', 'knows', { pageSize: 4 })) pages.push(p);
      expect(pages.map((p) => p.elements)).toEqual([[e(1), e(2), e(3)], [e(4)]]);
      expect(pages.map((p) => p.duplicatesDropped)).toEqual([1, 1]);
      // fetchPage remembers the lastId of each token it returned; a new client needs afterId.
      n = 0;
      const first = await c.fetchPage('edge', 'knows', null, 4);
      await expect(c.fetchPage('edge', 'knows', first.nextPage, 4)).resolves.toMatchObject({ elements: [e(4)] });
      n = 1;
      await expect(c.fetchPage('edge', 'knows', 't1', 4, { afterId: null })).resolves.toMatchObject({ elements: [e(3), e(4)] });
      n = 1;
      await expect(c.fetchPage('edge', 'knows', 't1', 4, { afterId: '3' })).resolves.toMatchObject({ elements: [e(4)] });
      expect(dropRepeats([e(1), e(1), e(1)], null)).toEqual({ elements: [e(1)], dropped: 2 });
      expect(dropRepeats([e(5)], '5')).toEqual({ elements: [], dropped: 1 });
      const same = [e(1), e(2)];
      expect(dropRepeats(same, '7').elements).toBe(same);
    });

    it('counts a label by paging through it', async () => {
      const c = await connect();
      stub.routes = (_req, res) => json(res, 200, '{"vertices":[{"id":1},{"id":2}],"page":null}');
      await expect(c.count('vertex', 'p')).resolves.toBe(2);
    });

    it('folds pages as they stream in, dropping the repeats that pages() drops, across pages too', async () => {
      const c = await connect();
      const e = (k: number): string => `{"id":${k},"label":"p","properties":{"t":"${'x'.repeat(k * 300)}"}}`;
      const answers = [`{"edges":[${[e(1), e(2), e(2), e(3)].join(',')}],"page":"t1"}`, `{"edges":[${[e(3), e(4)].join(',')}],"page":null}`];
      let n = 0;
      stub.routes = (_req, res) => json(res, 200, answers[n++ % 2] ?? '', n % 2 === 1);
      const texts = { start: () => [] as string[], add: (list: string[], element: Buffer) => [...list, element.toString('utf8')] };
      const folded = [];
      for await (const p of c.foldPages('edge', 'knows', texts, { pageSize: 4 })) folded.push(p);
      const paged = [];
      for await (const p of c.pages('edge', 'knows', { pageSize: 4 })) paged.push(p);
      expect(folded.map((p) => p.value)).toEqual(paged.map((p) => p.elements));
      expect(folded.map(({ elements, nextPage, lastId, duplicatesDropped }) => ({ elements, nextPage, lastId, duplicatesDropped }))).toEqual([
        { elements: 3, nextPage: 't1', lastId: '3', duplicatesDropped: 1 },
        { elements: 1, nextPage: null, lastId: '4', duplicatesDropped: 1 },
      ]);
      expect(stub.requests[1]?.url).toBe('/graphs/hugegraph/graph/edges?label=knows&page=t1&limit=4');
      await expect(c.count('edge', 'knows')).resolves.toBe(4);
    });

    it('starts a streamed page again when its answer breaks off, counting nothing twice', async () => {
      const c = await connect();
      const page = `{"vertices":[${Array.from({ length: 2000 }, (_, k) => `{"id":${k},"label":"p"}`).join(',')}],"page":null}`;
      stub.routes = (_req, res) => {
        if (stub.requests.length > 1) return json(res, 200, page, true);
        // The headers and the first part of the elements, then the connection drops.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(page.length) });
        res.write(page.slice(0, 20_000), () => setTimeout(() => res.socket?.destroy(), 50));
      };
      await expect(c.count('vertex', 'p')).resolves.toBe(2000);
      expect(stub.requests).toHaveLength(2);
    });

    it('reports what a streamed page cannot be: an error status, a cut gzip stream, a truncated page', async () => {
      const c = await connect();
      stub.routes = (_req, res) => hgError(res, 404, 'org.apache.hugegraph.exception.NotFoundException', 'Undefined vertex label: p');
      await expect(c.count('vertex', 'p')).rejects.toBeInstanceOf(HugeGraphNotFoundError);
      stub.routes = (_req, res) => send(res, 200, '', false);
      await expect(c.count('vertex', 'p')).rejects.toMatchObject({ name: 'JsonSyntaxError' });
      stub.requests = [];
      stub.routes = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync('{"vertices":[{"id":1},{"id":2}],"page":null}').subarray(0, 30));
      };
      await expect(c.count('vertex', 'p')).rejects.toThrow(/truncated or corrupt/);
      expect(stub.requests).toHaveLength(noWait.maxAttempts as number);
      stub.routes = (_req, res) => json(res, 200, '{"vertices":[{"id":1},{"id":', true);
      await expect(c.count('vertex', 'p')).rejects.toMatchObject({ name: 'JsonSyntaxError' });
      await expect(c.foldPage('vertex', 'p', null, 0, { start: () => 0, add: (k) => k + 1 })).rejects.toBeInstanceOf(HugeGraphUsageError);
    });

    it('refuses a bad page size and reports a truncated answer', async () => {
      const c = await connect();
      await expect(c.fetchPage('vertex', 'p', null, 0)).rejects.toBeInstanceOf(HugeGraphUsageError);
      stub.routes = (_req, res) => json(res, 200, '{"vertices":[{"id":1},{"id":');
      await expect(c.fetchPage('vertex', 'p', null, 10)).rejects.toMatchObject({ name: 'JsonSyntaxError' });
    });
  });

  describe('batch create', () => {
    it('sends the batch as it is by default, and returns the created ids raw', async () => {
      const c = await connect();
      stub.routes = (req, res) => json(res, 201, req.url.includes('edges') ? '["S1:a>1>1>>L1208794584776818688"]' : '["1:marko",1208794584776818688]');
      const vertices = ['{"label":"person","properties":{"name":"marko"}}', '{"id":1208794584776818688,"label":"auto","properties":{}}'];
      await expect(c.createVertices(vertices)).resolves.toEqual(['"1:marko"', '1208794584776818688']);
      const sent = stub.requests[0]!;
      expect(sent.method).toBe('POST');
      expect(sent.url).toBe('/graphs/hugegraph/graph/vertices/batch');
      expect(sent.headers['content-encoding']).toBeUndefined();
      expect(sent.headers['content-type']).toBe('application/json');
      expect(sent.body).toBe(`[${vertices.join(',')}]`);

      const edge = '{"label":"e","outV":"1:a","outVLabel":"v","inV":1208794584776818688,"inVLabel":"w","properties":{}}';
      await expect(c.createEdges(`[${edge}]`, { checkVertex: false })).resolves.toEqual(['"S1:a>1>1>>L1208794584776818688"']);
      expect(stub.requests[1]).toMatchObject({ url: '/graphs/hugegraph/graph/edges/batch?check_vertex=false', body: `[${edge}]` });
      await c.createEdges([edge]);
      expect(stub.requests[2]?.url).toBe('/graphs/hugegraph/graph/edges/batch?check_vertex=true');
    });

    it('gzips the batch when requestGzipLevel asks for it', async () => {
      const c = await connect({ requestGzipLevel: 6 });
      stub.routes = (_req, res) => json(res, 201, '[1]');
      await expect(c.createVertices(['{"id":1,"label":"auto","properties":{}}'])).resolves.toEqual(['1']);
      expect(stub.requests[0]?.headers['content-encoding']).toBe('gzip');
      expect(stub.requests[0]?.body).toBe('[{"id":1,"label":"auto","properties":{}}]');
    });

    it('refuses more than 500 elements or none, before sending', async () => {
      const c = await connect();
      const many = Array.from({ length: 501 }, () => '{}');
      await expect(c.createVertices(many)).rejects.toBeInstanceOf(HugeGraphUsageError);
      await expect(c.createEdges(`[${many.join(',')}]`)).rejects.toThrow(/at most 500/);
      await expect(c.createVertices('[]')).rejects.toBeInstanceOf(HugeGraphUsageError);
      expect(stub.requests).toHaveLength(0);
    });

    it('checks that the answer has one id per element', async () => {
      const c = await connect();
      stub.routes = (_req, res) => json(res, 201, '["1:a"]');
      await expect(c.createVertices(['{}', '{}'])).rejects.toBeInstanceOf(HugeGraphProtocolError);
    });
  });

  describe('retries and errors', () => {
    it('retries 503, 500 and 400 "too busy to write", then succeeds', async () => {
      const c = await connect({ retry: { ...noWait, maxAttempts: 4 } });
      const failures: [number, string][] = [
        [503, 'The server is too busy to process the request'],
        [500, 'boom'],
        [400, 'The rest server is too busy to write'],
      ];
      stub.routes = (_req, res) => {
        const f = failures[stub.requests.length - 1];
        if (f) hgError(res, f[0], 'X', f[1]);
        else json(res, 201, '[1]');
      };
      await expect(c.createVertices(['{"label":"a"}'])).resolves.toEqual(['1']);
      expect(stub.requests).toHaveLength(4);
      expect(new Set(stub.requests.map((r) => r.body))).toEqual(new Set(['[{"label":"a"}]']));
    });

    it('gives up after maxAttempts with the typed error', async () => {
      const c = await connect();
      stub.routes = (_req, res) => hgError(res, 503, 'jakarta.ws.rs.ServiceUnavailableException', 'busy');
      await expect(c.getMode()).rejects.toBeInstanceOf(HugeGraphBusyError);
      expect(stub.requests).toHaveLength(3);
      stub.requests = [];
      stub.routes = (_req, res) => hgError(res, 500, 'java.lang.IllegalStateException', 'x');
      await expect(c.getMode()).rejects.toBeInstanceOf(HugeGraphServerError);
      expect(stub.requests).toHaveLength(3);
    });

    it('never retries other 400s, 401, 403 or 404', async () => {
      const c = await connect();
      for (const [status, type] of [
        [400, HugeGraphBadRequestError],
        [404, HugeGraphNotFoundError],
      ] as const) {
        stub.requests = [];
        stub.routes = (_req, res) => hgError(res, status, 'X', 'nope');
        await expect(c.getVertexLabel('x')).rejects.toBeInstanceOf(type);
        expect(stub.requests).toHaveLength(1);
      }
      for (const status of [401, 403]) {
        stub.requests = [];
        stub.routes = (_req, res) => hgError(res, status, 'X', 'nope');
        await expect(c.getMode()).rejects.toMatchObject({ status });
        expect(stub.requests).toHaveLength(1);
      }
    });

    it('times out a slow request and retries it only when idempotent', async () => {
      const c = await connect({ requestTimeoutMs: 150 });
      stub.routes = () => undefined; // never answers
      const err = await c.getMode().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HugeGraphTimeoutError);
      expect(stub.requests).toHaveLength(3);
      stub.requests = [];
      await expect(c.createPropertyKey({ name: 'p' })).rejects.toBeInstanceOf(HugeGraphTimeoutError);
      expect(stub.requests).toHaveLength(1);
      stub.requests = [];
      await expect(c.createVertices(['{}'], { idempotent: false })).rejects.toBeInstanceOf(HugeGraphTimeoutError);
      expect(stub.requests).toHaveLength(1);
    });

    it('retries a reset connection on idempotent calls', async () => {
      const c = await connect();
      stub.routes = (_req, res) => {
        if (stub.requests.length === 1) res.socket?.destroy();
        else json(res, 200, { mode: 'NONE' });
      };
      await expect(c.getMode()).resolves.toBe('NONE');
      expect(stub.requests).toHaveLength(2);
    });
  });

  describe('cancellation', () => {
    it('abandons a request in flight once the signal aborts, with an AbortedError', async () => {
      const c = await connect();
      stub.routes = () => undefined; // never answers
      const controller = new AbortController();
      const started = Date.now();
      const call = c.withSignal(controller.signal).getMode();
      setTimeout(() => controller.abort(new AbortedError('stopped by SIGINT')), 50);
      await expect(call).rejects.toMatchObject({ name: 'AbortedError', message: 'stopped by SIGINT' });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('stops a retry wait, and sends nothing once aborted; the client it came from is untouched', async () => {
      const c = await connect({ retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 } });
      stub.routes = (_req, res) => hgError(res, 503, 'ServiceUnavailableException', 'busy');
      const controller = new AbortController();
      const started = Date.now();
      const call = c.withSignal(controller.signal).getMode();
      setTimeout(() => controller.abort(), 50);
      await expect(call).rejects.toBeInstanceOf(AbortedError);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(stub.requests).toHaveLength(1);
      await expect(c.withSignal(controller.signal).getMode()).rejects.toBeInstanceOf(AbortedError);
      expect(stub.requests).toHaveLength(1);
      stub.routes = (_req, res) => json(res, 200, { mode: 'NONE' });
      await expect(c.getMode()).resolves.toBe('NONE');
    });

    it('stops waiting for a server task', async () => {
      const c = await connect();
      stub.routes = (_req, res) => json(res, 200, { id: 3, task_status: 'running' });
      const controller = new AbortController();
      const call = c.withSignal(controller.signal).waitForTask(3, { pollIntervalMs: 10_000 });
      setTimeout(() => controller.abort(), 50);
      await expect(call).rejects.toBeInstanceOf(AbortedError);
    });
  });

  describe('schema and tasks', () => {
    it('posts schema bodies by the mode rules and waits for index tasks', async () => {
      const c = await connect();
      let polls = 0;
      stub.routes = (req, res) => {
        if (req.url.endsWith('/schema/indexlabels')) json(res, 202, { index_label: { id: 1, name: 'byAge', status: 'CREATING' }, task_id: 9 });
        else if (req.url.endsWith('/tasks/9')) json(res, 200, { id: 9, task_name: 'byAge', task_status: ++polls < 3 ? 'running' : 'success' });
        else json(res, 202, { property_key: { id: 1, name: 'age', data_type: 'INT' }, task_id: 0 });
      };
      await expect(c.createPropertyKey({ id: 5, name: 'age', data_type: 'INT', status: 'CREATED' }, { checkExist: false })).resolves.toMatchObject({
        name: 'age',
      });
      expect(JSON.parse(stub.requests[0]!.body)).toEqual({ name: 'age', data_type: 'INT', check_exist: false });
      await expect(c.createIndexLabel({ id: 3, name: 'byAge', base_type: 'VERTEX_LABEL', base_value: 'p', index_type: 'RANGE_LONG', fields: ['age'] }, { keepId: true })).resolves.toMatchObject({
        name: 'byAge',
      });
      expect(JSON.parse(stub.requests[1]!.body)).toEqual({
        id: 3,
        name: 'byAge',
        base_type: 'VERTEX_LABEL',
        base_value: 'p',
        index_type: 'RANGE',
        fields: ['age'],
      });
      expect(polls).toBe(3);
    });

    it('drops 1.5+ edge label fields for an older server', async () => {
      stub.version = '1.3.0';
      const c = await connect();
      stub.routes = (req, res) => json(res, 201, req.body);
      await c.createEdgeLabel({ id: 1, name: 'e', edgelabel_type: 'NORMAL', source_label: 'a', target_label: 'b', links: [{ a: 'b' }] });
      expect(JSON.parse(stub.requests[0]!.body)).toEqual({ name: 'e', source_label: 'a', target_label: 'b' });
    });

    it('turns a failed or cancelled task into a typed error, and a slow one into a timeout', async () => {
      const c = await connect();
      stub.routes = (req, res) =>
        req.url.endsWith('/tasks/1')
          ? json(res, 200, { id: 1, task_name: 'rebuild', task_status: 'failed', task_result: 'java.lang.Exception: oops' })
          : req.url.endsWith('/tasks/2')
            ? json(res, 200, { id: 2, task_status: 'cancelled' })
            : json(res, 200, { id: 3, task_status: 'running' });
      await expect(c.waitForTask(1)).rejects.toMatchObject({ constructor: HugeGraphTaskFailedError, taskResult: 'java.lang.Exception: oops' });
      await expect(c.waitForTask(2)).rejects.toMatchObject({ taskStatus: 'cancelled' });
      await expect(c.waitForTask(3, { timeoutMs: 50, pollIntervalMs: 10 })).rejects.toBeInstanceOf(HugeGraphTimeoutError);
    });

    it('returns the schema parsed and raw', async () => {
      const c = await connect();
      const text =
        '{"propertykeys":[{"id":1,"name":"age","data_type":"INT"}],"vertexlabels":[],"edgelabels":[],"indexlabels":[{"id":2,"name":"i","base_type":"VERTEX_LABEL","base_value":"p","index_type":"RANGE_INT","fields":["age"]}]}';
      stub.routes = (_req, res) => json(res, 200, text);
      const s = await c.getSchema();
      expect(s.propertykeys.elements).toEqual([{ id: 1, name: 'age', data_type: 'INT' }]);
      expect(s.propertykeys.raw).toBe('[{"id":1,"name":"age","data_type":"INT"}]');
      expect(s.indexlabels.rawElements).toHaveLength(1);
      expect(s.vertexlabels.raw).toBe('[]');
    });
  });
});
