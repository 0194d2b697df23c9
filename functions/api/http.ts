import { HgbrError } from '../errors';

/** The part of an API Gateway REST (v1) Lambda proxy event the API reads. */
export interface ApiEvent {
  /** The resource path as declared, e.g. `/restores/{id}`. */
  readonly resource: string;
  readonly httpMethod: string;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  /** Request headers, as API Gateway passes them (names in the caller's case). */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly domainName?: string;
    /** The full request path, stage included, e.g. `/v1/restores`. */
    readonly path?: string;
    readonly requestId?: string;
  };
}

export interface ApiResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Every refusal the API answers with: its HTTP status and the stable code in the body
 * (`{"error": {"code": …}}`), which clients match on (docs/deployment.md).
 */
export const API_REFUSALS = {
  invalidRequest: { status: 400, code: 'InvalidRequest' },
  ambiguousTarget: { status: 400, code: 'AmbiguousTarget' },
  backupOutsideRoot: { status: 400, code: 'BackupOutsideRoot' },
  targetNotAllowed: { status: 403, code: 'TargetNotAllowed' },
  notFound: { status: 404, code: 'NotFound' },
  restoreNotFound: { status: 404, code: 'RestoreNotFound' },
  backupNotFound: { status: 404, code: 'BackupNotFound' },
  restoreIdInUse: { status: 409, code: 'RestoreIdInUse' },
  incompleteBackup: { status: 422, code: 'IncompleteBackup' },
  internalError: { status: 500, code: 'InternalError' },
} as const;

export type ApiRefusal = (typeof API_REFUSALS)[keyof typeof API_REFUSALS];

/** A failure the caller can act on: one of {@link API_REFUSALS}, and what to change. */
export class ApiError extends HgbrError {
  static override readonly code = 'ApiError';
  readonly statusCode: number;
  /** The refusal's code, as the response body carries it. */
  readonly apiCode: string;

  constructor(
    refusal: ApiRefusal,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.statusCode = refusal.status;
    this.apiCode = refusal.code;
  }
}

export function json(statusCode: number, body: unknown): ApiResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: ApiError): ApiResponse {
  const body: Record<string, unknown> = { code: error.apiCode, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return json(error.statusCode, { error: body });
}

/** The JSON body of a request; an unreadable body is the caller's error. */
export function parseBody(event: ApiEvent): unknown {
  if (!event.body) throw new ApiError(API_REFUSALS.invalidRequest, 'the request needs a JSON body');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(API_REFUSALS.invalidRequest, 'the request body is not valid JSON');
  }
}

/** Absolute URL of `path` below the request's own URL (stage and base path kept), when known. */
export function urlBelowRequest(event: ApiEvent, ...segments: string[]): string {
  const tail = segments.map(encodeURIComponent).join('/');
  const { domainName, path } = event.requestContext ?? {};
  if (!domainName || !path) return `/${tail}`;
  return `https://${domainName}${path.replace(/\/+$/, '')}/${tail}`;
}

/** A request header by name, whatever its case. */
export function headerOf(event: ApiEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted && value !== undefined && value !== '') return value;
  return undefined;
}
