import { acquireLock, LockHeldError, readLock, releaseLock, type LockRecord } from '../workflow/lock';
import { MESSAGES } from '../workflow/messages';
import { connectChecked } from '../workflow/preflight';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { GraphRef } from '../workflow/graph-ref';
import { type AuthSet, type ContentKind, countAuth, newBackupId, V1_CONTENTS, type Variable } from '../format';
import { checkAuthConflicts, readBackupAuth } from './auth';
import { versionAtLeast, type GraphMode, type SchemaReader } from '../hugegraph';
import { formatLocation, parseLocation, type BackupStorage } from '../storage/storage';
import { ContentNotInBackupError, InvalidRestoreRequestError, RestoreNotPossibleError, SchemaConflictError, TargetInRestoreModeError, TargetNotEmptyError } from './errors';
import { doneRecordsPrefix, itemsRef, planRecordKey, restoreLockKey, statePrefixOf, workListKey } from './layout';
import { compareSchema, describeSchemaSize, isEmptySchema, type SchemaComparison } from './schema-diff';
import { openBackup, preflightRead, readSchema, resolveSource, type BackupContents, type SchemaFileRef, type SchemaSet } from './source';
import { checkSettable, checkVariableConflicts, readBackupVariables } from './variables';
import {
  AUTH_CONFLICT_STRATEGIES,
  type AuthConflictStrategy,
  type FileItem,
  RESTORE_TYPES,
  type RestoreJob,
  type RestoreMode,
  type RestorePlan,
  type RestorePlanSummary,
  type RestoreRequest,
} from './types';

/** A restore lock older than the state machine's timeout belongs to a run that cannot still be alive. */
export const RESTORE_LOCK_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/**
 * Batches in flight per file. 4 files are restored at once, so 12 at most; with 2, the last files
 * of a phase ran with too few (1M restore on the benchmark machine: 11.3-11.7 s with 2, 9.4-10.9 s
 * with 3, 9.6-10.4 s with 4). HugeGraph refuses more than `batch.max_write_threads` parallel batch
 * writes as "too busy" (half or 80% of `restserver.max_worker_threads`, 2×CPUs by default); those
 * are retried with back-off.
 */
export const DEFAULT_BATCH_CONCURRENCY = 3;
export const MAX_BATCH_CONCURRENCY = 32;

/** The restore lock also records what to put back if its run dies: the mode the target had before. */
export interface RestoreLockRecord extends LockRecord {
  readonly target: GraphRef;
  readonly mode: RestoreMode;
  readonly previousMode: string;
  /**
   * Set by the reset before it puts the mode back: the fence that tells workers still posting
   * batches (siblings of a failed child, Lambdas of an aborted execution) to stop.
   */
  readonly resetAt?: string;
}

/** What plan leaves in the state location: finish reads it, and a re-run with the same id finds it. */
export interface PlanRecord {
  readonly restoreId: string;
  readonly source: string;
  readonly target: GraphRef;
  readonly mode: RestoreMode;
  readonly previousMode: string;
  readonly startedAt: string;
  /** What the restore writes; absent in the records of earlier versions (all the backup holds). */
  readonly contents?: ContentKind[];
  /** The manifest's per-label totals of the kinds restored, empty labels included (verify counts those too). */
  readonly labels?: { readonly vertex: Record<string, number>; readonly edge: Record<string, number> };
  /** The schema files plan checked, so that prepare need not list the backup again. */
  readonly schemaFiles?: BackupContents['schemaFiles'];
  /** The variables file prepare sets the target's variables from, and how many it holds. */
  readonly variables?: { readonly file: SchemaFileRef; readonly count: number };
  /** The auth file prepare restores the server's auth objects from, how many, and the conflict strategy. */
  readonly auth?: { readonly file: SchemaFileRef; readonly count: number; readonly onConflict: AuthConflictStrategy };
}

/** The source read and checked: contents, schema verified against the manifest's checksums. */
interface CheckedSource {
  /** The backup, narrowed to what the restore writes: files and labels of other kinds left out. */
  readonly contents: BackupContents;
  readonly schema: SchemaSet;
  /** What the restore writes. */
  readonly restored: ContentKind[];
  /** The variables it sets (none unless restored). */
  readonly variables: Variable[];
  /** The auth objects it restores (none unless restored). */
  readonly auth?: AuthSet;
}

/**
 * Starts a restore. Everything is checked before anything is written to the target: the manifest
 * (or that the folder is a hugegraph-tools backup), every listed file present with its size, the
 * schema files' SHA-256, then, holding the target's restore lock, the target itself (RESTORING:
 * empty; MERGING: every name clash identical) and, unless `preflightRead` is false, every data
 * file read once (SHA-256, line shape, counts). A mode left behind by a dead run is put back first. Writes the work lists of the
 * Distributed Maps; if anything fails after the lock was taken, the lock is released.
 */
export async function planRestore(runtime: WorkflowRuntime, request: RestoreRequest, executionId: string): Promise<RestorePlan> {
  validateRequest(request);
  const { session: client } = await connectChecked(runtime, request.target);
  const { contents, schema, restored, variables, auth } = await checkSource(runtime, request);
  const onConflict = request.authConflict ?? 'stop';
  const stateLocation = canonicalLocation(request.stateLocation ?? contents.source.root);
  const lockLocation = canonicalLocation(runtime.lockRoot ?? stateLocation);
  const state = runtime.storage(stateLocation);
  const locks = runtime.storage(lockLocation);
  const startedAt = runtime.now();
  const restoreId = request.restoreId ?? newBackupId(startedAt);
  const statePrefix = statePrefixOf(restoreId);
  const warnings = [...contents.warnings];

  const lockKey = restoreLockKey(request.target);
  const [existing, currentMode] = await Promise.all([readLock(locks, lockKey) as Promise<RestoreLockRecord | undefined>, client.getMode()]);
  // A restore mode that no lock here explains belongs to someone this run cannot see (a restore
  // keeping its locks elsewhere) or to a failed reset: refused, and the mode left as it is.
  if (currentMode !== 'NONE' && !existing) throw new TargetInRestoreModeError(request.target, currentMode, locks.uri(lockKey));
  // Not NONE with a lock: a live holder is refused by acquireLock, so this is a dead run's mode.
  const previousMode = currentMode === 'NONE' ? 'NONE' : (existing?.previousMode ?? 'NONE');
  const record: RestoreLockRecord = {
    purpose: 'restore',
    runId: restoreId,
    owner: runtime.lockOwner(executionId),
    acquiredAt: startedAt.toISOString(),
    target: request.target,
    mode: request.mode,
    previousMode,
  };
  if (existing && existing.runId === restoreId && JSON.stringify(existing.owner) !== JSON.stringify(record.owner)) {
    // The same restore started again by another process or execution (a resume): acquireLock lets
    // a run's own lock through, so check here that the earlier one is gone, then own the lock.
    const expired = runtime.now().getTime() - Date.parse(existing.acquiredAt) > RESTORE_LOCK_MAX_AGE_MS;
    if (!expired && (await runtime.isLockOwnerAlive(existing.owner)) !== false) throw new LockHeldError(lockKey, existing);
    await locks.put(lockKey, JSON.stringify(record, null, 2));
  }
  await acquireLock(locks, lockKey, record, {
    maxAgeMs: RESTORE_LOCK_MAX_AGE_MS,
    isOwnerAlive: (owner) => runtime.isLockOwnerAlive(owner),
    now: () => runtime.now(),
  });
  try {
    if (currentMode !== previousMode) {
      await client.setMode(previousMode as GraphMode);
      warnings.push(`graph ${request.target.graph} was in mode ${currentMode}, left there by restore ${existing?.runId}, which is no longer running: set back to ${previousMode}`);
    }
    const resuming = (await state.head(planRecordKey(statePrefix))) !== undefined;
    const targetSchema = await readTargetSchema(client);
    const comparison = evaluateTarget(request, schema, targetSchema, client.serverVersion, resuming, warnings);
    if (request.mode === 'MERGING') await checkVariableConflicts(client, request.target.graph, variables);
    if (auth) await checkAuthConflicts(client, request.target.graph, auth, onConflict);
    if (request.preflightRead !== false) await preflightRead(runtime.storage(contents.source.root), contents);
    if (request.mode === 'RESTORING' && isEmptySchema(targetSchema)) {
      // Records of an earlier attempt into a graph that has since been cleared would skip files.
      const stale = await state.deletePrefix(doneRecordsPrefix(statePrefix));
      if (stale > 0) warnings.push(`the target is empty, so ${stale} file(s) recorded as restored by an earlier attempt of ${restoreId} will be restored again`);
    }
    const done = resuming ? await sumDoneRecords(state, statePrefix) : { files: 0, elements: 0 };
    if (done.files > 0) warnings.push(`${done.files} file(s) restored by an earlier attempt of ${restoreId} will be skipped`);
    const planRecord: PlanRecord = {
      restoreId,
      source: request.source,
      target: request.target,
      mode: request.mode,
      previousMode,
      startedAt: startedAt.toISOString(),
      contents: restored,
      ...(contents.manifest ? { labels: contents.manifest.labels } : {}),
      schemaFiles: contents.schemaFiles,
      ...(contents.variablesFile ? { variables: { file: contents.variablesFile, count: variables.length } } : {}),
      ...(contents.authFile && auth ? { auth: { file: contents.authFile, count: countAuth(auth), onConflict } } : {}),
    };
    await state.put(planRecordKey(statePrefix), JSON.stringify(planRecord, null, 2));
    await state.put(workListKey(statePrefix, 'vertices'), JSON.stringify(largestFirst(contents.vertexFiles)));
    await state.put(workListKey(statePrefix, 'edges'), JSON.stringify(largestFirst(contents.edgeFiles)));
    const job: RestoreJob = {
      restoreId,
      source: contents.source,
      target: request.target,
      mode: request.mode,
      stateLocation,
      lockLocation,
      statePrefix,
      previousMode,
      batchConcurrency: request.batchConcurrency ?? DEFAULT_BATCH_CONCURRENCY,
      verifyTarget: request.verifyTarget ?? false,
      executionId,
    };
    for (const warning of warnings) runtime.notify(MESSAGES.restoreWarning.of({ restoreId, warning }));
    const { files, elements } = planTotals(contents);
    runtime.notify(MESSAGES.restorePlanned.of({ restoreId, files, filesDone: done.files, elements, elementsDone: done.elements }));
    return { job, items: itemsRef(stateLocation, statePrefix), summary: planSummary(request.mode, restored, contents, { variables: variables.length, auth }, comparison, warnings) };
  } catch (error) {
    await releaseLock(locks, lockKey, restoreId).catch(() => undefined);
    throw error;
  }
}

/**
 * `hgbr restore --dry-run`: the checks of {@link planRestore} without taking the lock or writing
 * anything, anywhere. A lock held by another restore and a mode other than NONE are reported as
 * warnings (the real plan would refuse the first and reset the second if its run is dead).
 */
export async function planRestoreDryRun(runtime: WorkflowRuntime, request: RestoreRequest): Promise<RestorePlanSummary> {
  validateRequest(request);
  const { session: client } = await connectChecked(runtime, request.target);
  const { contents, schema, restored, variables, auth } = await checkSource(runtime, request);
  const stateLocation = canonicalLocation(request.stateLocation ?? contents.source.root);
  const state = runtime.storage(stateLocation);
  const locks = runtime.storage(canonicalLocation(runtime.lockRoot ?? stateLocation));
  const warnings = [...contents.warnings];
  const lockKey = restoreLockKey(request.target);
  const [lock, mode, targetSchema] = await Promise.all([readLock(locks, lockKey) as Promise<RestoreLockRecord | undefined>, client.getMode(), readTargetSchema(client)]);
  if (lock && lock.runId !== request.restoreId) {
    const alive = await runtime.isLockOwnerAlive(lock.owner);
    warnings.push(
      `restore ${lock.runId} holds ${locks.uri(lockKey)} since ${lock.acquiredAt}${alive === false ? ' but is no longer running: a restore would take the lock over' : ': a restore would be refused while it runs'}`,
    );
  }
  if (mode !== 'NONE' && lock)
    warnings.push(`graph ${request.target.graph} is in mode ${mode}; unless restore ${lock.runId} still runs, a restore sets it back to ${lock.previousMode ?? 'NONE'} first`);
  if (mode !== 'NONE' && !lock) warnings.push(new TargetInRestoreModeError(request.target, mode, locks.uri(lockKey)).message);
  const resuming = request.restoreId !== undefined && (await state.head(planRecordKey(statePrefixOf(request.restoreId)))) !== undefined;
  const comparison = evaluateTarget(request, schema, targetSchema, client.serverVersion, resuming, warnings);
  if (request.mode === 'MERGING') await checkVariableConflicts(client, request.target.graph, variables);
  if (auth) await checkAuthConflicts(client, request.target.graph, auth, request.authConflict ?? 'stop');
  if (request.preflightRead !== false) await preflightRead(runtime.storage(contents.source.root), contents);
  return planSummary(request.mode, restored, contents, { variables: variables.length, auth }, comparison, warnings);
}

/** What a restore will write: its files and, with a manifest, their elements (of the kinds restored). */
function planTotals(contents: BackupContents): { files: number; elements: number | null } {
  const files = [...contents.vertexFiles, ...contents.edgeFiles];
  return { files: files.length, elements: contents.manifest ? files.reduce((sum, f) => sum + (f.elements ?? 0), 0) : null };
}

/** Files an earlier attempt of a restore finished (their done records), and their elements: what a resume skips. */
async function sumDoneRecords(state: BackupStorage, statePrefix: string): Promise<{ files: number; elements: number }> {
  let files = 0;
  let elements = 0;
  for await (const object of state.list(doneRecordsPrefix(statePrefix))) {
    files++;
    elements += (JSON.parse((await state.get(object.key)).toString('utf8')) as { elements?: number }).elements ?? 0;
  }
  return { files, elements };
}

async function checkSource(runtime: WorkflowRuntime, request: RestoreRequest): Promise<CheckedSource> {
  const source = resolveSource(request.source);
  const storage: BackupStorage = runtime.storage(source.root);
  const backup = await openBackup(storage, source);
  const restored = restoredContents(request.types, backup);
  const contents = narrowTo(backup, restored);
  const schema = await readSchema(storage, backup);
  const variables = contents.variablesFile ? await readBackupVariables(storage, source.prefix, contents.variablesFile) : [];
  checkSettable(variables);
  const auth = contents.authFile ? await readBackupAuth(storage, source.prefix, contents.authFile) : undefined;
  return { contents, schema, restored, variables, ...(auth ? { auth } : {}) };
}

/**
 * What the restore writes: what was asked for (the schema always), or all the backup holds. Asking
 * for a kind the backup does not hold is refused, never treated as "nothing of it": a schema-only
 * backup has no edges, it does not say the graph had none. A hugegraph-tools folder says nothing
 * about what it holds, so it counts as holding what a version 1 backup holds.
 */
export function restoredContents(asked: readonly ContentKind[] | undefined, backup: Pick<BackupContents, 'manifest' | 'source'>): ContentKind[] {
  const held = backup.manifest?.contents ?? V1_CONTENTS;
  // The graph's config is never restored (FORMAT.md "Config"): all the backup holds is the rest.
  if (asked === undefined) return held.filter((kind) => RESTORE_TYPES.includes(kind));
  const missing = asked.filter((kind) => !held.includes(kind));
  if (missing.length) throw new ContentNotInBackupError(`${backup.source.root.replace(/\/+$/, '')}/${backup.source.prefix}`, held, missing);
  return held.filter((kind) => kind === 'schema' || asked.includes(kind));
}

/** The backup without the files and labels of the kinds the restore leaves out. */
function narrowTo(backup: BackupContents, restored: readonly ContentKind[]): BackupContents {
  const vertices = restored.includes('vertices');
  const edges = restored.includes('edges');
  const manifest = backup.manifest && {
    ...backup.manifest,
    labels: { vertex: vertices ? backup.manifest.labels.vertex : {}, edge: edges ? backup.manifest.labels.edge : {} },
  };
  const { variablesFile, authFile, ...rest } = backup;
  return {
    ...rest,
    ...(manifest ? { manifest } : {}),
    ...(variablesFile && restored.includes('variables') ? { variablesFile } : {}),
    ...(authFile && restored.includes('auth') ? { authFile } : {}),
    vertexFiles: vertices ? backup.vertexFiles : [],
    edgeFiles: edges ? backup.edgeFiles : [],
    warnings: edges && !vertices && backup.vertexFiles.length > 0 ? [...backup.warnings, 'edges are restored without the vertices: the target must already hold their end vertices'] : backup.warnings,
  };
}

export async function readTargetSchema(client: Pick<SchemaReader, 'getSchema'>): Promise<SchemaSet> {
  const schema = await client.getSchema();
  return {
    propertykeys: schema.propertykeys.elements,
    vertexlabels: schema.vertexlabels.elements,
    edgelabels: schema.edgelabels.elements,
    indexlabels: schema.indexlabels.elements,
  };
}

/**
 * What the target allows. RESTORING needs an empty graph, or (a re-run of the same restore id)
 * exactly the schema an earlier attempt created: elements of the backup with the backup's ids.
 * MERGING needs every element whose name the target has to be identical; all conflicts are
 * reported at once.
 */
export function evaluateTarget(
  request: Pick<RestoreRequest, 'mode' | 'target' | 'restoreId'>,
  backup: SchemaSet,
  target: SchemaSet,
  serverVersion: string,
  resuming: boolean,
  warnings: string[],
): SchemaComparison {
  const graph = request.target.graph;
  const parentOrSub = backup.edgelabels.filter((e) => e.edgelabel_type === 'PARENT' || e.edgelabel_type === 'SUB').map((e) => e.name);
  if (parentOrSub.length && !versionAtLeast(serverVersion, '1.5.0')) {
    throw new RestoreNotPossibleError(
      `the backup has parent/sub edge labels (${parentOrSub.join(', ')}), which HugeGraph ${serverVersion} does not support`,
      'restore into a HugeGraph 1.5.0 or newer server',
    );
  }
  if (request.mode === 'MERGING') {
    const comparison = compareSchema(backup, target);
    if (comparison.conflicts.length) throw new SchemaConflictError(graph, comparison.conflicts);
    return comparison;
  }
  if (isEmptySchema(target)) return compareSchema(backup, target);
  if (resuming) {
    const comparison = compareSchema(backup, target, { compareIds: true });
    const backupNames = new Set(Object.values(backup).flatMap((elements: { name: string }[]) => elements.map((e) => e.name)));
    const foreign = Object.values(target)
      .flatMap((elements: { name: string }[]) => elements.map((e) => e.name))
      .filter((n) => !backupNames.has(n));
    if (comparison.conflicts.length === 0 && foreign.length === 0) {
      warnings.push(`resuming restore ${request.restoreId}: the target holds ${describeSchemaSize(target)} created by its earlier attempt`);
      return comparison;
    }
  }
  throw new TargetNotEmptyError(graph, describeSchemaSize(target));
}

function planSummary(
  mode: RestoreMode,
  restored: readonly ContentKind[],
  contents: BackupContents,
  extras: { readonly variables: number; readonly auth?: AuthSet },
  comparison: SchemaComparison,
  warnings: string[],
): RestorePlanSummary {
  const manifest = contents.manifest;
  return {
    mode,
    contents: restored,
    schemaToCreate: comparison.toCreate,
    schemaReused: comparison.reused,
    files: { vertices: contents.vertexFiles.length, edges: contents.edgeFiles.length },
    variables: extras.variables,
    authObjects: extras.auth ? countAuth(extras.auth) : 0,
    elements: manifest ? { vertices: { ...manifest.labels.vertex }, edges: { ...manifest.labels.edge } } : null,
    warnings,
  };
}

function canonicalLocation(location: string): string {
  return formatLocation(parseLocation(location));
}

const RESTORE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function validateRequest(request: RestoreRequest): void {
  const problems: string[] = [];
  if (!request?.source) problems.push('source is missing');
  if (!request?.target?.url) problems.push('target.url is missing');
  else if (!/^https?:\/\/[^/]/.test(request.target.url)) problems.push(`target.url must be an http:// or https:// URL, not ${request.target.url}`);
  if (!request?.target?.graph) problems.push('target.graph is missing');
  if (request?.mode !== 'RESTORING' && request?.mode !== 'MERGING') problems.push(`mode must be RESTORING or MERGING, not ${String(request?.mode)}`);
  if (request?.restoreId !== undefined && !RESTORE_ID.test(request.restoreId)) {
    problems.push('restoreId must be 1 to 128 letters, digits, dots, dashes or underscores, starting with a letter or digit');
  }
  const c = request?.batchConcurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= MAX_BATCH_CONCURRENCY)) problems.push(`batchConcurrency must be a whole number from 1 to ${MAX_BATCH_CONCURRENCY}`);
  if (request?.verifyTarget !== undefined && typeof request.verifyTarget !== 'boolean') problems.push('verifyTarget must be true or false');
  const types = request?.types;
  if (types !== undefined && !(Array.isArray(types) && types.length > 0 && types.every((t) => RESTORE_TYPES.includes(t)))) {
    problems.push(`types must list one or more of ${RESTORE_TYPES.join(', ')}`);
  }
  if (request?.authConflict !== undefined && !AUTH_CONFLICT_STRATEGIES.includes(request.authConflict)) problems.push(`authConflict must be one of ${AUTH_CONFLICT_STRATEGIES.join(', ')}`);
  if (request?.preflightRead !== undefined && typeof request.preflightRead !== 'boolean') problems.push('preflightRead must be true or false');
  if (problems.length) throw new InvalidRestoreRequestError(problems);
}

/**
 * The work list in the order the Distributed Map should start it: largest files first, so that the
 * last file to finish is a small one and the children stay busy to the end (on the benchmark
 * graph, one 100,000-element file started last kept a phase going alone for seconds).
 */
function largestFirst(items: readonly FileItem[]): FileItem[] {
  const size = (item: FileItem) => item.elements ?? item.bytes ?? 0;
  return [...items].sort((a, b) => size(b) - size(a));
}
