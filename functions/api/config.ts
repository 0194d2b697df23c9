import type { GraphRef } from '../workflow/graph-ref';
import { HgbrError } from '../errors';
import { formatLocation, parseLocation } from '../storage/storage';

/** What the restore API needs to know about its deployment; the stack sets it in the environment. */
export interface ApiConfig {
  /** ARN of the restore state machine the API starts and reports on. */
  readonly restoreStateMachineArn: string;
  /** Root the backups are read from, e.g. `s3://bucket/backups` (another account's bucket after a migration). */
  readonly backupRoot: string;
  /** Where restores keep their locks and work lists; passed as `stateLocation` to every restore. */
  readonly stateLocation: string;
  /** The only graphs a restore may write to. */
  readonly targets: readonly GraphRef[];
  /** Element batches in flight per file for the restores the API starts. @default the restore's own */
  readonly batchConcurrency?: number;
}

/** Environment variable names; infra/constructs/restore-api.ts sets them. */
export const API_ENV = {
  stateMachineArn: 'RESTORE_STATE_MACHINE_ARN',
  backupRoot: 'BACKUP_ROOT',
  stateLocation: 'RESTORE_STATE_LOCATION',
  targets: 'RESTORE_TARGETS',
  batchConcurrency: 'RESTORE_BATCH_CONCURRENCY',
} as const;

export class ApiConfigError extends HgbrError {
  static override readonly code = 'ApiConfigError';
  static override readonly hint = 'redeploy the stack; these variables are set by infra/constructs/restore-api.ts';

  constructor(problems: string[]) {
    super(`the restore API is misconfigured: ${problems.join('; ')}`);
  }
}

/** Reads the configuration once per container; reports every problem at once. */
export function apiConfigFromEnv(env: NodeJS.ProcessEnv): ApiConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const restoreStateMachineArn = required(API_ENV.stateMachineArn);
  const backupRoot = canonicalRoot(required(API_ENV.backupRoot), API_ENV.backupRoot, problems);
  const stateLocation = canonicalRoot(required(API_ENV.stateLocation), API_ENV.stateLocation, problems);
  let targets: GraphRef[] = [];
  try {
    targets = parseTargets(JSON.parse(env[API_ENV.targets] ?? '[]'));
  } catch (error) {
    problems.push(`${API_ENV.targets} is not a JSON array of {url, graph, graphspace?}: ${(error as Error).message}`);
  }
  const batchConcurrency = optionalPositiveInteger(env[API_ENV.batchConcurrency], API_ENV.batchConcurrency, problems);
  if (problems.length) throw new ApiConfigError(problems);
  return { restoreStateMachineArn, backupRoot, stateLocation, targets, ...(batchConcurrency !== undefined ? { batchConcurrency } : {}) };
}

function optionalPositiveInteger(value: string | undefined, name: string, problems: string[]): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n > 0) return n;
  problems.push(`${name} must be a positive whole number, not ${JSON.stringify(value)}`);
  return undefined;
}

function canonicalRoot(value: string, name: string, problems: string[]): string {
  if (!value) return value;
  try {
    return formatLocation(parseLocation(value));
  } catch (error) {
    problems.push(`${name}: ${(error as Error).message}`);
    return value;
  }
}

function parseTargets(value: unknown): GraphRef[] {
  if (!Array.isArray(value)) throw new Error('not an array');
  return value.map((item, i) => {
    const t = item as Partial<GraphRef>;
    if (typeof t?.url !== 'string' || typeof t.graph !== 'string') throw new Error(`item ${i} needs string url and graph`);
    return t.graphspace ? { url: t.url, graph: t.graph, graphspace: t.graphspace } : { url: t.url, graph: t.graph };
  });
}
