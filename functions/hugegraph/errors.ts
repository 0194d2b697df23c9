/**
 * Typed errors of the HugeGraph client. Each class's code (= its `name`) is part of the state
 * machines' contract: Retry matches the transient ones, Catch all of them.
 */
import { HgbrError, type HgbrErrorOptions } from '../errors';
import { isLosslessNumber, parseLossless } from '../json/lossless';

/** Where a request went; never carries credentials. */
export interface RequestInfo {
  readonly method: string;
  readonly path: string;
}

/** The `exception` and `message` fields of a server's error answer. */
export interface ErrorBody {
  readonly exception?: string;
  readonly message?: string;
}

/** Base of every error raised by the HugeGraph client. */
export abstract class HugeGraphError extends HgbrError {
  readonly method?: string;
  readonly path?: string;

  constructor(message: string, request?: RequestInfo, options?: HgbrErrorOptions) {
    super(message, options);
    this.method = request?.method;
    this.path = request?.path;
  }
}

/** The server answered with an error status. */
export class HugeGraphHttpError extends HugeGraphError {
  static override readonly code: string = 'HugeGraphHttpError';
  /** HTTP status. */
  readonly status: number;
  /** The server's `exception` field, e.g. `class org.apache.hugegraph.exception.NotFoundException`. */
  readonly exception?: string;
  /** The server's `message` field (or the raw body when it was not the usual JSON). */
  readonly serverMessage?: string;

  constructor(status: number, request: RequestInfo, body: ErrorBody, options?: HgbrErrorOptions) {
    const what = body.message ? `: ${body.message}` : '';
    super(`HugeGraph ${request.method} ${request.path} failed with ${status}${what}`, request, options);
    this.status = status;
    this.exception = body.exception;
    this.serverMessage = body.message;
  }
}

export class HugeGraphNotFoundError extends HugeGraphHttpError {
  static override readonly code = 'HugeGraphNotFoundError';
  static override readonly hint = 'check the graph, graphspace, label or id name';
}

/** 400 `ExistedException` ("… has existed"). */
export class HugeGraphAlreadyExistsError extends HugeGraphHttpError {
  static override readonly code = 'HugeGraphAlreadyExistsError';
  static override readonly hint = 'the element exists already; use checkExist: false to accept an identical one';
}

export class HugeGraphBadRequestError extends HugeGraphHttpError {
  static override readonly code = 'HugeGraphBadRequestError';
  static override readonly hint = 'the server refused the request as written; its message says which part';
}

export class HugeGraphUnauthorizedError extends HugeGraphHttpError {
  static override readonly code = 'HugeGraphUnauthorizedError';
  static override readonly hint = 'give a username and password (HUGEGRAPH_USERNAME / HUGEGRAPH_PASSWORD)';
  /** When credentials were sent, the server refused them: the advice is to check them, not to give some. */
  static readonly refusedHint = 'the server refused the username and password given: check them (--user / --password, or HUGEGRAPH_USERNAME / HUGEGRAPH_PASSWORD)';
}

export class HugeGraphForbiddenError extends HugeGraphHttpError {
  static override readonly code = 'HugeGraphForbiddenError';
  static override readonly hint = 'the user lacks permission; use an admin user';
}

/** 503, or 400 "The rest server is too busy to write": always worth a retry with back-off. */
export class HugeGraphBusyError extends HugeGraphHttpError {
  static override readonly code = 'HugeGraphBusyError';
  static override readonly transient = true;
  static override readonly hint = 'lower the concurrency or raise restserver.max_worker_threads / batch.max_write_ratio';
}

/** 500 and other 5xx except 503. */
export class HugeGraphServerError extends HugeGraphHttpError {
  static override readonly code = 'HugeGraphServerError';
  static override readonly transient = true;
  static override readonly hint = 'see the HugeGraph server log';
}

/** No (complete) answer within the request timeout, or a task did not finish in time. */
export class HugeGraphTimeoutError extends HugeGraphError {
  static override readonly code = 'HugeGraphTimeoutError';
  static override readonly transient = true;
  static override readonly hint = 'raise the timeout or make the request smaller (page size, shard size)';
}

/** The connection could not be made or broke (refused, reset, DNS, TLS…). */
export class HugeGraphConnectionError extends HugeGraphError {
  static override readonly code = 'HugeGraphConnectionError';
  static override readonly transient = true;
  static override readonly hint = 'is the HugeGraph server running and reachable at this URL?';
  /** The system error code, e.g. ECONNREFUSED or ECONNRESET, when known. */
  readonly errno?: string;

  constructor(message: string, request?: RequestInfo, errno?: string, options?: HgbrErrorOptions) {
    super(message, request, options);
    this.errno = errno;
  }
}

/** An asynchronous server task ended `failed` or `cancelled`. */
export class HugeGraphTaskFailedError extends HugeGraphError {
  static override readonly code = 'HugeGraphTaskFailedError';
  static override readonly hint = 'see task_result and the server log';

  constructor(
    readonly taskId: number,
    readonly taskStatus: string,
    readonly taskResult: string | undefined,
    readonly taskName?: string,
  ) {
    super(`HugeGraph task ${taskId}${taskName ? ` (${taskName})` : ''} ended ${taskStatus}${taskResult ? `: ${taskResult}` : ''}`);
  }
}

/** The server's answer was not what the API promises (unparseable JSON, missing field). */
export class HugeGraphProtocolError extends HugeGraphError {
  static override readonly code = 'HugeGraphProtocolError';
  static override readonly hint = 'is this URL a HugeGraph server of a supported version (1.0 to 1.7)?';
}

/** The caller asked for something the client refuses before sending (e.g. a batch above 500). */
export class HugeGraphUsageError extends HugeGraphError {
  static override readonly code = 'HugeGraphUsageError';
  static override readonly hint = 'this is a bug in the caller of the HugeGraph client; please report it';

  constructor(message: string, hint?: string) {
    super(message, undefined, { hint });
  }
}

/** The `exception` and `message` fields of an error body; the raw text when it is not JSON. */
export function parseErrorBody(text: string): ErrorBody {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (trimmed.startsWith('{')) {
    try {
      const v = parseLossless(trimmed);
      if (v && typeof v === 'object' && !Array.isArray(v) && !isLosslessNumber(v)) {
        const o = v as Record<string, unknown>;
        const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
        return { exception: str(o['exception']), message: str(o['message']) ?? str(o['error']) };
      }
    } catch {
      // Fall through to the raw text: a proxy's HTML page, a truncated body…
    }
  }
  return { message: trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed };
}

const TOO_BUSY = /too busy to write/i;
/** 1.7.0 answers a missing graph or graphspace with 500 NullPointerException `… because "graph" is null`. */
const MISSING_GRAPH_NPE = /because "graph" is null/;
const EXISTED = /ExistedException/;
const HAS_EXISTED = /has existed/i;
/** Writing or listing an unknown label is a 400 IllegalArgumentException "Undefined vertex label: 'x'". */
const UNDEFINED_LABEL = /^Undefined (vertex|edge) label/i;

/** Maps an error status and body to the matching typed error; `credentialsSent` tells a 401's two causes apart. */
export function errorFromResponse(status: number, request: RequestInfo, bodyText: string, credentialsSent = false): HugeGraphHttpError {
  const body = parseErrorBody(bodyText);
  const message = body.message ?? '';
  if (status === 400) {
    if (TOO_BUSY.test(message)) return new HugeGraphBusyError(status, request, body);
    if (EXISTED.test(body.exception ?? '') || HAS_EXISTED.test(message)) return new HugeGraphAlreadyExistsError(status, request, body);
    if (UNDEFINED_LABEL.test(message)) return new HugeGraphNotFoundError(status, request, body);
    return new HugeGraphBadRequestError(status, request, body);
  }
  if (status === 401) return new HugeGraphUnauthorizedError(status, request, body, credentialsSent ? { hint: HugeGraphUnauthorizedError.refusedHint } : undefined);
  if (status === 403) return new HugeGraphForbiddenError(status, request, body);
  if (status === 404) return new HugeGraphNotFoundError(status, request, body);
  if (status === 503) return new HugeGraphBusyError(status, request, body);
  if (status === 500 && /NullPointerException/.test(body.exception ?? '') && MISSING_GRAPH_NPE.test(message)) {
    return new HugeGraphNotFoundError(status, request, { ...body, message: `Graph does not exist (the server failed with: ${message})` });
  }
  if (status >= 500) return new HugeGraphServerError(status, request, body);
  return new HugeGraphHttpError(status, request, body);
}
