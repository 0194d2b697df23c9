/**
 * SHA-256 checks of stored files (FORMAT.md "Integrity"). The manifest records the SHA-256 and
 * size of every file as stored (the zip, not its content). Restore must refuse a damaged file
 * before sending any of its elements, so it either hashes the file first ({@link readVerified},
 * {@link sha256OfStream}) or consumes it through {@link verifyStream} and only acts on what it
 * read after the stream ended without error.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BackupFormatError, ChecksumMismatchError } from './errors';

export interface StoredDigest {
  /** Lowercase hex. */
  readonly sha256: string;
  readonly bytes: number;
}

export interface ExpectedDigest {
  readonly sha256: string;
  /** When given, also checked, and a longer stream fails as soon as it passes this size. */
  readonly bytes?: number;
}

/** Incremental SHA-256 and byte count. */
export class DigestCounter {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  digest(): StoredDigest {
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }
}

/** SHA-256 and size of everything `source` yields. */
export async function sha256OfStream(source: AsyncIterable<Uint8Array>): Promise<StoredDigest> {
  const d = new DigestCounter();
  for await (const chunk of source) d.update(chunk);
  return d.digest();
}

function check(file: string, expected: ExpectedDigest, actual: StoredDigest): void {
  if (actual.sha256 !== expected.sha256.toLowerCase() || (expected.bytes !== undefined && expected.bytes !== actual.bytes)) {
    throw new ChecksumMismatchError(file, expected, actual);
  }
}

function tooLong(file: string, expected: ExpectedDigest, seen: number): ChecksumMismatchError {
  return new ChecksumMismatchError(file, expected, { sha256: '(not computed: file longer than recorded)', bytes: seen });
}

/** Throws {@link ChecksumMismatchError} unless `source` hashes to `expected`. */
export async function verifySha256(source: AsyncIterable<Uint8Array>, file: string, expected: ExpectedDigest): Promise<StoredDigest> {
  const d = new DigestCounter();
  for await (const chunk of source) {
    d.update(chunk);
    if (expected.bytes !== undefined && d.bytes > expected.bytes) throw tooLong(file, expected, d.bytes);
  }
  const actual = d.digest();
  check(file, expected, actual);
  return actual;
}

/**
 * Pass-through that hashes what flows through it and fails at the end (or as soon as the stream
 * is longer than `expected.bytes`) with a {@link ChecksumMismatchError}. Whatever consumed the
 * chunks must treat them as unconfirmed until the stream ends without error.
 */
export function verifyStream(file: string, expected: ExpectedDigest): Transform {
  const d = new DigestCounter();
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      d.update(chunk);
      if (expected.bytes !== undefined && d.bytes > expected.bytes) callback(tooLong(file, expected, d.bytes));
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      try {
        check(file, expected, d.digest());
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}

/** Async-iterable form of {@link verifyStream}. */
export async function* verifyChunks(source: AsyncIterable<Uint8Array>, file: string, expected: ExpectedDigest): AsyncGenerator<Uint8Array> {
  const d = new DigestCounter();
  for await (const chunk of source) {
    d.update(chunk);
    if (expected.bytes !== undefined && d.bytes > expected.bytes) throw tooLong(file, expected, d.bytes);
    yield chunk;
  }
  check(file, expected, d.digest());
}

/**
 * Reads a whole stored file into memory and verifies it; the usual way restore takes a data file
 * (files are bounded in size, FORMAT.md "Files"). Fails before reading more than `maxBytes`.
 */
export async function readVerified(source: AsyncIterable<Uint8Array>, file: string, expected: ExpectedDigest, maxBytes = 1024 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const d = new DigestCounter();
  for await (const chunk of source) {
    d.update(chunk);
    if (expected.bytes !== undefined && d.bytes > expected.bytes) throw tooLong(file, expected, d.bytes);
    if (d.bytes > maxBytes) throw new BackupFormatError(file, `file is larger than ${maxBytes} bytes, the limit for reading it into memory`);
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  check(file, expected, d.digest());
  return Buffer.concat(chunks);
}
