import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RecordedRequest } from './recording-proxy';

/**
 * What the proxy does with one request instead of forwarding it faithfully:
 * - `status`: answers at once with this status and an S3-style error body (`code`), forwarding nothing;
 * - `lose-answer`: forwards it, lets the server act on it, then answers 500 in place of its answer;
 * - `cut`: forwards it and passes the answer on, but closes the connection after `afterBytes` bytes of its body;
 * - `reset`: closes the connection without an answer;
 * - `hold`: forwards it once `until` resolves (a slow server), unchanged.
 */
export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly code: string }
  | { readonly kind: 'lose-answer' }
  | { readonly kind: 'cut'; readonly afterBytes: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hold'; readonly until: Promise<void> };

/** Decides, per request, whether it meets a fault; `undefined` forwards it unchanged. */
export type FaultRule = (request: RecordedRequest) => Fault | undefined;

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it as the endpoint instead of the server's. */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Every fault served, with the request it was served to. */
  readonly served: { readonly fault: Fault; readonly request: RecordedRequest }[];
  rule: FaultRule;
  /** From now on, every connection is closed as soon as it opens, open ones at once (the server went away). */
  goDown(): void;
  comeBack(): void;
  close(): Promise<void>;
}

/** A proxy on 127.0.0.1 in front of `target` (a real HugeGraph or S3 server) that injects faults by rule. */
export async function startFaultProxy(target: string, rule: FaultRule = () => undefined): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let down = false;
  const proxy: FaultProxy = {
    endpoint: '',
    requests: [],
    served: [],
    rule,
    goDown: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    comeBack: () => {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer(async (req, res) => {
    const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    proxy.requests.push(request);
    const fault = proxy.rule(request);
    if (fault) proxy.served.push({ fault, request });
    if (fault?.kind === 'hold') {
      req.pause();
      await fault.until;
      if (req.socket.destroyed) return;
    }
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'status') {
      req.resume();
      const body =
        req.method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the fault proxy</Message><RequestId>fault</RequestId></Error>`;
      res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (fault?.kind === 'lose-answer') {
        answer.resume();
        answer.on('end', () => {
          const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>the answer was lost</Message><RequestId>fault</RequestId></Error>';
          res.writeHead(500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (fault?.kind !== 'cut') return void answer.pipe(res);
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        const room = fault.afterBytes - sent;
        if (room > 0) res.write(chunk.subarray(0, room));
        sent += chunk.length;
        if (sent >= fault.afterBytes) {
          answer.destroy();
          req.socket.destroy();
        }
      });
      answer.on('end', () => res.end());
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket: Socket) => {
    if (down) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** The object key an S3 request names (path-style: `/<bucket>/<key>`), without the query. */
export function s3Key(request: RecordedRequest, bucket: string): string {
  const path = decodeURIComponent((request.url.split('?')[0] ?? '').replace(/^\//, ''));
  return path.startsWith(`${bucket}/`) ? path.slice(bucket.length + 1) : path;
}
