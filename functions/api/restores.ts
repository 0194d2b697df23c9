import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { listBackups, readManifest } from '../backup/catalog';
import { IncompleteBackupError, parseBackupPath } from '../format';
import { type BackupGraph, backupPrefix, graphFolder } from '../backup/layout';
import type { GraphRef } from '../workflow/graph-ref';
import { resolveSource } from '../restore/source';
import type { RestoreRequest } from '../restore/types';
import type { BackupStorage } from '../storage/storage';
import { formatLocation, parseLocation } from '../storage/storage';
import type { ApiConfig } from './config';
import { API_REFUSALS, ApiError } from './http';
import { phasesFromHistory, type PhaseProgress } from './progress';
import { LATEST, parseRestoreBody, RESTORE_ID, type RestoreBody } from './restore-request';

/** What the API handlers need: their configuration, Step Functions, and the backup storage. */
export interface ApiDeps {
  readonly config: ApiConfig;
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly storage: (location: string) => BackupStorage;
  readonly now?: () => Date;
}

export interface StartedRestore {
  /** 202 for a new execution (or the same request repeated while it runs), 200 when it already ended. */
  readonly statusCode: 200 | 202;
  readonly body: { restoreId: string; executionArn: string; statusUrl: string; status?: string; source: string };
}

/**
 * `POST /restores`: checks the request, resolves the backup (a complete one: it has its manifest)
 * and the target (one of the configured ones), and starts the restore machine with the restore id
 * as execution name. Step Functions makes that idempotent: the same request again while the restore
 * runs returns the same execution; another request under a used id is refused (409).
 */
export async function startRestore(deps: ApiDeps, raw: unknown, statusUrlOf: (restoreId: string) => string, idempotencyKey?: string): Promise<StartedRestore> {
  const body = parseRestoreBody(raw);
  const restoreId = body.restoreId ?? (idempotencyKey !== undefined ? restoreIdOfKey(idempotencyKey) : undefined);
  if (restoreId === undefined) {
    throw new ApiError(API_REFUSALS.invalidRequest, 'give restoreId in the body or an Idempotency-Key header: a client that retries this request must not start a second restore');
  }
  // What the caller asked for, before `latest` or the target are resolved: a retry is the same request.
  const asked = requestDigest(body, restoreId);
  const executionArn = executionArnOf(deps.config.restoreStateMachineArn, restoreId);
  const earlier = await describeIfAny(deps, executionArn);
  if (earlier) return repeated(earlier, asked, { restoreId, executionArn, statusUrl: statusUrlOf(restoreId) });
  const target = resolveTarget(deps.config.targets, body.target);
  const backup = await resolveBackup(deps, body);
  const request: RestoreRequest = {
    source: backup.location,
    target,
    mode: body.mode,
    stateLocation: deps.config.stateLocation,
    restoreId,
    verifyTarget: body.verifyTarget,
    ...(body.types ? { types: body.types } : {}),
    ...(body.authConflict ? { authConflict: body.authConflict } : {}),
    ...(body.preflightRead === false ? { preflightRead: false } : {}),
    ...(deps.config.batchConcurrency !== undefined ? { batchConcurrency: deps.config.batchConcurrency } : {}),
    apiRequest: asked,
  };
  const started = { restoreId, executionArn, statusUrl: statusUrlOf(restoreId), source: backup.location };
  try {
    const output = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: deps.config.restoreStateMachineArn, name: restoreId, input: JSON.stringify(request) }));
    return { statusCode: 202, body: { ...started, executionArn: output.executionArn ?? executionArn } };
  } catch (error) {
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
  }
  // Started by a request that arrived at the same time: the same request, or a different one under the id.
  return repeated((await describeIfAny(deps, executionArn)) as DescribeExecutionCommandOutput, asked, started);
}

/**
 * A request under a restore id that names an execution already: the same request (a retry, even
 * after `latest` has moved on) reports that restore; a different one must pick another id rather
 * than be silently ignored (409).
 */
function repeated(existing: DescribeExecutionCommandOutput, asked: string, started: { restoreId: string; executionArn: string; statusUrl: string }): StartedRestore {
  const input = parseJson(existing.input) as Partial<RestoreRequest> | undefined;
  if (input?.apiRequest !== asked) {
    throw new ApiError(API_REFUSALS.restoreIdInUse, `restore id ${started.restoreId} was already used for a different request; choose another restoreId`, {
      statusUrl: started.statusUrl,
    });
  }
  return { statusCode: existing.status === 'RUNNING' ? 202 : 200, body: { ...started, source: input.source ?? '', status: existing.status } };
}

async function describeIfAny(deps: ApiDeps, executionArn: string): Promise<DescribeExecutionCommandOutput | undefined> {
  try {
    return await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}

/** The request as asked (fields in a fixed order), hashed: what makes two requests the same. */
function requestDigest(body: RestoreBody, restoreId: string): string {
  return createHash('sha256')
    .update(canonical({ ...body, restoreId }))
    .digest('hex')
    .slice(0, 32);
}

/** An Idempotency-Key as a restore id: as it is when it can name an execution, else its hash. */
export function restoreIdOfKey(key: string): string {
  return RESTORE_ID.test(key) ? key : `k-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** `GET /restores/{id}`: status, error, and progress per phase of one restore. */
export async function describeRestore(deps: ApiDeps, restoreId: string): Promise<Record<string, unknown>> {
  if (!RESTORE_ID.test(restoreId)) throw new ApiError(API_REFUSALS.invalidRequest, 'the restore id has letters, digits, "-" and "_" only');
  const executionArn = executionArnOf(deps.config.restoreStateMachineArn, restoreId);
  let execution: DescribeExecutionCommandOutput;
  try {
    execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw new ApiError(API_REFUSALS.restoreNotFound, `no restore with id ${restoreId}`);
    throw error;
  }
  const phases = phasesFromHistory(await history(deps, executionArn), execution.status ?? 'RUNNING');
  await Promise.all(phases.map((phase) => addMapRunCounts(deps, phase)));
  const request = parseJson(execution.input) as Partial<RestoreRequest> | undefined;
  const response: Record<string, unknown> = {
    restoreId,
    executionArn,
    status: execution.status,
    startedAt: execution.startDate?.toISOString(),
    stoppedAt: execution.stopDate?.toISOString(),
    source: request?.source,
    target: request?.target,
    mode: request?.mode,
    phase: [...phases].reverse().find((p) => p.status !== 'pending')?.name,
    phases: phases.map(({ mapRunArn: _hidden, ...phase }) => phase),
  };
  if (execution.error || execution.cause) response.error = { error: execution.error, cause: execution.cause };
  if (execution.status === 'SUCCEEDED') response.result = parseJson(execution.output);
  return response;
}

/** Events of the parent execution (Distributed Map children keep their own); a restore has a few dozen. */
async function history(deps: ApiDeps, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 20; page++) {
    const output = await deps.sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false, maxResults: 1000, nextToken }));
    events.push(...(output.events ?? []));
    nextToken = output.nextToken;
    if (!nextToken) break;
  }
  return events;
}

async function addMapRunCounts(deps: ApiDeps, phase: PhaseProgress): Promise<void> {
  if (!phase.mapRunArn) return;
  const run = await deps.sfn.send(new DescribeMapRunCommand({ mapRunArn: phase.mapRunArn }));
  const c = run.itemCounts;
  if (c) phase.files = { total: c.total ?? 0, succeeded: c.succeeded ?? 0, failed: (c.failed ?? 0) + (c.timedOut ?? 0) + (c.aborted ?? 0), running: c.running ?? 0, pending: c.pending ?? 0 };
}

/** The target the caller named, if it is one of the allowed ones; the URL may be left out when the graph name is unique. */
export function resolveTarget(allowed: readonly GraphRef[], wanted: { url?: string; graph: string; graphspace?: string }): GraphRef {
  const sameSpace = (t: GraphRef) => (t.graphspace ?? '') === (wanted.graphspace ?? '') || wanted.graphspace === undefined;
  const candidates = allowed.filter((t) => t.graph === wanted.graph && sameSpace(t) && (wanted.url === undefined || sameUrl(t.url, wanted.url)));
  const where = `${wanted.url ?? '(any server)'} graph ${wanted.graph}`;
  if (candidates.length === 0) {
    throw new ApiError(API_REFUSALS.targetNotAllowed, `${where} is not a restore target of this deployment`, { allowed: allowed.map((t) => ({ url: t.url, graph: t.graph })) });
  }
  if (candidates.length > 1) throw new ApiError(API_REFUSALS.ambiguousTarget, `${where} matches ${candidates.length} allowed targets; give target.url`);
  return candidates[0] as GraphRef;
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      return new URL(u).href.replace(/\/+$/, '');
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

/** Finds the backup below the configured root and checks that it is complete (its manifest was written). */
async function resolveBackup(deps: ApiDeps, body: ReturnType<typeof parseRestoreBody>): Promise<{ graph: string; backupId: string; location: string }> {
  const root = deps.config.backupRoot;
  const storage = deps.storage(root);
  let of: BackupGraph;
  let backupId: string;
  if (body.backup !== undefined) {
    const source = resolveSourceOrFail(body.backup);
    const parsed = parseBackupPath(source.prefix.split('/').filter((p) => p !== ''));
    if (source.root !== root || !parsed || parsed.rootSegments.length > 0) {
      throw new ApiError(
        API_REFUSALS.backupOutsideRoot,
        `backup must be ${root}/<graph>/<backupId> (or ${root}/_graphspaces/<graphspace>/<graph>/<backupId>); this deployment reads backups there only`,
      );
    }
    ({ of, backupId } = parsed);
  } else if (body.backupId === LATEST) {
    of = { graph: body.graph as string };
    const latest = (await listBackups(storage, of)).filter((b) => b.state === 'complete').at(-1);
    if (!latest) throw new ApiError(API_REFUSALS.backupNotFound, `${root}/${of.graph} holds no complete backup`);
    backupId = latest.backupId;
  } else {
    of = { graph: body.graph as string };
    backupId = body.backupId as string;
  }
  const location = `${root}/${graphFolder(of)}/${backupId}`;
  try {
    await readManifest(storage, of, backupId);
  } catch (error) {
    if (!(error instanceof IncompleteBackupError)) throw error;
    for await (const _object of storage.list(backupPrefix(of, backupId))) {
      throw new ApiError(API_REFUSALS.incompleteBackup, `${location} has no manifest.json: it is not a complete backup (interrupted, or still running)`);
    }
    throw new ApiError(API_REFUSALS.backupNotFound, `there is no backup at ${location}`);
  }
  return { graph: of.graph, backupId, location };
}

function resolveSourceOrFail(location: string): { root: string; prefix: string } {
  try {
    const source = resolveSource(location);
    return { root: formatLocation(parseLocation(source.root)), prefix: source.prefix };
  } catch (error) {
    throw new ApiError(API_REFUSALS.invalidRequest, `backup: ${(error as Error).message}`);
  }
}

/** `arn:…:stateMachine:Name` → `arn:…:execution:Name:<name>`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
