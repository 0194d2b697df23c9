/**
 * The HTTP layer of the HugeGraph client: one bounded keep-alive undici `Pool` per server origin,
 * basic auth, gzip (request and response), a per-request deadline, error mapping and retries.
 * It returns bodies as bytes and text; it never parses graph data.
 */
import { pipeline } from 'node:stream';
import { createGunzip, createInflate, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { type Dispatcher, Pool } from 'undici';
import { abortedError, eitherSignal, throwIfAborted } from '../abort';
import { HgbrError } from '../errors';
import { decodeUtf8 } from '../json/scan';
import { errorFromResponse, HugeGraphConnectionError, HugeGraphProtocolError, HugeGraphTimeoutError, HugeGraphUnauthorizedError, HugeGraphUsageError, type RequestInfo } from './errors';
import { resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions, withRetry } from './retry';

// Bodies are (de)compressed synchronously: they are bounded (a batch of 500, a page), a few
// milliseconds each, and zlib's asynchronous form costs about 1.8x the CPU (thread-pool hand-offs)
// for the same work: measured on 150 KB batches, 0.23 ms against 0.13 ms each. A streamed answer
// (requestStreaming) is the exception: what it saves is holding a whole page at once.

/** Request bodies go uncompressed unless a client asks (see {@link HttpOptions.requestGzipLevel}). */
export const DEFAULT_REQUEST_GZIP_LEVEL = 0;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

export interface HttpOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8080` (a path prefix such as `/hugegraph` is kept). */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Deadline of one attempt, from sending to the last body byte. @default 120000 */
  readonly requestTimeoutMs?: number;
  /** Keep-alive connections to the server at most. @default 8 */
  readonly maxConnections?: number;
  readonly retry?: RetryOptions;
  /**
   * gzip level for the bodies of requests that allow it (element batches), 1 fastest … 9
   * smallest; 0 sends them as they are. Off by default: at level 1 it cost the client 2.7 s of CPU
   * per million elements (1.3 ms per 500-element batch), more than everything else a restore does,
   * to save bandwidth that a client next to its server does not lack. Worth it on a slow link.
   * @default {@link DEFAULT_REQUEST_GZIP_LEVEL}
   */
  readonly requestGzipLevel?: number;
  /**
   * Asked for the current credentials when the server answers 401: a password rotated after this
   * client was made (a secret changed while a Lambda container lives on). When the answer differs
   * from the credentials in use, the request is sent once more with it. @default none
   */
  readonly refreshCredentials?: () => Promise<Credentials | undefined>;
}

/** Basic-auth credentials. */
export interface Credentials {
  readonly username?: string;
  readonly password?: string;
}

export interface HttpRequest {
  readonly method: HttpMethod;
  /** Absolute path below the base URL, starting with `/`, without query. Segments already encoded. */
  readonly path: string;
  /** Encoded with encodeURIComponent; an array repeats the parameter; undefined is left out; null and '' send `name=`. */
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** JSON text or bytes; sent as `application/json`. */
  readonly body?: string | Uint8Array;
  /** The body may be sent gzip-compressed (`Content-Encoding: gzip`), when the client's `requestGzipLevel` asks for it. */
  readonly gzip?: boolean;
  /** Repeating the call is harmless, so time-outs and resets after sending may be retried. */
  readonly idempotent: boolean;
  /** Overrides the client's per-attempt timeout. */
  readonly timeoutMs?: number;
  /** Set to false to try only once (e.g. the first contact with a server). */
  readonly retry?: boolean;
  /** Extra retry-policy overrides for this call. */
  readonly retryOptions?: RetryOptions;
  /** Abandons the request, its retries and their waits: it then fails with an AbortedError. */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Decompressed body bytes. */
  readonly body: Buffer;
  /** Decompressed body size in bytes. */
  readonly bytes: number;
  /** The body decoded as strict UTF-8. */
  text(): string;
}

/** Reads a 2xx answer's decompressed body as it arrives (see {@link HugeGraphHttp.requestStreaming}). */
export type BodyReader<T> = (body: AsyncIterable<Buffer>) => Promise<T>;

/** What one attempt does with the answer; `authorized`: whether it carried credentials (what a 401 means). */
type Receive<T> = (res: Dispatcher.ResponseData, info: RequestInfo, authorized: boolean) => Promise<T>;

export function encodeQuery(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values as readonly (string | number | boolean | null)[]) {
      parts.push(`${encodeURIComponent(name)}=${v === null ? '' : encodeURIComponent(String(v))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Finds a Node system error code (ECONNRESET…) on an error or its causes. */
function systemCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function basicAuthorization(credentials: Credentials): string | undefined {
  if (credentials.username === undefined && credentials.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`, 'utf8').toString('base64')}`;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class HugeGraphHttp {
  readonly baseUrl: URL;
  private readonly basePath: string;
  private readonly pool: Pool;
  private authorization?: string;
  private readonly refreshCredentials?: () => Promise<Credentials | undefined>;
  private refreshing?: Promise<string | undefined>;
  private readonly timeoutMs: number;
  private readonly retry: ResolvedRetryOptions;
  private readonly requestGzipLevel: number;
  private closed = false;

  constructor(options: HttpOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new HugeGraphUsageError(`Invalid HugeGraph URL '${options.url}'`, 'give a URL such as http://127.0.0.1:8080');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HugeGraphUsageError(`Unsupported protocol '${url.protocol}' in the HugeGraph URL`, 'use http:// or https://');
    }
    if (url.username || url.password) {
      throw new HugeGraphUsageError('The HugeGraph URL must not carry credentials', 'pass username and password separately');
    }
    this.baseUrl = url;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.requestTimeoutMs ?? 120_000;
    this.retry = resolveRetryOptions(options.retry);
    this.requestGzipLevel = options.requestGzipLevel ?? DEFAULT_REQUEST_GZIP_LEVEL;
    this.authorization = basicAuthorization(options);
    this.refreshCredentials = options.refreshCredentials;
    this.pool = new Pool(url.origin, {
      connections: Math.max(1, options.maxConnections ?? 8),
      // The server closes idle keep-alive connections after 30 s; drop ours well before.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 20_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: Math.min(this.timeoutMs, 10_000) },
    });
  }

  /** Sends one request with retries; resolves with a 2xx response, rejects with a typed error. */
  request(req: HttpRequest): Promise<HttpResponse> {
    return this.send(req, (res, info, authorized) => this.collect(res, info, authorized));
  }

  /**
   * {@link request}, but a 2xx answer's body goes to `read`, decompressed, chunk by chunk as it
   * arrives, and the request resolves with what `read` returns: memory for a chunk instead of the
   * whole answer. An attempt that fails part-way (connection lost, deadline) is retried from the
   * start with a fresh call of `read`, so `read` must keep what it finds to itself until it returns.
   * Errors `read` throws end the request as they are.
   */
  requestStreaming<T>(req: HttpRequest, read: BodyReader<T>): Promise<T> {
    return this.send(req, async (res, info, authorized) => {
      if (res.statusCode < 200 || res.statusCode >= 300) await this.collect(res, info, authorized);
      const encoding = headerValue(res.headers['content-encoding'])?.toLowerCase();
      const decompress = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : undefined;
      const body: AsyncIterable<Buffer> = decompress ? pipeline(res.body, decompress, () => undefined) : res.body;
      try {
        return await read(body);
      } finally {
        if (!res.body.readableEnded) res.body.destroy();
      }
    });
  }

  private async send<T>(req: HttpRequest, receive: Receive<T>): Promise<T> {
    if (this.closed) throw new HugeGraphConnectionError('The HugeGraph client is closed');
    throwIfAborted(req.signal);
    const pathWithQuery = `${this.basePath}${req.path}${encodeQuery(req.query)}`;
    const info: RequestInfo = { method: req.method, path: pathWithQuery };
    let body: Uint8Array | undefined = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'gzip' };
    if (this.authorization) headers['authorization'] = this.authorization;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      if (req.gzip && this.requestGzipLevel > 0) {
        body = gzipSync(body, { level: this.requestGzipLevel });
        headers['content-encoding'] = 'gzip';
      }
    }
    const once = (): Promise<T> => this.attempt(req, info, headers, body, receive);
    const sendWithRetries = (): Promise<T> => {
      if (req.retry === false) return once();
      const retry = req.retryOptions ? { ...this.retry, ...resolveRetryOptionsPartial(req.retryOptions) } : this.retry;
      return withRetry(once, retry, { idempotent: req.idempotent, signal: req.signal });
    };
    const refused = this.authorization;
    try {
      return await sendWithRetries();
    } catch (error) {
      if (!(error instanceof HugeGraphUnauthorizedError) || !(await this.refreshAuthorization(refused))) throw error;
      if (this.authorization) headers['authorization'] = this.authorization;
      else delete headers['authorization'];
      return sendWithRetries();
    }
  }

  /**
   * After a 401 to `refused`: true when there are other credentials to try, those another request
   * refreshed meanwhile (requests in flight all fail at once) or the current ones.
   */
  private async refreshAuthorization(refused: string | undefined): Promise<boolean> {
    if (!this.refreshCredentials) return false;
    if (this.authorization !== refused) return true;
    // One refresh for every request the same credentials failed.
    this.refreshing ??= this.refreshCredentials().then((fresh) => basicAuthorization(fresh ?? {}));
    try {
      const fresh = await this.refreshing;
      if (this.authorization === refused) this.authorization = fresh;
    } finally {
      this.refreshing = undefined;
    }
    return this.authorization !== refused;
  }

  /** One attempt within the deadline: the answer goes to `receive`; transport errors become typed ones. */
  private async attempt<T>(req: HttpRequest, info: RequestInfo, headers: Record<string, string>, body: Uint8Array | undefined, receive: Receive<T>): Promise<T> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await this.pool.request({
        method: req.method,
        path: info.path,
        headers,
        body,
        signal: eitherSignal(controller.signal, req.signal),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      return await receive(res, info, headers['authorization'] !== undefined);
    } catch (err) {
      if (req.signal?.aborted) throw abortedError(req.signal);
      const code = systemCode(err);
      if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
        throw new HugeGraphTimeoutError(`HugeGraph ${info.method} ${info.path} got no complete answer within ${timeoutMs} ms`, info, {
          cause: err,
        });
      }
      if (HgbrError.isHgbrError(err)) throw err;
      if (code?.startsWith('Z_')) throw truncatedError(info, err);
      const detail = code ?? (err instanceof Error ? err.message : String(err));
      throw new HugeGraphConnectionError(`HugeGraph ${info.method} ${info.path} failed to reach ${this.baseUrl.origin}: ${detail}`, info, code, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** The whole body, decompressed: a 2xx response, or the typed error of any other status. */
  private async collect(res: Dispatcher.ResponseData, info: RequestInfo, authorized: boolean): Promise<HttpResponse> {
    const raw = Buffer.from(await res.body.arrayBuffer());
    let decoded = raw;
    const encoding = headerValue(res.headers['content-encoding'])?.toLowerCase();
    try {
      if (encoding === 'gzip' || encoding === 'x-gzip') decoded = gunzipSync(raw);
      else if (encoding === 'deflate') decoded = inflateSync(raw);
    } catch (cause) {
      throw truncatedError(info, cause);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw errorFromResponse(res.statusCode, info, decoded.toString('utf8'), authorized);
    }
    let text: string | undefined;
    return {
      status: res.statusCode,
      headers: res.headers,
      body: decoded,
      bytes: decoded.length,
      text: () => {
        if (text === undefined) {
          try {
            text = decodeUtf8(decoded);
          } catch (cause) {
            throw new HugeGraphProtocolError(`HugeGraph ${info.method} ${info.path}: response is not UTF-8`, info, { cause });
          }
        }
        return text;
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }
}

/** A truncated gzip stream means the connection broke mid-body. */
function truncatedError(info: RequestInfo, cause: unknown): HugeGraphConnectionError {
  return new HugeGraphConnectionError(`HugeGraph ${info.method} ${info.path}: response body is truncated or corrupt`, info, 'ECONNRESET', { cause });
}

function resolveRetryOptionsPartial(options: RetryOptions): Partial<ResolvedRetryOptions> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as Partial<ResolvedRetryOptions>;
}
