/**
 * Reading backup files, ours or hugegraph-tools': decide kind and compression from the name
 * (as the tool does), unzip the first entry when zipped, and decode the lines.
 */
import { BackupFormatError } from './errors';
import { type DecodedLine, decodeLines, type LineBytes, splitLines } from './lines';
import { type FileKind, classifyFile } from './naming';
import { openZipEntry } from './zip';

/** The content of a stored file: the first zip entry's bytes when the name ends in `.zip`, else the bytes. */
export async function openFileContent(name: string, source: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const classified = classifyFile(name);
  const zipped = classified ? classified.compressed : name.endsWith('.zip');
  return zipped ? (await openZipEntry(source, name)).content : source;
}

export interface ReadFileOptions {
  /** @default the kind the name gives (`vertices0.zip` → vertices) */
  readonly expect?: FileKind;
  readonly maxLineBytes?: number;
}

/**
 * The lines of one backup file, streamed. Every line must hold the file's kind. Errors name the
 * file and line.
 *
 * @example
 * for await (const { rawElements } of readFileLines(name, await storage.get(name))) await postBatch(rawElements);
 */
export async function* readFileLines(name: string, source: AsyncIterable<Uint8Array>, options: ReadFileOptions = {}): AsyncGenerator<DecodedLine> {
  const expect = options.expect ?? classifyFile(name)?.kind;
  if (!expect) throw new BackupFormatError(name, 'not a backup file name (it must start with propertykeys, vertexlabels, edgelabels, indexlabels, vertices or edges)');
  const content = await openFileContent(name, source);
  yield* decodeLines(content, { file: name, expect, maxLineBytes: options.maxLineBytes });
}

/** The lines of one backup file as stored (unzipped), not decoded: for lines sent on as they are. */
export async function* readFileLineBytes(name: string, source: AsyncIterable<Uint8Array>, options: Pick<ReadFileOptions, 'maxLineBytes'> = {}): AsyncGenerator<LineBytes> {
  yield* splitLines(await openFileContent(name, source), { file: name, maxLineBytes: options.maxLineBytes });
}
