import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: give it as the endpoint instead of the target's. */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  /** Runs (and is awaited) before a request is forwarded: a test acts on the server at that moment. */
  readonly beforeForward?: (request: RecordedRequest) => Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 that forwards every request to `target` unchanged and records its method, URL and headers. */
export async function startRecordingProxy(target: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    requests.push(recorded);
    req.pause();
    try {
      await options.beforeForward?.(recorded);
    } catch {
      res.destroy(); // the test's action failed: the client sees a broken connection
      return;
    }
    forwardRequest(upstream, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends `req` on to `upstream` (at `path`, by default its own) and its answer back, unchanged; a failure breaks the client's connection. */
export function forwardRequest(upstream: URL, req: http.IncomingMessage, res: http.ServerResponse, path = req.url): void {
  const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', () => res.destroy());
  req.pipe(forward);
}
