import { classifyFile, type ConsistencyWindow, createManifest, parseManifest, serializeManifest, type Manifest, type ManifestFile } from '../format';
import { ObjectExistsError, ObjectNotFoundError, type BackupStorage } from '../storage/storage';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { ManifestExistsError, RecordedFilesMismatchError } from './errors';
import { type BackupGraph, backupLockKey, backupPrefix, fileRecordsPrefix, manifestKey, planRecordKey, prefixLocation, workPrefix } from './layout';
import { releaseLock } from '../workflow/lock';
import { countLabels, type LabelCounts, type PlanRecord } from './plan';
import { applyRetention } from './retention';
import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { BackupJob, BackupSummary } from './types';

/**
 * Commits a backup: gathers the records of every stored file, checks each is there with its size,
 * removes stray files of failed attempts, writes manifest.json (create-only: the commit marker)
 * and removes the work folder. Retention and the lock come next, in their own step
 * ({@link applyRetentionStep}), which alone may delete other backups.
 */
export async function finalizeBackup(runtime: WorkflowRuntime, job: BackupJob): Promise<BackupSummary> {
  const storage = runtime.storage(job.location);
  const graph = job.server.graph;
  const of = job.server;
  // A retried finalize whose first attempt committed (its answer was lost, its Lambda timed out).
  const committed = await readOwnManifest(storage, of, job.backupId);
  if (committed) return summarize(storage, job, committed);
  const plan = JSON.parse((await storage.get(planRecordKey(of, job.backupId))).toString('utf8')) as PlanRecord;
  const dataFiles = await readFileRecords(storage, of, job.backupId);
  const files = [...plan.schemaFiles, ...(plan.otherFiles ?? []), ...dataFiles];
  await checkStoredFiles(storage, of, job.backupId, files);

  const countsAtEnd = plan.countsAtStart ? await countLabels(await runtime.connect(job.server), labelsOf(plan)) : undefined;
  const finishedAt = runtime.now();
  const manifest = createManifest({
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    ...(plan.contents ? { contents: plan.contents } : {}),
    backupId: job.backupId,
    graph,
    graphspace: plan.graphspace,
    server: plan.server,
    modes: plan.modes,
    startedAt: plan.startedAt,
    finishedAt: finishedAt.toISOString(),
    files,
    emptyLabels: { vertex: plan.vertexLabels, edge: plan.edgeLabels },
    ...(plan.countsAtStart && countsAtEnd ? { counts: countWindow(plan.countsAtStart, countsAtEnd) } : {}),
  });
  try {
    await storage.put(manifestKey(of, job.backupId), serializeManifest(manifest), { ifAbsent: true });
  } catch (error) {
    if (!(error instanceof ObjectExistsError)) throw error;
    // Only this run writes manifests of its backup id: one there is an earlier attempt's commit.
    const earlier = await readOwnManifest(storage, of, job.backupId);
    if (!earlier) throw new ManifestExistsError(storage.uri(manifestKey(of, job.backupId)));
    return summarize(storage, job, earlier);
  }
  return summarize(storage, job, manifest);
}

/** The manifest of this backup id, if one is committed (and it is this backup's). */
async function readOwnManifest(storage: BackupStorage, of: BackupGraph, backupId: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = (await storage.get(manifestKey(of, backupId))).toString('utf8');
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
  const manifest = parseManifest(text);
  return manifest.backupId === backupId && manifest.graph === of.graph ? manifest : undefined;
}

/**
 * A committed backup: its work folder goes, and its summary comes from its manifest (and the
 * plan's time from the job), the same for every finalize attempt.
 */
async function summarize(storage: BackupStorage, job: BackupJob, manifest: Manifest): Promise<BackupSummary> {
  const { server: of, backupId } = job;
  await storage.deletePrefix(workPrefix(of, backupId));
  const location = prefixLocation(storage.root, backupPrefix(of, backupId));
  return {
    backupId,
    location,
    graph: of.graph,
    contents: manifest.contents,
    vertices: manifest.labels.vertex,
    edges: manifest.labels.edge,
    ...(manifest.contents.includes('variables') ? { variables: manifest.files.find((f) => f.type === 'variables')?.elements ?? 0 } : {}),
    ...(manifest.window ? { writesSeen: manifest.window.writesSeen } : {}),
    files: manifest.totals.files,
    bytes: manifest.totals.bytes,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    durationMs: Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt),
    ...(job.planMs === undefined ? {} : { planMs: job.planMs }),
    deletedBackups: [],
  };
}

/**
 * After the commit: keeps the `keep` newest complete backups of the graph (and removes incomplete
 * ones of dead runs), then releases the graph's backup lock. Its own task, so that on AWS only its
 * role may delete other backups.
 */
export async function applyRetentionStep(runtime: WorkflowRuntime, job: BackupJob, summary: BackupSummary): Promise<BackupSummary> {
  const storage = runtime.storage(job.location);
  const retention = await applyRetention(storage, job.server, job.keep, job.backupId);
  await releaseLock(storage, backupLockKey(job.server), job.backupId);
  const deletedBackups = [...retention.deletedComplete, ...retention.deletedIncomplete];
  runtime.notify(MESSAGES.backupCompleted.of({ backupId: job.backupId, location: summary.location, files: summary.files, bytes: summary.bytes, deletedBackups }));
  return { ...summary, deletedBackups };
}

function labelsOf(plan: PlanRecord) {
  const named = (labels: string[]) => labels.map((label) => ({ label }));
  return { vertex: named(plan.vertexLabels), edge: named(plan.edgeLabels) };
}

/** The manifest's window: each label's count before and after the export. */
function countWindow(start: LabelCounts, end: LabelCounts): ConsistencyWindow['counts'] {
  const pair = (kind: 'vertex' | 'edge') => Object.fromEntries(Object.entries(start[kind]).map(([label, atStart]) => [label, { atStart, atEnd: end[kind][label] ?? 0 }]));
  return { vertex: pair('vertex'), edge: pair('edge') };
}

async function readFileRecords(storage: BackupStorage, of: BackupGraph, backupId: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for await (const object of storage.list(fileRecordsPrefix(of, backupId))) {
    files.push(JSON.parse((await storage.get(object.key)).toString('utf8')) as ManifestFile);
  }
  return files;
}

/**
 * Every recorded file must be stored with its recorded size; a data file without a record is what
 * a failed attempt left, and goes, so that the folder holds exactly what the manifest lists.
 */
async function checkStoredFiles(storage: BackupStorage, of: BackupGraph, backupId: string, files: ManifestFile[]): Promise<void> {
  const expected = new Map(files.map((f) => [f.name, f]));
  const prefix = backupPrefix(of, backupId);
  const seen = new Set<string>();
  for await (const object of storage.list(prefix)) {
    const name = object.key.slice(prefix.length);
    if (name.includes('/')) continue; // the work folder
    const file = expected.get(name);
    if (!file) {
      if (classifyFile(name)) await storage.delete(object.key);
      continue;
    }
    if (object.size !== file.bytes) {
      throw new RecordedFilesMismatchError(`${storage.uri(object.key)} holds ${object.size} bytes, its record says ${file.bytes}`);
    }
    seen.add(name);
  }
  const missing = files.filter((f) => !seen.has(f.name)).map((f) => f.name);
  if (missing.length) throw new RecordedFilesMismatchError(`recorded files are missing from ${prefixLocation(storage.root, prefix)}: ${missing.join(', ')}`);
}
