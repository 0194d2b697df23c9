import { HgbrError } from '../errors';

/** The part of an API Gateway REST (v1) Lambda proxy event the API reads. */
export interface ApiEvent {
  /** The resource path as declared, e.g. `/restores/{id}`. */
  readonly resource: string;
  readonly httpMethod: string;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
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

/** A failure the caller can act on: its status, a stable code, and what to change. */
export class ApiError extends HgbrError {
  constructor(
    readonly statusCode: number,
    code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message, code);
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
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return json(error.statusCode, { error: body });
}

/** The JSON body of a request; an unreadable body is the caller's error. */
export function parseBody(event: ApiEvent): unknown {
  if (!event.body) throw new ApiError(400, 'InvalidRequest', 'the request needs a JSON body');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'InvalidRequest', 'the request body is not valid JSON');
  }
}

/** Absolute URL of `path` below the request's own URL (stage and base path kept), when known. */
export function urlBelowRequest(event: ApiEvent, ...segments: string[]): string {
  const tail = segments.map(encodeURIComponent).join('/');
  const { domainName, path } = event.requestContext ?? {};
  if (!domainName || !path) return `/${tail}`;
  return `https://${domainName}${path.replace(/\/+$/, '')}/${tail}`;
}
