/**
 * Lambda entry point of the restore API (infra/constructs/restore-api.ts). The domain lives in
 * functions/api; this file only builds its dependencies once per container.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { storageCache } from '../workflow/runtime';
import { apiConfigFromEnv } from '../api/config';
import type { ApiEvent, ApiResponse } from '../api/http';
import { handleApiRequest } from '../api/router';
import { logger } from './lambda';
import type { ApiDeps } from '../api/restores';

let deps: ApiDeps | undefined;

export async function handler(event: ApiEvent): Promise<ApiResponse> {
  deps ??= { config: apiConfigFromEnv(process.env), sfn: new SFNClient({}), storage: storageCache() };
  return handleApiRequest(deps, event, logEntry);
}

/** The router's log entries through the stack's logger. */
function logEntry({ level, message, ...keys }: Record<string, unknown>): void {
  if (level === 'ERROR') logger.error(String(message), keys);
  else logger.warn(String(message), keys);
}
