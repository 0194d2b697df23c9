import { throwIfAborted } from '../abort';
import { DataFileWriter, readableSink } from '../format';
import type { RawPage } from '../hugegraph';
import { backupFileKey, fileRecordKey } from './layout';
import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import type { ExportChunkInput, ExportCursor } from './types';

/** Time kept back from the invocation's budget to close the open file and answer. */
export const SAFETY_MARGIN_MS = 60_000;

/**
 * Exports pages of one label from the cursor on, until the label ends or the time budget is nearly
 * spent, and returns where to continue. Pages pass through as the server wrote them (split into
 * elements, never parsed); the next page is requested while the current one is written.
 *
 * A retried chunk starts again from the same cursor and writes the same file names, so a retry
 * overwrites what a failed attempt left instead of duplicating it.
 */
export async function exportChunk(runtime: WorkflowRuntime, input: ExportChunkInput): Promise<ExportCursor> {
  const { job, work, cursor } = input;
  if (cursor.done) return cursor;
  const deadline = Date.now() + Math.max(runtime.remainingMs() - SAFETY_MARGIN_MS, 1);
  const storage = runtime.storage(job.location);
  const client = await runtime.connect(job.server);
  const graph = job.server.graph;
  const writer = new DataFileWriter({
    type: work.kind === 'vertex' ? 'vertices' : 'edges',
    label: work.label,
    labelIndex: work.index,
    firstSeq: cursor.fileSeq,
    maxFileElements: job.elementsPerFile,
    level: job.compressionLevel,
    openSink: (name) => readableSink((body) => storage.upload(backupFileKey(graph, job.backupId, name), body)),
    // The record is what finalize lists: a file counts once it is stored whole.
    onFile: (file) => storage.put(fileRecordKey(graph, job.backupId, file.name), JSON.stringify(file)),
  });

  const fetch = (page: string | null, afterId: string | null) => client.fetchRawPage(work.kind, work.label, page, job.pageSize, { afterId });
  let elements = cursor.elements;
  let page: string | null = cursor.page === '' ? null : cursor.page;
  let lastId: string | null = cursor.lastId === '' ? null : cursor.lastId;
  let next: Promise<RawPage> | undefined = fetch(page, lastId);
  try {
    while (next) {
      throwIfAborted(runtime.signal);
      const current: RawPage = await next;
      page = current.nextPage || null; // '' ends a label too, as in client.pages()
      lastId = current.lastId ?? lastId;
      next = page !== null && Date.now() < deadline ? fetch(page, lastId) : undefined;
      next?.catch(() => undefined); // awaited on the next turn; a failure surfaces there
      await writer.write(current.elements);
      elements += current.elements.length;
      runtime.notify(MESSAGES.pageExported.of({ kind: work.kind, label: work.label, elements: current.elements.length, bytes: current.bytes }));
    }
    await writer.close();
  } catch (error) {
    // Drop the open file's upload (it would wait for bytes forever) and the page in flight.
    await writer.abort(error).catch(() => undefined);
    await next?.catch(() => undefined);
    throw error;
  }
  return { page: page ?? '', lastId: lastId ?? '', fileSeq: writer.nextSeq, elements, done: page === null };
}
