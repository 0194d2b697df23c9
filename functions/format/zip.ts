/**
 * Zip archives with one DEFLATE entry, the container hugegraph-tools writes and reads
 * (docs/hugegraph-tools.md §2.4): written and read as streams, with bounded memory.
 *
 * DEFLATE itself is node:zlib (native, runs on the libuv pool). fflate was measured on a 3.8 MB
 * page of vertices: its deflate takes ~95 ms against zlib's ~25 ms and its inflate ~100 ms against
 * ~4 ms, and its streaming `Unzip` finds the end of a data-descriptor entry by searching the
 * compressed bytes for a signature, which random data matches about once per 2 GiB. So the
 * container (a few fixed headers) is written and parsed here:
 *
 * - Writer: local header with flags 0x0808 (data descriptor + UTF-8 name), method 8, then the
 *   deflate stream, a signed data descriptor, the central directory and its end record. This is
 *   byte for byte the layout of Java's `ZipOutputStream`, which `ZipInputStream` reads. No ZIP64:
 *   an entry must stay below 4 GiB (files roll over long before that).
 * - Reader: only the first entry, as the tool's restore does. The deflate stream marks its own end,
 *   so no signature search is needed; the CRC-32 and sizes are then checked against the data
 *   descriptor (16 or 24 bytes, with or without signature, as Java decides) or the local header.
 */
import { once } from 'node:events';
import * as zlib from 'node:zlib';
import { BackupFormatError } from './errors';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIR = 0x06054b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const VERSION_DEFLATE = 20;
const ZIP64_EXTRA = 0x0001;
const MAX_ZIP32 = 0xffffffff;
const CHUNK = 64 * 1024;

export interface ZipWriteOptions {
  /** zlib level, 0 to 9. @default 6 */
  readonly level?: number;
  /** Modification time stored in the headers. @default now */
  readonly mtime?: Date;
}

export interface ZipEntrySummary {
  readonly crc32: number;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  /** Bytes of the whole archive. */
  readonly archiveBytes: number;
}

type Out = (chunk: Uint8Array) => void | Promise<void>;

/** MS-DOS date and time; UTC fields (Lambda runs in UTC), clamped to the format's 1980 start. */
function dosDateTime(d: Date): { date: number; time: number } {
  if (d.getUTCFullYear() < 1980) return { date: (1 << 5) | 1, time: 0 };
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

/**
 * Push-style writer of a zip with one DEFLATE entry. Bytes go to `out` as they are produced; a
 * promise returned by `out` is awaited before more is sent (backpressure).
 *
 * @example
 * const zip = new ZipEntryWriter('vertices-0000-00000', (chunk) => sink.write(chunk));
 * await zip.write(Buffer.from('{"vertices": [{…}]}\n'));
 * await zip.end();
 */
export class ZipEntryWriter {
  private readonly name: Buffer;
  private readonly dos: { date: number; time: number };
  private readonly deflater: zlib.DeflateRaw;
  private pump: Promise<void> | undefined;
  private failure: unknown;
  private ended = false;
  private crc = 0;
  private size = 0;
  private compressed = 0;
  private offset = 0;

  constructor(
    entryName: string,
    private readonly out: Out,
    options: ZipWriteOptions = {},
  ) {
    this.name = Buffer.from(entryName, 'utf8');
    if (this.name.length === 0 || this.name.length > 0xffff) throw new RangeError(`Invalid zip entry name '${entryName}'`);
    this.dos = dosDateTime(options.mtime ?? new Date());
    this.deflater = zlib.createDeflateRaw({ level: options.level ?? 6, chunkSize: CHUNK });
  }

  /** Adds bytes to the entry. The caller must not modify `data` afterwards. */
  async write(data: Uint8Array): Promise<void> {
    if (this.ended) throw new Error('ZipEntryWriter: write after end');
    const pump = this.start();
    if (this.failure !== undefined) throw this.failure;
    if (this.size + data.length >= MAX_ZIP32) {
      throw new RangeError(`Zip entry would reach 4 GiB, which needs ZIP64; start a new file sooner`);
    }
    this.crc = zlib.crc32(data, this.crc);
    this.size += data.length;
    // `pump` settles only by failing before end(): then it rejects the wait instead of a drain.
    if (!this.deflater.write(data)) await Promise.race([once(this.deflater, 'drain'), pump]);
  }

  /** Finishes the deflate stream and writes the data descriptor, central directory and end record. */
  async end(): Promise<ZipEntrySummary> {
    if (this.ended) throw new Error('ZipEntryWriter: end called twice');
    this.ended = true;
    const pump = this.start();
    this.deflater.end();
    await pump;
    if (this.compressed >= MAX_ZIP32) throw new RangeError('Compressed zip entry reached 4 GiB, which needs ZIP64');
    await this.emit(this.trailer());
    return { crc32: this.crc, uncompressedBytes: this.size, compressedBytes: this.compressed, archiveBytes: this.offset };
  }

  /** Stops compressing; nothing more is sent to `out`. */
  destroy(reason?: unknown): void {
    this.failure ??= reason ?? new Error('ZipEntryWriter destroyed');
    this.deflater.destroy();
  }

  private start(): Promise<void> {
    if (!this.pump) {
      this.pump = this.run().catch((err: unknown) => {
        this.failure ??= err;
        this.deflater.destroy();
        throw err;
      });
      this.pump.catch(() => undefined); // reported by the next write() or end()
    }
    return this.pump;
  }

  private async run(): Promise<void> {
    await this.emit(this.localHeader());
    for await (const chunk of this.deflater as AsyncIterable<Buffer>) {
      if (this.failure !== undefined) throw this.failure;
      this.compressed += chunk.length;
      await this.emit(chunk);
    }
  }

  private async emit(chunk: Uint8Array): Promise<void> {
    this.offset += chunk.length;
    await this.out(chunk);
  }

  private localHeader(): Buffer {
    const h = Buffer.alloc(30 + this.name.length);
    h.writeUInt32LE(LOCAL_HEADER, 0);
    h.writeUInt16LE(VERSION_DEFLATE, 4);
    h.writeUInt16LE(FLAG_DATA_DESCRIPTOR | FLAG_UTF8, 6);
    h.writeUInt16LE(METHOD_DEFLATE, 8);
    h.writeUInt16LE(this.dos.time, 10);
    h.writeUInt16LE(this.dos.date, 12);
    // crc, sizes (14..25) stay 0: they follow in the data descriptor.
    h.writeUInt16LE(this.name.length, 26);
    this.name.copy(h, 30);
    return h;
  }

  private trailer(): Buffer {
    const n = this.name.length;
    const t = Buffer.alloc(16 + 46 + n + 22);
    t.writeUInt32LE(DATA_DESCRIPTOR, 0);
    t.writeUInt32LE(this.crc, 4);
    t.writeUInt32LE(this.compressed, 8);
    t.writeUInt32LE(this.size, 12);
    const cd = 16;
    const cdOffset = this.offset + 16;
    t.writeUInt32LE(CENTRAL_HEADER, cd);
    t.writeUInt16LE(VERSION_DEFLATE, cd + 4);
    t.writeUInt16LE(VERSION_DEFLATE, cd + 6);
    t.writeUInt16LE(FLAG_DATA_DESCRIPTOR | FLAG_UTF8, cd + 8);
    t.writeUInt16LE(METHOD_DEFLATE, cd + 10);
    t.writeUInt16LE(this.dos.time, cd + 12);
    t.writeUInt16LE(this.dos.date, cd + 14);
    t.writeUInt32LE(this.crc, cd + 16);
    t.writeUInt32LE(this.compressed, cd + 20);
    t.writeUInt32LE(this.size, cd + 24);
    t.writeUInt16LE(n, cd + 28);
    // extra, comment, disk, attributes and the local header offset (0) stay 0.
    this.name.copy(t, cd + 46);
    const end = cd + 46 + n;
    t.writeUInt32LE(END_OF_CENTRAL_DIR, end);
    t.writeUInt16LE(1, end + 8);
    t.writeUInt16LE(1, end + 10);
    t.writeUInt32LE(46 + n, end + 12);
    t.writeUInt32LE(cdOffset, end + 16);
    return t;
  }
}

/**
 * Pull-style: the archive's bytes, produced as `source` is read. Memory holds about one source
 * chunk of compressed output.
 */
export async function* zipEntryStream(entryName: string, source: AsyncIterable<Uint8Array>, options?: ZipWriteOptions): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  const zip = new ZipEntryWriter(
    entryName,
    (chunk) => {
      queue.push(chunk);
    },
    options,
  );
  try {
    for await (const data of source) {
      await zip.write(data);
      yield* queue.splice(0);
    }
    await zip.end();
    yield* queue.splice(0);
  } finally {
    zip.destroy();
  }
}

/** Reads exact byte counts from an async byte stream, with push-back. */
class ByteReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Buffer = Buffer.alloc(0);
  private eof = false;
  /** Bytes taken out of the reader so far. */
  consumed = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.eof) return false;
    const r = await this.it.next();
    if (r.done) {
      this.eof = true;
      return false;
    }
    const c = r.value;
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    this.buf = this.buf.length === 0 ? b : Buffer.concat([this.buf, b]);
    return true;
  }

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n && (await this.pull()));
    return this.take(Math.min(n, this.buf.length));
  }

  /** Up to `max` bytes (at least 1), or undefined at the end of the stream. */
  async readSome(max: number): Promise<Buffer | undefined> {
    if (this.buf.length === 0 && !(await this.pull())) return undefined;
    return this.take(Math.min(max, this.buf.length));
  }

  unshift(b: Buffer): void {
    this.consumed -= b.length;
    this.buf = this.buf.length === 0 ? b : Buffer.concat([b, this.buf]);
  }

  async close(): Promise<void> {
    this.buf = Buffer.alloc(0);
    if (!this.eof) {
      this.eof = true;
      await this.it.return?.();
    }
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.consumed += n;
    return out;
  }
}

interface LocalEntry {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

export interface ZipEntry {
  /** The entry's name (for files hgbr and the tool write: the file name without `.zip`). */
  readonly name: string;
  /** The decompressed bytes. Read it once; the CRC-32 and sizes are checked at its end. */
  readonly content: AsyncIterable<Uint8Array>;
}

/**
 * Opens the first entry of a zip archive read from `source`, as the tool's `ZipInputStream` does.
 * Fails with a {@link BackupFormatError} naming `file` on an empty or invalid archive, an
 * unsupported entry, corrupt data, or a CRC/size mismatch. Later entries are never read; the
 * source is closed once the entry has been read (or its reading stopped).
 */
export async function openZipEntry(source: AsyncIterable<Uint8Array>, file: string): Promise<ZipEntry> {
  const reader = new ByteReader(source);
  try {
    const entry = await readLocalHeader(reader, file);
    const content = entry.method === METHOD_STORED ? readStored(reader, entry, file) : readDeflated(reader, entry, file);
    return { name: entry.name, content: closing(content, reader) };
  } catch (err) {
    await reader.close();
    throw err;
  }
}

async function* closing(content: AsyncGenerator<Uint8Array>, reader: ByteReader): AsyncGenerator<Uint8Array> {
  try {
    yield* content;
  } finally {
    await reader.close();
  }
}

function invalid(file: string, problem: string, cause?: unknown): BackupFormatError {
  return new BackupFormatError(file, `invalid zip file: ${problem}`, undefined, { cause });
}

async function readLocalHeader(reader: ByteReader, file: string): Promise<LocalEntry> {
  const h = await reader.read(30);
  if (h.length === 0) throw invalid(file, 'the file is empty');
  const sig = h.length >= 4 ? h.readUInt32LE(0) : 0;
  if (sig === END_OF_CENTRAL_DIR) throw invalid(file, 'the archive holds no entry');
  if (sig !== LOCAL_HEADER) throw invalid(file, `not a zip archive (starts with 0x${h.subarray(0, 4).toString('hex')})`);
  if (h.length < 30) throw invalid(file, 'truncated local header');
  const flags = h.readUInt16LE(6);
  const method = h.readUInt16LE(8);
  const nameLength = h.readUInt16LE(26);
  const extraLength = h.readUInt16LE(28);
  const nameBytes = await reader.read(nameLength);
  const extra = await reader.read(extraLength);
  if (nameBytes.length < nameLength || extra.length < extraLength) throw invalid(file, 'truncated local header');
  const name = nameBytes.toString('utf8');
  if (flags & FLAG_ENCRYPTED) throw invalid(file, `entry '${name}' is encrypted`);
  let compressedBytes = h.readUInt32LE(18);
  let uncompressedBytes = h.readUInt32LE(22);
  if (compressedBytes === MAX_ZIP32 || uncompressedBytes === MAX_ZIP32) {
    const z64 = zip64Sizes(extra);
    if (z64) [uncompressedBytes, compressedBytes] = z64;
  }
  if (method !== METHOD_DEFLATE && method !== METHOD_STORED) {
    throw invalid(file, `entry '${name}' uses compression method ${method}; only DEFLATE (8) and STORED (0) are supported`);
  }
  if (method === METHOD_STORED && flags & FLAG_DATA_DESCRIPTOR) {
    throw invalid(file, `entry '${name}' is STORED with a data descriptor, which no reader can delimit (Java cannot either)`);
  }
  return { name, flags, method, crc32: h.readUInt32LE(14), compressedBytes, uncompressedBytes };
}

/** [uncompressed, compressed] from a ZIP64 extra field of a local header, when present. */
function zip64Sizes(extra: Buffer): [number, number] | undefined {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (id === ZIP64_EXTRA && len >= 16 && i + 4 + len <= extra.length) {
      return [Number(extra.readBigUInt64LE(i + 4)), Number(extra.readBigUInt64LE(i + 12))];
    }
    i += 4 + len;
  }
  return undefined;
}

async function* readStored(reader: ByteReader, entry: LocalEntry, file: string): AsyncGenerator<Uint8Array> {
  let remaining = entry.compressedBytes;
  let crc = 0;
  while (remaining > 0) {
    const chunk = await reader.readSome(Math.min(remaining, CHUNK));
    if (!chunk) throw invalid(file, `entry '${entry.name}' is truncated`);
    remaining -= chunk.length;
    crc = zlib.crc32(chunk, crc);
    yield chunk;
  }
  checkEntry(file, entry.name, { crc32: entry.crc32, size: entry.uncompressedBytes }, { crc32: crc, size: entry.compressedBytes });
}

function writeChunk(stream: zlib.InflateRaw, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

async function* readDeflated(reader: ByteReader, entry: LocalEntry, file: string): AsyncGenerator<Uint8Array> {
  // Output in larger pieces than the input: a restore reads ~6x what it stores, and every piece
  // costs a round trip through the stream machinery (64 KiB pieces: ~10% of a restore's main thread).
  const inflater = zlib.createInflateRaw({ chunkSize: 4 * CHUNK });
  const dataStart = reader.consumed;
  const sized = (entry.flags & FLAG_DATA_DESCRIPTOR) === 0;
  let leftover = 0; // compressed bytes after the end of the deflate stream (sized entries only)
  let truncated = false;
  // Feed the inflater one chunk at a time; after each, `bytesWritten` tells whether the deflate
  // stream ended inside it, and the bytes after its end are handed back to the reader.
  const feed = (async () => {
    let remaining = sized ? entry.compressedBytes : Number.POSITIVE_INFINITY;
    let fed = 0;
    while (remaining > 0) {
      const chunk = await reader.readSome(Math.min(remaining, CHUNK));
      if (!chunk) {
        truncated = true;
        break;
      }
      remaining -= chunk.length;
      fed += chunk.length;
      await writeChunk(inflater, chunk);
      const unconsumed = fed - inflater.bytesWritten;
      if (unconsumed > 0) {
        reader.unshift(chunk.subarray(chunk.length - unconsumed));
        leftover = sized ? remaining + unconsumed : 0;
        break;
      }
    }
    inflater.end();
  })();
  feed.catch(() => undefined); // its failure also fails the inflater, which the loop below reports
  let crc = 0;
  let size = 0;
  try {
    for await (const out of inflater as AsyncIterable<Buffer>) {
      crc = zlib.crc32(out, crc);
      size += out.length;
      yield out;
    }
    await feed;
  } catch (err) {
    if (err instanceof BackupFormatError) throw err;
    const what = truncated ? 'is truncated' : 'has corrupt compressed data';
    throw invalid(file, `entry '${entry.name}' ${what} (${(err as Error).message})`, err);
  } finally {
    inflater.destroy();
  }
  if (truncated) throw invalid(file, `entry '${entry.name}' is truncated`);
  const compressed = reader.consumed - dataStart;
  if (sized) {
    if (leftover > 0) throw invalid(file, `entry '${entry.name}' ends ${leftover} bytes before its recorded compressed size`);
    checkEntry(file, entry.name, { crc32: entry.crc32, size: entry.uncompressedBytes }, { crc32: crc, size });
    return;
  }
  // Data descriptor: [signature] crc32, compressed size, size; sizes are 8 bytes when either is
  // 4 GiB or more (what Java's ZipOutputStream writes and ZipInputStream expects).
  const wide = compressed >= MAX_ZIP32 || size >= MAX_ZIP32;
  const sizeBytes = wide ? 16 : 8;
  let dd = await reader.read(4 + sizeBytes);
  if (dd.length === 4 + sizeBytes && dd.readUInt32LE(0) === DATA_DESCRIPTOR) {
    const rest = await reader.read(4);
    dd = Buffer.concat([dd.subarray(4), rest]);
  }
  if (dd.length < 4 + sizeBytes) throw invalid(file, `entry '${entry.name}' is truncated (no data descriptor)`);
  const recorded = {
    crc32: dd.readUInt32LE(0),
    compressed: wide ? Number(dd.readBigUInt64LE(4)) : dd.readUInt32LE(4),
    size: wide ? Number(dd.readBigUInt64LE(12)) : dd.readUInt32LE(8),
  };
  if (recorded.compressed !== (wide ? compressed : compressed % 2 ** 32)) {
    throw invalid(file, `entry '${entry.name}' has ${compressed} compressed bytes, its data descriptor says ${recorded.compressed}`);
  }
  checkEntry(file, entry.name, recorded, { crc32: crc, size: wide ? size : size % 2 ** 32 });
}

function checkEntry(file: string, name: string, recorded: { crc32: number; size: number }, actual: { crc32: number; size: number }): void {
  if (recorded.size !== actual.size) throw invalid(file, `entry '${name}' has ${actual.size} bytes, the archive records ${recorded.size}`);
  if (recorded.crc32 !== actual.crc32) {
    throw invalid(file, `entry '${name}' fails its CRC-32 check (recorded ${hex32(recorded.crc32)}, computed ${hex32(actual.crc32)})`);
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
