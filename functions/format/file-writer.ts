/**
 * Writing backup files: data files of one label ({@link DataFileWriter}) and schema files
 * ({@link buildSchemaFile}).
 *
 * Bytes leave as they are produced, through a {@link FileSink} per file, so a storage layer can
 * stream each file into a multipart upload ({@link readableSink}) without holding it. The SHA-256
 * and size recorded for the manifest are those of the bytes handed to the sink (the zip).
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { encodeDataLineBytes, encodeSchemaLine, MAX_ELEMENTS_PER_LINE } from './lines';
import type { ManifestFile } from './manifest';
import { type DataKind, type SchemaKind, dataFileName, entryNameOf, schemaFileName } from './naming';
import { DigestCounter } from './verify';
import { ZipEntryWriter, type ZipWriteOptions } from './zip';

/** Where one file's bytes go. A returned promise is awaited before more bytes are sent. */
export interface FileSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /** All bytes were written; resolves when the file is stored. */
  end(): void | Promise<void>;
  /** Writing failed; drop what was written (e.g. abort the multipart upload). */
  abort?(reason: unknown): void | Promise<void>;
}

export type SinkFactory = (fileName: string) => FileSink | Promise<FileSink>;

/** A finished data file, as the manifest lists it. */
export interface WrittenDataFile extends ManifestFile {
  readonly type: DataKind;
  readonly label: string;
}

/** 64 MiB of lines per file before a new file starts (about 8 MiB zipped). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/** A zip without ZIP64 must stay below 4 GiB; keep files far below. */
export const MAX_FILE_BYTES_LIMIT = 2 * 1024 * 1024 * 1024;

export interface DataFileWriterOptions extends ZipWriteOptions {
  readonly type: DataKind;
  readonly label: string;
  /** The label's position in the backup plan; part of the file names. */
  readonly labelIndex: number;
  readonly openSink: SinkFactory;
  /** Sequence number of the first file (to continue a label in a later invocation). @default 0 */
  readonly firstSeq?: number;
  /**
   * Hands out the sequence number of each new file instead of counting from `firstSeq`: the
   * writers of one key range, one per label, share one counter, so one number tells where the
   * range stands.
   */
  readonly allocateSeq?: () => number;
  /** Zip each file. @default true */
  readonly compress?: boolean;
  /** Start a new file rather than let a file's lines (uncompressed) exceed this. @default 64 MiB */
  readonly maxFileBytes?: number;
  /** Start a new file after this many elements. @default unlimited */
  readonly maxFileElements?: number;
  /** Called when a file is stored, before the next one starts. */
  readonly onFile?: (file: WrittenDataFile) => void | Promise<void>;
}

interface OpenFile {
  readonly name: string;
  readonly sink: FileSink;
  readonly digest: DigestCounter;
  zip?: ZipEntryWriter;
  elements: number;
  lineBytes: number;
}

/**
 * Writes one label's raw elements into `vertices-<label>-<seq>` / `edges-…` files: 500 elements
 * per line, zipped, rolling over to a new file at `maxFileBytes` or `maxFileElements`. Memory
 * holds at most one line of elements plus the compressor's buffers; nothing waits for the end.
 *
 * @example
 * const writer = new DataFileWriter({ type: 'vertices', label: 'person', labelIndex: 3,
 *   openSink: (name) => readableSink((body) => storage.upload(`${prefix}${name}`, body)) });
 * for await (const page of pages) await writer.write(page.elements);
 * const files = await writer.close();
 */
export class DataFileWriter {
  private readonly options: DataFileWriterOptions;
  private readonly maxFileBytes: number;
  private readonly maxFileElements: number;
  private readonly written: WrittenDataFile[] = [];
  private pending: (string | Uint8Array)[] = [];
  private current: OpenFile | undefined;
  private seq: number;
  private failed: unknown;
  private closed = false;

  constructor(options: DataFileWriterOptions) {
    this.options = options;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.maxFileElements = options.maxFileElements ?? Number.POSITIVE_INFINITY;
    this.seq = options.firstSeq ?? 0;
    if (!(this.maxFileBytes > 0 && this.maxFileBytes <= MAX_FILE_BYTES_LIMIT)) {
      throw new RangeError(`maxFileBytes must be between 1 and ${MAX_FILE_BYTES_LIMIT}, got ${this.maxFileBytes}`);
    }
    if (!(this.maxFileElements >= 1)) throw new RangeError(`maxFileElements must be at least 1, got ${this.maxFileElements}`);
    dataFileName(options.type, options.labelIndex, this.seq); // validates the numbers early
  }

  /** Files stored so far. */
  get files(): readonly WrittenDataFile[] {
    return this.written;
  }

  /** Sequence number the next file will get: where a later writer for this label continues. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Elements accepted but not yet handed to a file (at most one line). */
  get pendingElements(): number {
    return this.pending.length;
  }

  /** Adds raw elements: the server's JSON, one string or one view of its answer's bytes per element. */
  async write(rawElements: readonly (string | Uint8Array)[]): Promise<void> {
    this.assertUsable();
    try {
      for (const raw of rawElements) {
        this.pending.push(raw);
        if (this.pending.length >= this.lineCapacity()) await this.flushLine();
      }
    } catch (err) {
      await this.fail(err);
      throw err;
    }
  }

  /** Writes what is pending and stores the current file. Returns every file this writer stored. */
  async close(): Promise<WrittenDataFile[]> {
    this.assertUsable();
    this.closed = true;
    try {
      if (this.pending.length > 0) await this.flushLine();
      await this.finishFile();
    } catch (err) {
      await this.fail(err);
      throw err;
    }
    return [...this.written];
  }

  /** Abandons the current file (its sink is aborted). Files already stored stay stored. */
  async abort(reason: unknown = new Error('DataFileWriter aborted')): Promise<void> {
    this.closed = true;
    await this.fail(reason);
  }

  private assertUsable(): void {
    if (this.failed !== undefined) throw this.failed;
    if (this.closed) throw new Error('DataFileWriter is closed');
  }

  /** Elements the next line may hold: 500, fewer when the file's element bound is near. */
  private lineCapacity(): number {
    const inFile = this.current?.elements ?? 0;
    return Math.min(MAX_ELEMENTS_PER_LINE, this.maxFileElements - inFile);
  }

  private async flushLine(): Promise<void> {
    const line = encodeDataLineBytes(this.options.type, this.pending);
    const count = this.pending.length;
    this.pending = [];
    if (this.current && this.current.lineBytes > 0 && this.current.lineBytes + line.length > this.maxFileBytes) await this.finishFile();
    const file = this.current ?? (await this.openFile());
    file.elements += count;
    file.lineBytes += line.length;
    if (file.zip) await file.zip.write(line);
    else await this.emit(file, line);
    if (file.elements >= this.maxFileElements || file.lineBytes >= this.maxFileBytes) await this.finishFile();
  }

  private async emit(file: OpenFile, chunk: Uint8Array): Promise<void> {
    file.digest.update(chunk);
    await file.sink.write(chunk);
  }

  private async openFile(): Promise<OpenFile> {
    const { type, labelIndex, compress = true } = this.options;
    const name = dataFileName(type, labelIndex, this.options.allocateSeq ? this.options.allocateSeq() : this.seq++, compress);
    const sink = await this.options.openSink(name);
    const file: OpenFile = { name, sink, digest: new DigestCounter(), elements: 0, lineBytes: 0 };
    if (compress) {
      const { level, mtime } = this.options;
      file.zip = new ZipEntryWriter(entryNameOf(name), (chunk) => this.emit(file, chunk), { level, mtime });
    }
    this.current = file;
    return file;
  }

  private async finishFile(): Promise<void> {
    const file = this.current;
    if (!file) return;
    if (file.zip) await file.zip.end();
    await file.sink.end();
    this.current = undefined;
    const { sha256, bytes } = file.digest.digest();
    const { type, label, compress = true } = this.options;
    const written: WrittenDataFile = { name: file.name, type, label, elements: file.elements, bytes, sha256, compressed: compress };
    this.written.push(written);
    await this.options.onFile?.(written);
  }

  private async fail(reason: unknown): Promise<void> {
    this.failed ??= reason;
    this.pending = [];
    const file = this.current;
    this.current = undefined;
    if (!file) return;
    file.zip?.destroy(reason);
    await file.sink.abort?.(reason);
  }
}

/**
 * A {@link FileSink} that feeds a Readable to `consume` (e.g. `storage.upload(key, body)`), with
 * backpressure: writes wait while the consumer is behind. `end()` resolves when `consume` does.
 */
export function readableSink(consume: (body: Readable) => Promise<unknown>, highWaterMark = 1024 * 1024): FileSink {
  const body = new PassThrough({ highWaterMark });
  // A consumer that failed before reading (e.g. a storage call refused at once) leaves the body
  // without listeners; its failure is reported through `done`, so abort() must not crash the process.
  body.on('error', () => undefined);
  const done = Promise.resolve().then(() => consume(body));
  done.catch(() => undefined); // reported by write() or end()
  const finishedEarly = done.then(() => {
    throw new Error('The consumer of a backup file finished before the file was complete');
  });
  finishedEarly.catch(() => undefined);
  return {
    async write(chunk) {
      if (!body.write(chunk)) await Promise.race([once(body, 'drain'), finishedEarly]);
    },
    async end() {
      body.end();
      await done;
    },
    async abort(reason) {
      body.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      // Wait until the upload has let go of the key (multipart aborted, temp file removed), so a
      // retry or a clean-up that follows does not race it.
      await done.catch(() => undefined);
    },
  };
}

export interface BuiltFile {
  readonly file: ManifestFile;
  /** The file's bytes as stored. */
  readonly body: Buffer;
}

/** A schema file (one line with every element of the kind), built in memory: schema is small. */
export async function buildSchemaFile(kind: SchemaKind, rawElements: readonly string[], options: ZipWriteOptions & { readonly compress?: boolean } = {}): Promise<BuiltFile> {
  const compress = options.compress ?? true;
  const name = schemaFileName(kind, compress);
  const line = Buffer.from(encodeSchemaLine(kind, rawElements), 'utf8');
  let body = line;
  if (compress) {
    const chunks: Uint8Array[] = [];
    const zip = new ZipEntryWriter(
      entryNameOf(name),
      (c) => {
        chunks.push(c);
      },
      options,
    );
    await zip.write(line);
    await zip.end();
    body = Buffer.concat(chunks);
  }
  const digest = new DigestCounter();
  digest.update(body);
  const { sha256, bytes } = digest.digest();
  return { file: { name, type: kind, elements: rawElements.length, bytes, sha256, compressed: compress }, body };
}
