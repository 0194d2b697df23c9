import { buildSchemaFile, newBackupId, SCHEMA_KINDS, type ManifestFile } from '../format';
import type { EdgeLabel, Schema, SchemaReader, VertexLabel } from '../hugegraph';
import { BackupNotPossibleError, InvalidBackupRequestError } from './errors';
import { backupFileKey, backupLockKey, backupPrefix, planRecordKey } from './layout';
import { acquireLock, releaseLock } from '../workflow/lock';
import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { BackupPlan, BackupRequest, LabelWork } from './types';

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

/** The label list travels in state (≈ 60 B a label); 256 KB holds about this many. */
export const MAX_LABELS_PER_BACKUP = 4000;

/** What plan leaves in storage for finalize: everything known at the start that the manifest needs. */
export interface PlanRecord {
  readonly backupId: string;
  readonly graph: string;
  readonly graphspace: string | null;
  readonly server: { readonly version: string; readonly backend: string };
  readonly modes: { readonly graphMode: string; readonly readMode: string };
  readonly startedAt: string;
  readonly schemaFiles: ManifestFile[];
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
  const client = await runtime.connect(request.server);
  const startedAt = runtime.now();
  const info = await client.graphInfo();
  if (info.backend === 'memory') {
    throw new BackupNotPossibleError(
      `graph ${request.server.graph} uses the memory backend, which cannot page: a backup would be silently short`,
      'back up a graph on a persistent backend such as rocksdb',
    );
  }
  const graph = request.server.graph;
  const backupId = newBackupId(startedAt);
  const lockKey = backupLockKey(graph);
  await acquireLock(
    storage,
    lockKey,
    { purpose: 'backup', runId: backupId, owner: runtime.lockOwner(executionId), acquiredAt: startedAt.toISOString() },
    { maxAgeMs: BACKUP_LOCK_MAX_AGE_MS, isOwnerAlive: (owner) => runtime.isLockOwnerAlive(owner), now: () => runtime.now() },
  );
  try {
    const [graphMode, readMode, schema] = await Promise.all([client.getMode(), client.getReadMode(), readSchema(client)]);
    const labels = selectLabels(schema, request.labels);
    const schemaFiles: ManifestFile[] = [];
    for (const kind of SCHEMA_KINDS) {
      const built = await buildSchemaFile(kind, schema[kind].rawElements);
      await storage.put(backupFileKey(graph, backupId, built.file.name), built.body);
      schemaFiles.push(built.file);
    }
    const record: PlanRecord = {
      backupId,
      graph,
      graphspace: request.server.graphspace ?? null,
      server: { version: client.serverVersion, backend: info.backend },
      modes: { graphMode, readMode },
      startedAt: startedAt.toISOString(),
      schemaFiles,
      vertexLabels: labels.vertex.map((w) => w.label),
      edgeLabels: labels.edge.map((w) => w.label),
    };
    await storage.put(planRecordKey(graph, backupId), JSON.stringify(record, null, 2));
    runtime.notify(MESSAGES.backupPlanned.of({ backupId, graph, vertexLabels: labels.vertex.length, edgeLabels: labels.edge.length }));
    return {
      job: {
        backupId,
        location: request.location,
        server: request.server,
        pageSize: request.pageSize ?? DEFAULT_PAGE_SIZE,
        elementsPerFile: request.elementsPerFile ?? DEFAULT_ELEMENTS_PER_FILE,
        compressionLevel: request.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL,
        keep: request.keep,
      },
      vertexLabels: labels.vertex,
      edgeLabels: labels.edge,
    };
  } catch (error) {
    await storage.deletePrefix(backupPrefix(graph, backupId)).catch(() => undefined);
    await releaseLock(storage, lockKey, backupId).catch(() => undefined);
    throw error;
  }
}

/**
 * The schema from the per-kind lists, as hugegraph-tools reads it: GET …/schema names range
 * indexes RANGE_INT, RANGE_DOUBLE…, which the tool cannot parse; …/schema/indexlabels says RANGE.
 */
async function readSchema(client: SchemaReader): Promise<Schema> {
  const [propertykeys, vertexlabels, edgelabels, indexlabels] = await Promise.all([client.listPropertyKeys(), client.listVertexLabels(), client.listEdgeLabels(), client.listIndexLabels()]);
  return { propertykeys, vertexlabels, edgelabels, indexlabels };
}

function validateRequest(request: BackupRequest): void {
  const problems: string[] = [];
  if (!request?.server?.url) problems.push('server.url is missing');
  if (!request?.server?.graph) problems.push('server.graph is missing');
  if (!request?.location) problems.push('location is missing');
  if (request?.keep !== undefined && !(Number.isInteger(request.keep) && request.keep >= 1)) problems.push('keep must be a whole number ≥ 1');
  if (request?.pageSize !== undefined && !(Number.isInteger(request.pageSize) && request.pageSize >= 1)) problems.push('pageSize must be a whole number ≥ 1');
  const level = request?.compressionLevel;
  if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9)) problems.push('compressionLevel must be a whole number from 0 to 9');
  if (problems.length) throw new InvalidBackupRequestError(problems);
}

/**
 * The labels to export, vertex labels and edge labels each numbered from 1 in schema order. Parent
 * edge labels hold no edges of their own (their sub labels do), so they are not exported. A label
 * whose label index is disabled cannot be listed by label: refused by name, never skipped.
 */
export function selectLabels(schema: Schema, only?: string[]): { vertex: LabelWork[]; edge: LabelWork[] } {
  const vertexLabels = schema.vertexlabels.elements;
  const edgeLabels = schema.edgelabels.elements.filter((e) => e.edgelabel_type !== 'PARENT');
  if (only?.length) {
    const known = new Set([...vertexLabels.map((l) => l.name), ...edgeLabels.map((l) => l.name)]);
    const unknown = only.filter((name) => !known.has(name));
    if (unknown.length) {
      throw new BackupNotPossibleError(`no such label(s) in the graph: ${unknown.join(', ')}`, `labels are: ${[...known].join(', ')}`);
    }
  }
  const wanted = (name: string) => !only?.length || only.includes(name);
  const pick = <T extends VertexLabel | EdgeLabel>(labels: T[], kind: 'vertex' | 'edge'): LabelWork[] => labels.filter((l) => wanted(l.name)).map((l, i) => ({ kind, label: l.name, index: i + 1 }));
  const vertex = pick(vertexLabels, 'vertex');
  const edge = pick(edgeLabels, 'edge');
  if (vertex.length + edge.length > MAX_LABELS_PER_BACKUP) {
    throw new BackupNotPossibleError(
      `${vertex.length + edge.length} labels exceed the ${MAX_LABELS_PER_BACKUP} one backup can carry in its state (docs/workflows.md)`,
      'back up the labels in groups with --labels',
    );
  }
  const unindexed = [...vertexLabels, ...edgeLabels].filter((l) => wanted(l.name) && l.enable_label_index === false).map((l) => l.name);
  if (unindexed.length) {
    throw new BackupNotPossibleError(
      `label(s) ${unindexed.join(', ')} have enable_label_index=false: the server cannot list their elements by label, so a per-label backup would miss them`,
      'back up the other labels with --labels, or recreate these labels with enable_label_index=true',
    );
  }
  return { vertex, edge };
}
