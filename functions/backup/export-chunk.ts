import { throwIfAborted } from '../abort';
import { DataFileWriter, parseDataFileName, readableSink, type DataKind } from '../format';
import type { GraphReader, GraphScanner, RawPage } from '../hugegraph';
import { memberStringBytes } from '../json/bytes';
import type { BackupStorage } from '../storage/storage';
import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import { LabelAppearedDuringBackupError } from './errors';
import { backupFileKey, fileRecordKey, itemRecordsPrefix, planRecordKey } from './layout';
import type { PlanRecord } from './plan';
import { type BackupJob, type ElementKind, type ExportChunkInput, type ExportCursor, isRangeWork, type LabelWork, type RangeWork } from './types';

/** Time kept back from the invocation's budget to close the open files and answer. */
export const SAFETY_MARGIN_MS = 60_000;

/**
 * Files of one key range are numbered from `index × RANGE_SEQ_SPAN`, so the ranges of a label
 * never share a file name; label paging numbers its files from 1, below every range's numbers.
 */
export const RANGE_SEQ_SPAN = 100_000;

/**
 * Exports one work item (a label, or a key range) from the cursor on, until it ends or the time
 * budget is nearly spent, and returns where to continue. Pages pass through as the server wrote
 * them (split into elements, never parsed); the next page is requested while the current one is
 * written.
 *
 * A retried chunk starts again from the same cursor and writes the same file names; first it
 * removes what a failed attempt of its own item recorded from the cursor on, so a retry that reads
 * a page differently (the graph changed meanwhile) cannot leave an extra file behind.
 */
export async function exportChunk(runtime: WorkflowRuntime, input: ExportChunkInput): Promise<ExportCursor> {
  const { job, work, cursor } = input;
  if (cursor.done) return cursor;
  const deadline = Date.now() + Math.max(runtime.remainingMs() - SAFETY_MARGIN_MS, 1);
  const storage = runtime.storage(job.location);
  const client = await runtime.connect(job.server);
  const firstSeq = isRangeWork(work) ? work.index * RANGE_SEQ_SPAN + cursor.fileSeq : cursor.fileSeq;
  await dropFilesFrom(storage, job, work, firstSeq);
  return isRangeWork(work) ? exportRange(runtime, { job, work, cursor, storage, client, deadline }) : exportLabel(runtime, { job, work, cursor, storage, client, deadline });
}

interface ItemExport<W> {
  readonly job: BackupJob;
  readonly work: W;
  readonly cursor: ExportCursor;
  readonly storage: BackupStorage;
  readonly client: GraphReader & GraphScanner;
  readonly deadline: number;
}

/** One label, page by page (`?label=&page=`); the server repeats an element across pages, dropped by the last id. */
async function exportLabel(runtime: WorkflowRuntime, x: ItemExport<LabelWork>): Promise<ExportCursor> {
  const { job, work, cursor } = x;
  const writer = new DataFileWriter({ ...writerOptions(x, work.label, work.index), firstSeq: cursor.fileSeq });
  let lastId: string | null = cursor.lastId === '' ? null : cursor.lastId;
  const fetch = (page: string | null, previous: RawPage | undefined) => {
    lastId = previous?.lastId ?? lastId;
    return x.client.fetchRawPage(work.kind, work.label, page, job.pageSize, { afterId: lastId });
  };
  const end = await pageThrough(runtime, x, [writer], fetch, async (current) => {
    lastId = current.lastId ?? lastId;
    await writer.write(current.elements);
    runtime.notify(MESSAGES.pageExported.of({ kind: work.kind, label: work.label, elements: current.elements.length, bytes: current.bytes }));
    return current.elements.length;
  });
  if (end.page === null) runtime.notify(MESSAGES.workItemExported.of({ kind: work.kind, item: 'label', label: work.label }));
  return { page: end.page ?? '', lastId: lastId ?? '', fileSeq: writer.nextSeq, elements: end.elements, done: end.page === null };
}

/**
 * One key range, page by page (`…/scan?start=&end=&page=`): every element once, labels mixed, each
 * written to its label's files (one writer per label met, all numbered from one counter).
 */
async function exportRange(runtime: WorkflowRuntime, x: ItemExport<RangeWork>): Promise<ExportCursor> {
  const { job, work, cursor } = x;
  const indexes = await labelIndexes(x.storage, job, work.kind);
  const kept = job.labels ? new Set(job.labels) : undefined;
  let seq = cursor.fileSeq;
  const writers = new Map<string, DataFileWriter>();
  const writerOf = (label: string): DataFileWriter => {
    let writer = writers.get(label);
    if (!writer) {
      const index = indexes.get(label);
      if (index === undefined) throw new LabelAppearedDuringBackupError(work.kind, label);
      writer = new DataFileWriter({ ...writerOptions(x, label, index), allocateSeq: () => work.index * RANGE_SEQ_SPAN + seq++ });
      writers.set(label, writer);
    }
    return writer;
  };
  const end = await pageThrough(
    runtime,
    x,
    () => [...writers.values()],
    (page) => x.client.scanRawPage(work.kind, work.range, page, job.pageSize),
    async (current) => {
      const byLabel = new Map<string, Buffer[]>();
      for (const element of current.elements) {
        const label = memberStringBytes(element, 'label') ?? '';
        if (kept && !kept.has(label)) continue;
        const group = byLabel.get(label);
        if (group) group.push(element);
        else byLabel.set(label, [element]);
      }
      let written = 0;
      for (const [label, elements] of byLabel) {
        await writerOf(label).write(elements);
        written += elements.length;
        const bytes = elements.reduce((sum, e) => sum + e.length, 0);
        runtime.notify(MESSAGES.pageExported.of({ kind: work.kind, label, elements: elements.length, bytes }));
      }
      if (seq - cursor.fileSeq >= RANGE_SEQ_SPAN) throw new RangeError(`range ${work.index} would need more than ${RANGE_SEQ_SPAN} files: raise elementsPerFile`);
      return written;
    },
  );
  if (end.page === null) runtime.notify(MESSAGES.workItemExported.of({ kind: work.kind, item: 'key range' }));
  return { page: end.page ?? '', lastId: '', fileSeq: seq, elements: end.elements, done: end.page === null };
}

/**
 * Fetches pages from the cursor's token until the item ends or the deadline passes, the next page
 * in flight while the current one is written; closes the writers at the end, aborts them on error.
 */
async function pageThrough(
  runtime: WorkflowRuntime,
  x: ItemExport<LabelWork | RangeWork>,
  writers: DataFileWriter[] | (() => DataFileWriter[]),
  /** The page after `previous` (the one just read; undefined for the cursor's own page). */
  fetch: (page: string | null, previous: RawPage | undefined) => Promise<RawPage>,
  write: (page: RawPage) => Promise<number>,
): Promise<{ page: string | null; elements: number }> {
  const all = () => (typeof writers === 'function' ? writers() : writers);
  let elements = x.cursor.elements;
  let page: string | null = x.cursor.page === '' ? null : x.cursor.page;
  let next: Promise<RawPage> | undefined = fetch(page, undefined);
  try {
    while (next) {
      throwIfAborted(runtime.signal);
      const current: RawPage = await next;
      page = current.nextPage || null; // '' ends an item too, as in client.pages()
      next = page !== null && Date.now() < x.deadline ? fetch(page, current) : undefined;
      next?.catch(() => undefined); // awaited on the next turn; a failure surfaces there
      elements += await write(current);
    }
    for (const writer of all()) await writer.close();
  } catch (error) {
    // Drop the open files' uploads (they would wait for bytes forever) and the page in flight.
    await Promise.all(all().map((writer) => writer.abort(error).catch(() => undefined)));
    await next?.catch(() => undefined);
    throw error;
  }
  return { page, elements };
}

function writerOptions(x: ItemExport<LabelWork | RangeWork>, label: string, labelIndex: number) {
  const { job, work, storage } = x;
  return {
    type: dataKindOf(work.kind),
    label,
    labelIndex,
    maxFileElements: job.elementsPerFile,
    level: job.compressionLevel,
    openSink: (name: string) => readableSink((body) => storage.upload(backupFileKey(job.server, job.backupId, name), body)),
    // The record is what finalize lists: a file counts once it is stored whole.
    onFile: (file: { name: string }) => storage.put(fileRecordKey(job.server, job.backupId, work, file.name), JSON.stringify(file)),
  };
}

function dataKindOf(kind: ElementKind): DataKind {
  return kind === 'vertex' ? 'vertices' : 'edges';
}

/** Removes the files (and records) this item recorded with a sequence number from `firstSeq` on. */
async function dropFilesFrom(storage: BackupStorage, job: BackupJob, work: LabelWork | RangeWork, firstSeq: number): Promise<void> {
  const prefix = itemRecordsPrefix(job.server, job.backupId, work);
  for await (const record of storage.list(prefix)) {
    const name = record.key.slice(prefix.length).replace(/\.json$/, '');
    const parsed = parseDataFileName(name);
    if (!parsed || parsed.seq < firstSeq) continue;
    await storage.delete(backupFileKey(job.server, job.backupId, name));
    await storage.delete(record.key);
  }
}

/** Label name → index, from the plan record (read once per backup and kind by this process). */
const indexCache = new Map<string, Map<string, number>>();

async function labelIndexes(storage: BackupStorage, job: BackupJob, kind: ElementKind): Promise<Map<string, number>> {
  const key = `${storage.uri(planRecordKey(job.server, job.backupId))}#${kind}`;
  let indexes = indexCache.get(key);
  if (!indexes) {
    const plan = JSON.parse((await storage.get(planRecordKey(job.server, job.backupId))).toString('utf8')) as PlanRecord;
    indexes = new Map((kind === 'vertex' ? plan.vertexLabels : plan.edgeLabels).map((label, i) => [label, i + 1]));
    if (indexCache.size > 16) indexCache.clear();
    indexCache.set(key, indexes);
  }
  return indexes;
}
