/**
 * The errors of the workflows' contract: the errors a runtime raises itself, and the registry of
 * every error a task may throw, from which the retry policies are derived.
 */
import { AbortedError } from '../abort';
import * as backupErrors from '../backup/errors';
import { HgbrError, type HgbrErrorClass } from '../errors';
import * as formatErrors from '../format/errors';
import * as hugegraphErrors from '../hugegraph/errors';
import * as jsonErrors from '../json/errors';
import * as restoreErrors from '../restore/errors';
import * as storageErrors from '../storage/errors';
import { LockContentionError, LockHeldError } from './lock';

/** The deployment's runtime refuses to send the graph credentials to a server it was not configured with. */
export class ServerNotAllowedError extends HgbrError {
  static override readonly code = 'ServerNotAllowedError';
  static override readonly hint = 'add it to graphs or restoreTargets in the hgbr configuration and deploy again';

  constructor(url: string) {
    super(`${url} is not one of the HugeGraph servers this deployment was configured with`);
  }
}

/** The graph credentials' secret does not hold what the runtime reads. */
export class InvalidSecretError extends HgbrError {
  static override readonly code = 'InvalidSecretError';
  static override readonly hint = 'store {"username": "…", "password": "…"} in the secret';

  constructor(secretId: string) {
    super(`secret ${secretId} is not a JSON object with username and password`);
  }
}

/**
 * A run's first contact with a HugeGraph server failed (refused, no such host, no answer): said at
 * once, not retried by any task Retry, since a server that is not there when a run starts is a
 * wrong URL or a stopped server. A backup that asks to (`waitForServer`, what schedules do) waits
 * and plans again instead. Errors later in the run are HugeGraphConnectionError and retried.
 */
export class ServerUnreachableError extends HgbrError {
  static override readonly code = 'ServerUnreachableError';
  static override readonly hint = 'is the HugeGraph server running and reachable at this URL? (check the host, the port and http:// or https://)';

  constructor(url: string, cause: Error & { errno?: string }) {
    super(`cannot reach the HugeGraph server at ${url}: ${cause.errno ?? cause.message}`, { cause });
  }
}

/** The server answers, but has no graph of that name. */
export class GraphNotFoundError extends HgbrError {
  static override readonly code = 'GraphNotFoundError';
  static override readonly hint = 'check the graph name (and the graphspace, on servers 1.7.0 and later)';

  constructor(url: string, graph: string, graphspace: string | undefined, cause: Error) {
    super(`the HugeGraph server at ${url} has no graph '${graph}'${graphspace ? ` in graphspace ${graphspace}` : ''}`, { cause });
  }
}

/** A graph space other than DEFAULT named for a server before 1.7.0, which has none: the graph cannot be there. */
export class GraphspaceNotSupportedError extends HgbrError {
  static override readonly code = 'GraphspaceNotSupportedError';
  static override readonly hint = 'graph spaces exist from HugeGraph 1.7.0 on: leave out the graph space (--graphspace) for this server';

  constructor(url: string, serverVersion: string, graphspace: string) {
    super(`the HugeGraph server at ${url} is ${serverVersion}, which has no graph spaces: it has no graph space ${graphspace}`);
  }
}

/** The classes among a module's exports that are thrown: those that declare their own code (bases do not). */
function thrownErrorClasses(exports: Record<string, unknown>): HgbrErrorClass[] {
  return Object.values(exports).filter((value): value is HgbrErrorClass => typeof value === 'function' && value.prototype instanceof HgbrError && Object.hasOwn(value, 'code'));
}

/** Every error class a workflow task may throw on purpose (test/unit/errors.test.ts keeps this complete). */
export const TASK_ERRORS: readonly HgbrErrorClass[] = [
  ...[backupErrors, formatErrors, hugegraphErrors, jsonErrors, restoreErrors, storageErrors].flatMap(thrownErrorClasses),
  AbortedError,
  LockHeldError,
  LockContentionError,
  ServerNotAllowedError,
  InvalidSecretError,
  ServerUnreachableError,
  GraphNotFoundError,
  GraphspaceNotSupportedError,
];

/** Codes of the task errors a retry may cure: what every task's Retry matches (infra/workflows). */
export const TRANSIENT_TASK_ERRORS: readonly string[] = TASK_ERRORS.filter((type) => type.transient).map((type) => type.code);

/**
 * Errors of the Lambda service around a task that a retry may cure and that CDK's LambdaInvoke
 * does not retry already (it does the other Lambda service exceptions).
 */
export const TRANSIENT_SERVICE_ERRORS: readonly string[] = ['Lambda.TooManyRequestsException'];
