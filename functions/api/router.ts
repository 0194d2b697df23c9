import { listCompleteBackups } from './backups';
import { API_REFUSALS, ApiError, errorResponse, headerOf, json, parseBody, urlBelowRequest, type ApiEvent, type ApiResponse } from './http';
import { describeRestore, startRestore, type ApiDeps } from './restores';

/**
 * The restore API: one Lambda behind API Gateway (IAM auth, request models). Routes on the
 * declared resource, maps ApiErrors to their status and anything else to a 500 that says no more
 * than a request id (details go to the log, never to the caller).
 */
export async function handleApiRequest(deps: ApiDeps, event: ApiEvent, log: (entry: Record<string, unknown>) => void = defaultLog): Promise<ApiResponse> {
  try {
    const route = `${event.httpMethod} ${event.resource}`;
    switch (route) {
      case 'POST /restores': {
        const started = await startRestore(deps, parseBody(event), (id) => urlBelowRequest(event, id), headerOf(event, 'idempotency-key'));
        return json(started.statusCode, started.body);
      }
      case 'GET /restores/{id}':
        return json(200, await describeRestore(deps, event.pathParameters?.id ?? ''));
      case 'GET /backups':
        return json(200, await listCompleteBackups(deps, event.queryStringParameters?.graph || undefined, event.queryStringParameters?.graphspace || undefined));
      default:
        throw new ApiError(API_REFUSALS.notFound, `no route ${route}`);
    }
  } catch (error) {
    if (error instanceof ApiError) {
      log({ level: 'WARN', message: 'request refused', code: error.apiCode, statusCode: error.statusCode, detail: error.message });
      return errorResponse(error);
    }
    const requestId = event.requestContext?.requestId;
    log({ level: 'ERROR', message: 'request failed', error: (error as Error).name, detail: (error as Error).message, requestId });
    return errorResponse(new ApiError(API_REFUSALS.internalError, `the request failed; quote request id ${requestId ?? '(none)'} when reporting it`));
  }
}

/** Lambda's JSON log format takes the level from the console method and keeps objects structured. */
function defaultLog(entry: Record<string, unknown>): void {
  if (entry.level === 'ERROR') console.error(entry);
  else console.warn(entry);
}
