import { parseBackupId } from '../format';
import { AUTH_CONFLICT_STRATEGIES, RESTORE_TYPES, type RestoreMode, type RestoreRequest } from '../restore/types';
import { API_REFUSALS, ApiError } from './http';

/** `POST /restores` as the caller sends it (also the API Gateway model in infra/constructs/restore-api.ts). */
export interface RestoreBody {
  /** The backup's full location, `<backup root>/<graph>/<backupId>`; or give graph and backupId. */
  readonly backup?: string;
  readonly graph?: string;
  /** A backup id, or `latest` for the newest complete backup of `graph`. */
  readonly backupId?: string;
  readonly target: { readonly url?: string; readonly graph: string; readonly graphspace?: string };
  readonly mode: RestoreMode;
  /** Client-chosen id; the execution name, so a retried request never starts a second restore. */
  readonly restoreId?: string;
  /** Also count every label on the target by reading it back (see RestoreRequest.verifyTarget). */
  readonly verifyTarget?: boolean;
  /** What to restore (see RestoreRequest.types). @default all the backup holds */
  readonly types?: RestoreRequest['types'];
  /** Auth objects the target server already has (see RestoreRequest.authConflict). @default 'stop' */
  readonly authConflict?: RestoreRequest['authConflict'];
  /**
   * Read every data file once before the first write (see RestoreRequest.preflightRead). `false`
   * for a backup verified already, or one too large to read within the plan step's 15 minutes.
   * @default true
   */
  readonly preflightRead?: boolean;
}

export const LATEST = 'latest';
/** Step Functions execution names allow more, but the id also names a folder of restore records. */
export const RESTORE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
/** HugeGraph graph names (GraphManager checks `[a-zA-Z][a-zA-Z0-9_]{0,47}`). */
export const GRAPH_NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
const MODES: readonly RestoreMode[] = ['RESTORING', 'MERGING'];
const KEYS = new Set(['backup', 'graph', 'backupId', 'target', 'mode', 'restoreId', 'verifyTarget', 'types', 'authConflict', 'preflightRead']);
const TARGET_KEYS = new Set(['url', 'graph', 'graphspace']);

/** Checks the shape of a restore request and reports every problem at once (400). */
export function parseRestoreBody(raw: unknown): RestoreBody {
  const problems: string[] = [];
  if (!isObject(raw)) throw new ApiError(API_REFUSALS.invalidRequest, 'the body must be a JSON object');
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) problems.push(`unknown field ${key}`);

  const { backup, graph, backupId, target, mode, restoreId, verifyTarget, types, authConflict, preflightRead } = raw;
  if (backup !== undefined) {
    if (typeof backup !== 'string' || !backup.startsWith('s3://')) problems.push('backup must be an s3:// location');
    if (graph !== undefined || backupId !== undefined) problems.push('give either backup, or graph and backupId, not both');
  } else {
    if (typeof graph !== 'string' || !GRAPH_NAME.test(graph)) problems.push('graph must be a graph name (or give backup)');
    if (typeof backupId !== 'string' || (backupId !== LATEST && !parseBackupId(backupId))) {
      problems.push(`backupId must be a backup id such as 20261124T215600Z-3f9a, or "${LATEST}"`);
    }
  }

  if (!isObject(target)) problems.push('target must be an object {url?, graph, graphspace?}');
  else {
    for (const key of Object.keys(target)) if (!TARGET_KEYS.has(key)) problems.push(`unknown field target.${key}`);
    if (typeof target.graph !== 'string' || !GRAPH_NAME.test(target.graph)) problems.push('target.graph must be a graph name');
    if (target.url !== undefined && (typeof target.url !== 'string' || !isHttpUrl(target.url))) problems.push('target.url must be an http(s) URL');
    if (target.graphspace !== undefined && typeof target.graphspace !== 'string') problems.push('target.graphspace must be a string');
  }
  if (typeof mode !== 'string' || !MODES.includes(mode as RestoreMode)) problems.push(`mode must be one of ${MODES.join(', ')}`);
  if (restoreId !== undefined && (typeof restoreId !== 'string' || !RESTORE_ID.test(restoreId))) {
    problems.push('restoreId must be 1 to 80 letters, digits, "-" or "_", starting with a letter or digit');
  }
  if (verifyTarget !== undefined && typeof verifyTarget !== 'boolean') problems.push('verifyTarget must be true or false');
  if (types !== undefined && !(Array.isArray(types) && types.length > 0 && types.every((t) => RESTORE_TYPES.includes(t)))) {
    problems.push(`types must list one or more of ${RESTORE_TYPES.join(', ')}`);
  }
  if (authConflict !== undefined && !AUTH_CONFLICT_STRATEGIES.includes(authConflict as never)) problems.push(`authConflict must be one of ${AUTH_CONFLICT_STRATEGIES.join(', ')}`);
  if (preflightRead !== undefined && typeof preflightRead !== 'boolean') problems.push('preflightRead must be true or false');
  if (problems.length) throw new ApiError(API_REFUSALS.invalidRequest, `the restore request is invalid: ${problems.join('; ')}`, { problems });
  return raw as unknown as RestoreBody;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
