import { throwIfAborted } from '../abort';
import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import { BackupFormatError, decodeLineBytes, locateLineArray, readFileLineBytes, type LineBytes } from '../format';
import { HugeGraphBadRequestError, HugeGraphNotFoundError, HugeGraphServerError, type BatchInput, type GraphModes, type GraphWriter, type SchemaReader } from '../hugegraph';
import { arrayElementsBytes, withoutLeadingIdBytes } from '../json/bytes';
import { scanArray, utf8Length } from '../json/scan';
import { elementLabel, fixEdge, fixVertex, lineHandling, sameLabelAndProperties, vertexIdOnTarget, type ElementFixContext } from './element-fix';
import { ElementFixError, RestoreModeLostError } from './errors';
import { doneRecordKey } from './layout';
import { openBackupFile } from './source';
import { assertLockHeld, readDoneRecord, type DoneRecord } from './state';
import type { FileItem, RestoreFilesInput, RestoreFilesResult, RestoreJob, RestoreMode } from './types';

/** Label reported in progress messages for a hugegraph-tools file, whose lines mix labels. */
export const MIXED_LABELS = '(mixed)';

/**
 * Restores a batch of files of one kind (a Distributed Map child's items), one after the other.
 * A file with a done record is skipped, so a re-run resumes. A file the manifest gives a checksum
 * is read whole (it is stored compressed, ≤ 100,000 elements) and its SHA-256 checked before any
 * of its elements is sent: a damaged file writes nothing. What passes the check is byte for byte
 * what the backup wrote, so its lines are decoded once, as they are sent; the element count is
 * checked against the manifest at the end. Each line is one batch; up to `job.batchConcurrency`
 * are in flight.
 */
export async function restoreFiles(runtime: WorkflowRuntime, input: RestoreFilesInput): Promise<RestoreFilesResult> {
  const job = input.BatchInput.job;
  const client = await runtime.connect(job.target);
  const context = await fixContext(client, job.mode);
  const files: RestoreFilesResult['files'][number][] = [];
  for (const item of input.Items) files.push(await restoreFile(runtime, job, client, context, item));
  return { files };
}

/** The target's PRIMARY_KEY vertex labels, by name, with their ids. */
export async function fixContext(client: Pick<SchemaReader, 'listVertexLabels'>, mode: RestoreMode): Promise<ElementFixContext> {
  const labels = await client.listVertexLabels();
  const primaryKeyLabels = new Map<string, string>();
  for (const label of labels.elements) {
    if (label.id_strategy === 'PRIMARY_KEY') primaryKeyLabels.set(label.name, String(label.id));
  }
  return { mode, primaryKeyLabels };
}

async function restoreFile(
  runtime: WorkflowRuntime,
  job: RestoreJob,
  client: GraphWriter & Pick<GraphModes, 'getMode'>,
  context: ElementFixContext,
  item: FileItem,
): Promise<{ name: string; elements: number; skipped: boolean }> {
  const state = runtime.storage(job.stateLocation);
  const done = await readDoneRecord(state, job, item.name);
  if (done) return { name: item.name, elements: done.elements, skipped: true };
  await assertStillRestoring(runtime, job, client);

  const content = await openBackupFile(runtime.storage(job.source.root), job.source.prefix, item);
  const labels = await postFile(runtime, job, client, context, item, content);
  const elements = Object.values(labels).reduce((a, b) => a + b, 0);
  if (item.elements !== undefined && elements !== item.elements) {
    throw new BackupFormatError(item.name, `holds ${elements} elements, the manifest says ${item.elements}`);
  }
  const record: DoneRecord = { name: item.name, type: item.type, elements, labels, finishedAt: runtime.now().toISOString() };
  await state.put(doneRecordKey(job.statePrefix, item.name), JSON.stringify(record));
  runtime.notify(MESSAGES.fileRestored.of({ file: item.name, type: item.type, elements }));
  return { name: item.name, elements, skipped: false };
}

/**
 * How often a file's batches check that the run still holds its lock (and the mode): a reset
 * fences the lock, then waits {@link RESET_FENCE_WAIT_MS} (abort.ts) for workers to see it.
 */
export const FENCE_CHECK_MS = 1000;

/** `check`, run at most once per `ms` (the first call waits `ms` from now: the caller just checked). */
function every(ms: number, runtime: WorkflowRuntime, check: () => Promise<void>): () => Promise<void> {
  let last = runtime.now().getTime();
  return async () => {
    const now = runtime.now().getTime();
    if (now - last < ms) return;
    last = now;
    await check();
  };
}

/**
 * Checked before each file, and every {@link FENCE_CHECK_MS} between its batches: the run still
 * holds its lock, unfenced, and the target is still in its mode.
 * Only Prepare sets the mode: setting it here again could undo a reset that ran meanwhile (a
 * sibling child failed). A server restarted since Prepare is back in NONE: stop, a re-run resumes.
 */
async function assertStillRestoring(runtime: WorkflowRuntime, job: RestoreJob, client: Pick<GraphModes, 'getMode'>): Promise<void> {
  await assertLockHeld(runtime, job);
  const mode = await client.getMode();
  if (mode !== job.mode) throw new RestoreModeLostError(job.target.graph, job.mode, mode, job.restoreId);
}

/**
 * Sends the file's lines as batches, at most `job.batchConcurrency` at a time; returns elements per
 * label. A line whose elements all go to the target unchanged (see {@link postedAsStored}) is posted
 * as its stored bytes, never decoded; the others are decoded and each element fixed.
 */
async function postFile(
  runtime: WorkflowRuntime,
  job: RestoreJob,
  client: GraphWriter & Pick<GraphModes, 'getMode'>,
  context: ElementFixContext,
  item: FileItem,
  content: AsyncIterable<Uint8Array>,
): Promise<Record<string, number>> {
  const kind = item.type === 'vertices' ? 'vertex' : 'edge';
  const handling = item.label === undefined ? 'fixed' : lineHandling(kind, item.label, context);
  const labels: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const failed: { error?: unknown } = {};
  const fence = every(FENCE_CHECK_MS, runtime, () => assertStillRestoring(runtime, job, client));
  try {
    for await (const line of readFileLineBytes(item.name, content)) {
      if ('error' in failed) break;
      throwIfAborted(runtime.signal);
      await fence();
      const batch = handling === 'as-stored' ? storedBatch(item, line) : handling === 'without-ids' ? withoutIdsBatch(item, context, line) : fixedBatch(item, kind, context, line);
      if (batch.elements === 0) continue;
      for (const [label, n] of batch.labels) labels[label] = (labels[label] ?? 0) + n;
      const sending = (async () => {
        try {
          await (kind === 'vertex' ? sendVertices(client, context, batch) : client.createEdges(batch.body, { checkVertex: false }));
          runtime.notify(MESSAGES.batchRestored.of({ kind, label: item.label ?? MIXED_LABELS, elements: batch.elements, bytes: batch.bytes }));
        } catch (error) {
          if (!('error' in failed)) failed.error = error;
        }
      })();
      pending.add(sending);
      void sending.finally(() => pending.delete(sending)); // `sending` never rejects
      if (pending.size >= job.batchConcurrency) await Promise.race(pending);
    }
  } finally {
    await Promise.all(pending);
  }
  if ('error' in failed) throw failed.error;
  return labels;
}

/** One line, ready to post. */
interface Batch {
  readonly body: BatchInput;
  readonly elements: number;
  readonly bytes: number;
  /** Elements per label. */
  readonly labels: ReadonlyArray<readonly [string, number]>;
  /** Its elements one by one, for the UNIQUE-conflict path of {@link sendVertices}. */
  readonly each: () => Element[];
}

/** A line whose elements go unchanged: its array as stored. */
function storedBatch(item: FileItem, line: LineBytes): Batch {
  const label = item.label as string;
  const { array, count } = locateLineArray(line.bytes, item.name, line.line, item.type);
  return {
    body: { json: array, count },
    elements: count,
    bytes: array.length,
    labels: [[label, count]],
    each: () => scanArray(array.toString('utf8')).map((raw) => ({ raw, label, fixed: raw })),
  };
}

/**
 * A line of PRIMARY_KEY vertices: each loses its leading `id` member in the bytes (the server
 * recomputes it); an element whose id is not first is edited as text.
 */
function withoutIdsBatch(item: FileItem, context: ElementFixContext, line: LineBytes): Batch {
  const label = item.label as string;
  const { array } = locateLineArray(line.bytes, item.name, line.line, item.type);
  const elements = arrayElementsBytes(array, 0);
  const parts: Uint8Array[] = [OPEN_BRACKET];
  elements.forEach((element, k) => {
    if (k > 0) parts.push(COMMA);
    parts.push(...(withoutLeadingIdBytes(element) ?? [Buffer.from(fixVertex(element.toString('utf8'), context, label), 'utf8')]));
  });
  parts.push(CLOSE_BRACKET);
  const json = Buffer.concat(parts);
  return {
    body: { json, count: elements.length },
    elements: elements.length,
    bytes: json.length,
    labels: [[label, elements.length]],
    each: () => elements.map((e) => e.toString('utf8')).map((raw) => ({ raw, label, fixed: fixVertex(raw, context, label) })),
  };
}

const OPEN_BRACKET = Buffer.from('[');
const CLOSE_BRACKET = Buffer.from(']');
const COMMA = Buffer.from(',');

/** A line whose elements are decoded and fixed one by one (ids recomputed, endpoints rewritten). */
function fixedBatch(item: FileItem, kind: 'vertex' | 'edge', context: ElementFixContext, line: LineBytes): Batch {
  const decoded = decodeLineBytes(line, item.name, item.type);
  const labels = new Map<string, number>();
  const elements = decoded.rawElements.map((raw): Element => {
    try {
      const label = item.label ?? elementLabel(raw) ?? '';
      labels.set(label, (labels.get(label) ?? 0) + 1);
      return { raw, label, fixed: kind === 'vertex' ? fixVertex(raw, context, label) : fixEdge(raw, context) };
    } catch (error) {
      if (error instanceof ElementFixError) throw new BackupFormatError(item.name, error.message, line.line, { cause: error });
      throw error;
    }
  });
  const fixed = elements.map((e) => e.fixed);
  return {
    body: fixed,
    elements: elements.length,
    bytes: fixed.reduce((n, e) => n + utf8Length(e), 0),
    labels: [...labels],
    each: () => elements,
  };
}

interface Element {
  /** As the backup holds it. */
  readonly raw: string;
  readonly label: string;
  /** As it is posted. */
  readonly fixed: string;
}

const UNIQUE_CONFLICT = /Unique constraint .* conflict is found/;

function isUniqueConflict(error: unknown): error is HugeGraphBadRequestError {
  return error instanceof HugeGraphBadRequestError && UNIQUE_CONFLICT.test(error.serverMessage ?? '');
}

/**
 * Posts one batch of vertices. HugeGraph (1.5.0 at least) refuses to write a vertex again when a
 * UNIQUE index covers it, even unchanged and in RESTORING or MERGING mode ("Unique constraint …
 * conflict is found for v[<its own id>]"), so a re-sent batch of such a label would fail. The batch
 * was rolled back whole; its vertices are then sent one by one, and a vertex refused this way
 * counts as written when the target holds it already with the same label and properties.
 */
async function sendVertices(client: GraphWriter, context: ElementFixContext, batch: Batch): Promise<unknown> {
  try {
    return await client.createVertices(batch.body);
  } catch (error) {
    if (!isUniqueConflict(error)) throw error;
  }
  for (const element of batch.each()) {
    try {
      await client.createVertices([element.fixed]);
    } catch (error) {
      if (!isUniqueConflict(error) || !(await holdsAlready(client, context, element))) throw error;
    }
  }
  return undefined;
}

async function holdsAlready(client: Pick<GraphWriter, 'getVertex'>, context: ElementFixContext, element: Element): Promise<boolean> {
  const id = vertexIdOnTarget(element.raw, element.label, context);
  if (id === undefined) return false;
  try {
    return sameLabelAndProperties(await client.getVertex(id), element.fixed);
  } catch (error) {
    // 1.5.0 answers GET vertices/<id> with 500 for a string id holding a quote: then we cannot tell,
    // and the conflict stands.
    if (error instanceof HugeGraphNotFoundError || error instanceof HugeGraphServerError) return false;
    throw error;
  }
}
