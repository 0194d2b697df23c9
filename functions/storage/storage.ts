import type { Readable } from 'node:stream';

export * from './errors';
export { formatLocation, parseLocation } from './location';
export type { StorageLocation } from './location';

/**
 * Bytes by name below one backup root, on S3 or in a local directory. It knows nothing about
 * backups; keys such as `mygraph/20261124T215600Z-3f9a/vertices-0001-00001.zip` are relative to
 * the root, '/'-separated, and checked (see keys.ts): an invalid key throws InvalidKeyError.
 *
 * Obligations of every implementation (the contract suite in test/integration/storage.test.ts
 * checks them against each one):
 * - A write is all or nothing: readers and listings never see a partial object, and a failed write
 *   (including a source stream that errors) leaves no object behind.
 * - `ifAbsent` is atomic: of any number of concurrent creators of one key exactly one succeeds; the
 *   others get ObjectExistsError. A create-only write that finds the very bytes it writes already
 *   stored succeeds: that is itself, retried after its answer was lost (create-only.ts).
 * - Reading a missing object throws ObjectNotFoundError; `head` returns undefined instead.
 * - Listings return every object under the prefix exactly once, sorted by key (UTF-8 byte order, as
 *   S3 does), whatever the page size.
 * - Deleting a missing object is not an error.
 * Callers must not make a key also the prefix of other keys ('a' and 'a/b'): S3 allows it, a
 * directory cannot, and the local storage refuses the second write with StorageError.
 * Failures are the typed errors of errors.ts (ObjectExistsError, BucketNotFoundError,
 * StorageAccessDeniedError, StorageUnavailableError, StorageError).
 */
export interface BackupStorage {
  /** The root as `openStorage` accepts it back: an absolute path or `s3://bucket/prefix`. */
  readonly root: string;

  /** Where `key` is, for messages: `/abs/root/key` or `s3://bucket/prefix/key`. */
  uri(key: string): string;

  /** Writes a small object in one request. `ifAbsent`: fail with ObjectExistsError if it exists. */
  put(key: string, body: Buffer | string, options?: WriteOptions): Promise<void>;

  /**
   * Streams an object of any size with bounded memory (S3: multipart, a few parts in flight;
   * local: a temporary file renamed into place). Resolves to the number of bytes stored.
   */
  upload(key: string, body: Readable | AsyncIterable<Uint8Array>, options?: UploadOptions): Promise<{ bytes: number }>;

  /** The whole object in memory; for manifests, records and bounded data files. */
  get(key: string): Promise<Buffer>;

  /** The object as a stream; ObjectNotFoundError is thrown here, before any byte is read. */
  openRead(key: string): Promise<Readable>;

  /** Size of the object, or undefined if there is none. */
  head(key: string): Promise<{ size: number } | undefined>;

  /** Every object whose key starts with `prefix` (a string prefix, '' for all), sorted by key. */
  list(prefix: string): AsyncIterable<StoredObject>;

  /**
   * The "directories" one level below `prefix`: for `mygraph/` it yields `mygraph/<backupId>/`
   * for every backup id holding at least one object. Sorted, each ending with '/'.
   */
  listPrefixes(prefix: string): AsyncIterable<string>;

  delete(key: string): Promise<void>;

  /** Deletes every object under a non-empty prefix; resolves to how many there were. */
  deletePrefix(prefix: string): Promise<number>;

  /**
   * The same storage with every call abandoned once `signal` aborts: the call then fails with an
   * AbortedError, and a write it abandons leaves no object (the first obligation above).
   */
  withSignal(signal: AbortSignal | undefined): BackupStorage;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
}

export interface WriteOptions {
  /**
   * Create only: if the object exists with other bytes, throw ObjectExistsError and leave it
   * untouched; the same bytes count as written. @default false
   */
  readonly ifAbsent?: boolean;
}

export interface UploadOptions extends WriteOptions {
  /** Called as bytes are stored (not merely read from the source), with the running total. */
  readonly onProgress?: (storedBytes: number) => void;
}
