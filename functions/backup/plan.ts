import { buildAuthFile, buildConfigFile, type BuiltFile, buildSchemaFile, buildVariablesFile, type ContentKind, DEFAULT_GRAPHSPACE, newBackupId, SCHEMA_KINDS, type ManifestFile } from '../format';
import { type EdgeLabel, type GraphScanner, type LabelCounter, listAllAuth, type KeyRange, MIN_SPLIT_SIZE, type Schema, type SchemaReader, usesGraphspaces, type VertexLabel } from '../hugegraph';
import { parseLocation } from '../storage/location';
import { BackupNotPossibleError, InvalidBackupRequestError } from './errors';
import { balanceRanges } from './key-ranges';
import { type BackupGraph, backupFileKey, backupLockKey, backupPrefix, mapResultsPrefix, planRecordKey, workListKey } from './layout';
import { acquireLock, releaseLock } from '../workflow/lock';
import { MESSAGES } from '../workflow/messages';
import { connectChecked } from '../workflow/preflight';
import type { WorkflowRuntime } from '../workflow/runtime';
import {
  type BackupItemsRef,
  type BackupPlan,
  BACKUP_TYPES,
  type BackupRequest,
  DEFAULT_BACKUP_TYPES,
  type ElementKind,
  type ExportWork,
  type LabelWork,
  READ_PATHS,
  type ReadPath,
  type RangeWork,
  serverWaitProblems,
} from './types';

export const DEFAULT_PAGE_SIZE = 5000;
/**
 * DEFLATE level of the data files. Level 1 deflates the benchmark graph's 204 MiB of JSON in 0.7 s
 * of CPU into 33 MiB; level 6 (zlib's and Java's default) takes 2.0 s for 28 MiB. A backup worker's
 * CPU is its cost (a 512 MB Lambda has a third of a vCPU), 17% more bytes in S3 costs far less.
 */
export const DEFAULT_COMPRESSION_LEVEL = 1;
export const DEFAULT_ELEMENTS_PER_FILE = 100_000;
/** A backup lock older than the state machine's timeout belongs to a run that cannot still be alive. */
export const BACKUP_LOCK_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_WORKERS = 4;
/**
 * Ranges per worker and kind: enough that a worker finishing early finds more work, few enough to
 * stay cheap (each is a work item and at least one file). Ranges are cut without knowing their
 * size (key-ranges.ts), so it takes more than one per worker: measured on the bench's 1M graph
 * (4 workers), 4 per worker left one range with 47 % of the edges, 8 with 25 %, 16 with 10 % for
 * twice the probes and 226 work items.
 */
export const RANGES_PER_WORKER = 8;
/** Storage bytes per range of a large graph (the server's estimate): ≈ 300,000 elements of the bench graph. */
export const RANGE_SPLIT_BYTES = 64 * 1024 * 1024;

/** What plan leaves in storage for finalize: everything known at the start that the manifest needs. */
export interface PlanRecord {
  readonly backupId: string;
  /** What the backup holds; absent in the records of earlier versions (everything). */
  readonly contents?: ContentKind[];
  readonly graph: string;
  readonly graphspace: string | null;
  readonly server: { readonly version: string; readonly backend: string };
  readonly modes: { readonly graphMode: string; readonly readMode: string };
  readonly startedAt: string;
  readonly schemaFiles: ManifestFile[];
  /** Files beside the schema and the data, written by plan (the variables). */
  readonly otherFiles?: ManifestFile[];
  /** With `checkWrites`: the server's count of every label exported, before the export began. */
  readonly countsAtStart?: LabelCounts;
  /** Every label the backup exports; a file's label index is its position here, from 1. */
  readonly vertexLabels: string[];
  readonly edgeLabels: string[];
}

/**
 * Starts a backup: takes the graph's backup lock, records what the server is, writes the four
 * schema files, and returns the labels to export. If anything fails after the lock is taken, the
 * lock and the files written so far are removed before the error goes up.
 */
export async function planBackup(runtime: WorkflowRuntime, request: BackupRequest, executionId: string): Promise<BackupPlan> {
  validateRequest(request);
  const storage = runtime.storage(request.location);
  const { session: client, info } = await connectChecked(runtime, request.server);
  const startedAt = runtime.now();
  if (info.backend === 'memory') {
    throw new BackupNotPossibleError(
      `graph ${request.server.graph} uses the memory backend, which cannot page: a backup would be silently short`,
      'back up a graph on a persistent backend such as rocksdb',
    );
  }
  const graph = request.server.graph;
  const backupId = newBackupId(startedAt);
  const lockKey = backupLockKey(request.server);
  await acquireLock(
    storage,
    lockKey,
    { purpose: 'backup', runId: backupId, owner: runtime.lockOwner(executionId), acquiredAt: startedAt.toISOString() },
    { maxAgeMs: BACKUP_LOCK_MAX_AGE_MS, isOwnerAlive: (owner) => runtime.isLockOwnerAlive(owner), now: () => runtime.now() },
  );
  try {
    const [graphMode, readMode, schema] = await Promise.all([client.getMode(), client.getReadMode(), readSchema(client)]);
    const readPath = readPathOf(request);
    const contents = contentsOf(request);
    const labels = selectLabels(schema, request.labels, readPath, contents);
    const kinds = (['vertex', 'edge'] as const).filter((kind) => contents.includes(DATA_KIND[kind]));
    // Counted before the key ranges are probed: the window starts before the first element is read.
    const countsAtStart = request.checkWrites ? await countLabels(client, labels) : undefined;
    const work: ExportWork[] = readPath === 'scan' ? await rangeWork(client, kinds, request.workers ?? DEFAULT_WORKERS) : [...labels.vertex, ...labels.edge];
    const schemaFiles: ManifestFile[] = [];
    for (const kind of SCHEMA_KINDS) {
      const built = await buildSchemaFile(kind, schema[kind].rawElements);
      await storage.put(backupFileKey(request.server, backupId, built.file.name), built.body);
      schemaFiles.push(built.file);
    }
    const put = (name: string, body: Buffer) => storage.put(backupFileKey(request.server, backupId, name), body);
    const otherFiles = [
      ...(contents.includes('variables') ? await writeExtraFile(buildVariablesFile(await client.readVariables()), put) : []),
      ...(contents.includes('auth') ? await writeExtraFile(buildAuthFile(await listAllAuth(client)), put) : []),
      ...(contents.includes('config') ? await writeExtraFile(buildConfigFile(await client.readGraphConfig()), put) : []),
    ];
    const record: PlanRecord = {
      backupId,
      contents,
      graph,
      // The graph space read from: DEFAULT unless named (1.7.0 and later); none before 1.7.0.
      graphspace: usesGraphspaces(client.serverVersion) ? (request.server.graphspace ?? DEFAULT_GRAPHSPACE) : null,
      server: { version: client.serverVersion, backend: info.backend },
      modes: { graphMode, readMode },
      startedAt: startedAt.toISOString(),
      schemaFiles,
      otherFiles,
      ...(countsAtStart ? { countsAtStart } : {}),
      vertexLabels: labels.vertex.map((w) => w.label),
      edgeLabels: labels.edge.map((w) => w.label),
    };
    await storage.put(planRecordKey(request.server, backupId), JSON.stringify(record, null, 2));
    await storage.put(workListKey(request.server, backupId), JSON.stringify(work));
    const planMs = runtime.now().getTime() - startedAt.getTime();
    runtime.notify(MESSAGES.backupPlanned.of({ backupId, graph, vertexLabels: labels.vertex.length, edgeLabels: labels.edge.length, readPath, workItems: work.length }));
    return {
      job: {
        backupId,
        location: request.location,
        server: request.server,
        pageSize: request.pageSize ?? DEFAULT_PAGE_SIZE,
        elementsPerFile: request.elementsPerFile ?? DEFAULT_ELEMENTS_PER_FILE,
        compressionLevel: request.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL,
        keep: request.keep,
        readPath,
        ...(readPath === 'scan' && request.labels?.length ? { labels: request.labels } : {}),
        executionId,
        planMs,
      },
      items: itemsRef(request.location, request.server, backupId, work.length),
    };
  } catch (error) {
    await storage.deletePrefix(backupPrefix(request.server, backupId)).catch(() => undefined);
    await releaseLock(storage, lockKey, backupId).catch(() => undefined);
    throw error;
  }
}

/** Per kind, label → elements. */
export type LabelCounts = Record<ElementKind, Record<string, number>>;

/**
 * The server's count of each label of the backup (0 for a label it saw none of), a kind counted
 * only when the backup exports some of its labels.
 */
export async function countLabels(client: LabelCounter, labels: { readonly vertex: readonly { label: string }[]; readonly edge: readonly { label: string }[] }): Promise<LabelCounts> {
  const counts: LabelCounts = { vertex: {}, edge: {} };
  for (const kind of ['vertex', 'edge'] as const) {
    if (labels[kind].length === 0) continue;
    const counted = await client.countPerLabel(kind, { timeoutMs: COUNT_TIMEOUT_MS });
    for (const { label } of labels[kind]) counts[kind][label] = counted[label] ?? 0;
  }
  return counts;
}

/** A count job is one server-side pass over a kind: a large graph takes minutes. */
const COUNT_TIMEOUT_MS = 10 * 60 * 1000;

/** A variables or auth file, when it holds anything (none written means none held: FORMAT.md "Variables"). */
async function writeExtraFile(built: BuiltFile, put: (name: string, body: Buffer) => Promise<unknown>): Promise<ManifestFile[]> {
  if (built.file.elements === 0) return [];
  await put(built.file.name, built.body);
  return [built.file];
}

/**
 * The schema from the per-kind lists, as hugegraph-tools reads it: GET …/schema names range
 * indexes RANGE_INT, RANGE_DOUBLE…, which the tool cannot parse; …/schema/indexlabels says RANGE.
 */
async function readSchema(client: SchemaReader): Promise<Schema> {
  const [propertykeys, vertexlabels, edgelabels, indexlabels] = await Promise.all([client.listPropertyKeys(), client.listVertexLabels(), client.listEdgeLabels(), client.listIndexLabels()]);
  return { propertykeys, vertexlabels, edgelabels, indexlabels };
}

const DATA_KIND = { vertex: 'vertices', edge: 'edges' } as const;

/** What the request asks the backup to hold, in the order of {@link BACKUP_TYPES}, the schema always. */
function contentsOf(request: BackupRequest): ContentKind[] {
  const asked = request.types ?? DEFAULT_BACKUP_TYPES;
  return BACKUP_TYPES.filter((kind) => kind === 'schema' || asked.includes(kind));
}

function validateRequest(request: BackupRequest): void {
  const problems: string[] = [];
  const types = request?.types;
  if (types !== undefined && !(Array.isArray(types) && types.length > 0 && types.every((t) => BACKUP_TYPES.includes(t)))) {
    problems.push(`types must list one or more of ${BACKUP_TYPES.join(', ')}`);
  }
  if (!request?.server?.url) problems.push('server.url is missing');
  if (!request?.server?.graph) problems.push('server.graph is missing');
  if (!request?.location) problems.push('location is missing');
  if (request?.keep !== undefined && !(Number.isInteger(request.keep) && request.keep >= 1)) problems.push('keep must be a whole number ≥ 1');
  if (request?.pageSize !== undefined && !(Number.isInteger(request.pageSize) && request.pageSize >= 1)) problems.push('pageSize must be a whole number ≥ 1');
  if (request?.readPath !== undefined && !READ_PATHS.includes(request.readPath)) problems.push(`readPath must be one of ${READ_PATHS.join(', ')}`);
  if (request?.workers !== undefined && !(Number.isInteger(request.workers) && request.workers >= 1)) problems.push('workers must be a whole number ≥ 1');
  const level = request?.compressionLevel;
  if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9)) problems.push('compressionLevel must be a whole number from 0 to 9');
  if (request?.checkWrites !== undefined && typeof request.checkWrites !== 'boolean') problems.push('checkWrites must be true or false');
  if (request?.waitForServer !== undefined) problems.push(...serverWaitProblems(request.waitForServer, 'waitForServer'));
  if (problems.length) throw new InvalidBackupRequestError(problems);
}

/**
 * The labels to export, vertex labels and edge labels each numbered from 1 in schema order. Parent
 * edge labels hold no edges of their own (their sub labels do), so they are not exported. On the
 * label path, a label whose label index is disabled cannot be listed by label: refused by name,
 * never skipped (the scan path reads it like any other).
 */
export function selectLabels(schema: Schema, only?: string[], readPath: ReadPath = 'label', contents: readonly ContentKind[] = BACKUP_TYPES): { vertex: LabelWork[]; edge: LabelWork[] } {
  const allVertexLabels = schema.vertexlabels.elements;
  const allEdgeLabels = schema.edgelabels.elements.filter((e) => e.edgelabel_type !== 'PARENT');
  if (only?.length) {
    const known = new Set([...allVertexLabels.map((l) => l.name), ...allEdgeLabels.map((l) => l.name)]);
    const unknown = only.filter((name) => !known.has(name));
    if (unknown.length) {
      throw new BackupNotPossibleError(`no such label(s) in the graph: ${unknown.join(', ')}`, `labels are: ${[...known].join(', ')}`);
    }
    for (const [labels, kind] of [
      [allVertexLabels, 'vertices'],
      [allEdgeLabels, 'edges'],
    ] as const) {
      const excluded = labels.filter((l) => only.includes(l.name)).map((l) => l.name);
      if (excluded.length && !contents.includes(kind)) {
        throw new BackupNotPossibleError(`--labels names ${excluded.join(', ')}, but the backup's types leave out ${kind}`, `add ${kind} to the types, or leave those labels out`);
      }
    }
  }
  const vertexLabels = contents.includes('vertices') ? allVertexLabels : [];
  const edgeLabels = contents.includes('edges') ? allEdgeLabels : [];
  const wanted = (name: string) => !only?.length || only.includes(name);
  const pick = <T extends VertexLabel | EdgeLabel>(labels: T[], kind: 'vertex' | 'edge'): LabelWork[] => labels.filter((l) => wanted(l.name)).map((l, i) => ({ kind, label: l.name, index: i + 1 }));
  const vertex = pick(vertexLabels, 'vertex');
  const edge = pick(edgeLabels, 'edge');
  const unindexed = [...vertexLabels, ...edgeLabels].filter((l) => wanted(l.name) && l.enable_label_index === false).map((l) => l.name);
  if (readPath === 'label' && unindexed.length) {
    throw new BackupNotPossibleError(
      `label(s) ${unindexed.join(', ')} have enable_label_index=false: the server cannot list their elements by label, so a per-label backup would miss them`,
      'back up with the scan read path (--read-path scan), which reads every element whatever its label',
    );
  }
  return { vertex, edge };
}

function readPathOf(request: BackupRequest): ReadPath {
  return request.readPath ?? (request.labels?.length ? 'label' : 'scan');
}

/** The key ranges of the tables asked for, each numbered from 1 within its kind (the number names its files). */
async function rangeWork(reader: GraphScanner, kinds: readonly ElementKind[], workers: number): Promise<RangeWork[]> {
  // Both tables are planned at once: planning is mostly waiting for probes.
  const planned = await Promise.all(kinds.map((kind) => planRanges(reader, kind, workers * RANGES_PER_WORKER)));
  return kinds.flatMap((kind, k) => (planned[k] ?? []).map((range, i) => ({ kind, range, index: i + 1 })));
}

/**
 * A graph's table cut into ranges that hold data (key-ranges.ts): the server's shards of
 * `RANGE_SPLIT_BYTES` for a large graph, for a smaller one its finest (1 MiB), then cut where the
 * data is until there are `wanted` ranges, or as many as the shards that hold data when more.
 */
export async function planRanges(reader: GraphScanner, kind: ElementKind, wanted: number): Promise<KeyRange[]> {
  const coarse = await reader.shards(kind, RANGE_SPLIT_BYTES);
  const shards = coarse.length >= wanted ? coarse : await reader.shards(kind, MIN_SPLIT_SIZE);
  const probe = async (range: KeyRange, limit: number) => (await reader.scanRawPage(kind, range, null, limit)).elements.length;
  // The shard count follows the server's size estimate: a small table is worth few ranges and few
  // probes (a 20k-element graph spent 3 s of server CPU on probes with the 1M graph's budget).
  return balanceRanges(shards, probe, { target: Math.min(wanted, 2 * shards.length), maxProbes: Math.min(2000, 64 + 16 * shards.length) });
}

/** Where the Distributed Map finds the work list: the root's bucket (or folder) and the key below it. */
function itemsRef(location: string, of: BackupGraph, backupId: string, count: number): BackupItemsRef {
  const parsed = parseLocation(location);
  const bucket = parsed.kind === 'local' ? parsed.path : parsed.bucket;
  const base = parsed.kind === 's3' && parsed.prefix !== '' ? `${parsed.prefix}/` : '';
  return { bucket, key: `${base}${workListKey(of, backupId)}`, resultsPrefix: `${base}${mapResultsPrefix(of, backupId)}`, count };
}
