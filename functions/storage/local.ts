import { randomBytes } from 'node:crypto';
import { type Dirent, constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { abortedError, destroyOnAbort, throwIfAborted } from '../abort';
import { HgbrError } from '../errors';
import { digestingStream, holdsSameBytes, holdsSameDigest } from './create-only';
import { InvalidKeyError, ObjectExistsError, ObjectNotFoundError, StorageAccessDeniedError, StorageError } from './errors';
import { checkKey, checkPrefix, prefixDirectory, TEMP_PREFIX } from './keys';
import type { BackupStorage, StoredObject, UploadOptions, WriteOptions } from './storage';

interface Entry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/**
 * A directory as storage: key `a/b/c` is the file `<root>/a/b/c`. Writes go to a temporary file in
 * the target's directory (fsync, then rename, then fsync of the directory), so a reader sees the old
 * object or the new one, never part of one. A create-if-absent write publishes the finished
 * temporary file with link(2), which fails with EEXIST if the name is taken: exclusive like O_EXCL,
 * and never exposes a half-written file. Directories appear as needed and are removed once empty.
 */
export class LocalStorage implements BackupStorage {
  readonly root: string;
  private readonly signal?: AbortSignal;

  constructor(directory: string, options: { readonly signal?: AbortSignal } = {}) {
    this.root = path.resolve(directory);
    this.signal = options.signal;
  }

  withSignal(signal: AbortSignal | undefined): LocalStorage {
    return new LocalStorage(this.root, { signal });
  }

  uri(key: string): string {
    return this.file(checkKey(key));
  }

  async put(key: string, body: Buffer | string, options: WriteOptions = {}): Promise<void> {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    try {
      await this.write('put', key, options, async (handle) => {
        await writeAll(handle, data).catch((error: unknown) => Promise.reject(this.writeError('put', key, error)));
      });
    } catch (error) {
      // A retried task repeating its own create-only write (see create-only.ts).
      if (error instanceof ObjectExistsError && (await holdsSameBytes(this, key, data).catch(() => false))) return;
      throw error;
    }
  }

  async upload(key: string, body: Readable | AsyncIterable<Uint8Array>, options: UploadOptions = {}): Promise<{ bytes: number }> {
    let bytes = 0;
    const sent = digestingStream(body as AsyncIterable<Uint8Array | string>, options.ifAbsent === true);
    try {
      await this.write('upload', key, options, async (handle) => {
        // Errors of the source pass through unchanged; only the file system's are translated.
        for await (const data of sent.stream) {
          throwIfAborted(this.signal);
          await writeAll(handle, data).catch((error: unknown) => Promise.reject(this.writeError('upload', key, error)));
          bytes += data.byteLength;
          options.onProgress?.(bytes);
        }
      });
    } catch (error) {
      const digest = sent.digest();
      if (error instanceof ObjectExistsError && digest && (await holdsSameDigest(this, key, digest).catch(() => false))) return { bytes };
      throw error;
    }
    return { bytes };
  }

  async get(key: string): Promise<Buffer> {
    const file = this.file(checkKey(key));
    try {
      return await fsp.readFile(file, { signal: this.signal });
    } catch (error) {
      throw this.readError('get', key, error);
    }
  }

  async openRead(key: string): Promise<Readable> {
    const file = this.file(checkKey(key));
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(file, 'r');
      if (!(await handle.stat()).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    } catch (error) {
      await handle?.close();
      throw this.readError('openRead', key, error);
    }
    return destroyOnAbort(handle.createReadStream(), this.signal);
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    throwIfAborted(this.signal);
    const file = this.file(checkKey(key));
    try {
      const stat = await fsp.stat(file);
      return stat.isFile() ? { size: stat.size } : undefined;
    } catch (error) {
      const mapped = this.readError('head', key, error);
      if (mapped instanceof ObjectNotFoundError) return undefined;
      throw mapped;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    yield* this.walk(prefixDirectory(checkPrefix(prefix)), prefix);
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    const directory = prefixDirectory(checkPrefix(prefix));
    for (const entry of await this.readDirectory(directory)) {
      const sub = `${directory}${entry.name}/`;
      // S3 has no empty "directories": a prefix exists only while an object is below it.
      if (entry.isDirectory && sub.startsWith(prefix) && (await this.holdsObject(sub))) yield sub;
    }
  }

  async delete(key: string): Promise<void> {
    throwIfAborted(this.signal);
    const file = this.file(checkKey(key));
    try {
      await fsp.unlink(file);
    } catch (error) {
      const mapped = this.readError('delete', key, error);
      if (mapped instanceof ObjectNotFoundError) return;
      throw mapped;
    }
    await this.prune(path.dirname(file));
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (checkPrefix(prefix) === '') throw new InvalidKeyError(prefix, 'deletePrefix needs a non-empty prefix');
    const directories = new Set<string>();
    let count = 0;
    for await (const { key } of this.list(prefix)) {
      throwIfAborted(this.signal);
      const file = this.file(key);
      try {
        await fsp.unlink(file);
        count++;
      } catch (error) {
        const mapped = this.readError('delete', key, error);
        if (!(mapped instanceof ObjectNotFoundError)) throw mapped;
      }
      directories.add(path.dirname(file));
    }
    // Deepest first, so a parent is tried after its children are gone.
    for (const directory of [...directories].sort((a, b) => b.length - a.length)) await this.prune(directory);
    return count;
  }

  private file(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** Creates a temporary file next to the target, lets `fill` write it, then publishes it. */
  private async write(operation: string, key: string, options: WriteOptions, fill: (handle: fsp.FileHandle) => Promise<void>): Promise<void> {
    throwIfAborted(this.signal);
    const target = this.file(checkKey(key));
    const directory = path.dirname(target);
    const temp = path.join(directory, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const handle = await this.createTemp(operation, key, temp);
      try {
        await fill(handle);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (options.ifAbsent) await this.linkExclusive(operation, key, temp, target);
      else await fsp.rename(temp, target).catch((error: unknown) => Promise.reject(this.writeError(operation, key, error)));
    } finally {
      await fsp.rm(temp, { force: true }).catch(() => undefined);
    }
    await syncDirectory(directory);
  }

  private async createTemp(operation: string, key: string, temp: string): Promise<fsp.FileHandle> {
    // A concurrent delete may remove the directory between mkdir and open (it prunes empty ones).
    for (let attempt = 1; ; attempt++) {
      try {
        await fsp.mkdir(path.dirname(temp), { recursive: true });
        return await fsp.open(temp, 'wx', 0o644);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw this.writeError(operation, key, error);
      }
    }
  }

  private async linkExclusive(operation: string, key: string, temp: string, target: string): Promise<void> {
    try {
      await fsp.link(temp, target);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new ObjectExistsError(this.file(key), { cause: error });
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') {
        throw this.writeError(operation, key, error);
      }
    }
    // No hard links on this file system: O_EXCL still lets exactly one creator win, but a reader
    // may briefly see the file before its content is complete.
    try {
      await fsp.copyFile(temp, target, fsConstants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectExistsError(this.file(key), { cause: error });
      throw this.writeError(operation, key, error);
    }
  }

  /** Objects below directory key `directory` ('' or ending with '/') whose key starts with `prefix`. */
  private async *walk(directory: string, prefix: string): AsyncGenerator<StoredObject> {
    for (const entry of await this.readDirectory(directory)) {
      throwIfAborted(this.signal);
      const key = `${directory}${entry.name}`;
      if (entry.isDirectory) {
        const sub = `${key}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* this.walk(sub, prefix);
      } else if (key.startsWith(prefix)) {
        const stat = await fsp.stat(this.file(key)).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted since readdir
          throw this.readError('list', key, error);
        });
        if (stat?.isFile()) yield { key, size: stat.size };
      }
    }
  }

  /**
   * Entries of a directory in key order. A directory sorts as its name plus '/', which is where its
   * keys fall among its siblings' (S3 orders keys by their UTF-8 bytes). Temporary files and names
   * that cannot be keys are skipped; symbolic links count as what they point to.
   */
  private async readDirectory(directory: string): Promise<Entry[]> {
    let dirents: Dirent[];
    try {
      dirents = await fsp.readdir(path.join(this.root, directory), { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw this.readError('list', directory, error);
    }
    const entries: Entry[] = [];
    for (const dirent of dirents) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
      if (dirent.name.startsWith(TEMP_PREFIX) || /[\\\u0000-\u001f\u007f]/.test(dirent.name)) continue;
      let isDirectory = dirent.isDirectory();
      if (dirent.isSymbolicLink()) {
        const stat = await fsp.stat(path.join(this.root, directory, dirent.name)).catch(() => undefined);
        if (!stat) continue;
        isDirectory = stat.isDirectory();
      } else if (!isDirectory && !dirent.isFile()) {
        continue;
      }
      entries.push({ name: dirent.name, isDirectory });
    }
    const sortKey = (entry: Entry) => Buffer.from(entry.isDirectory ? `${entry.name}/` : entry.name);
    return entries
      .map((entry) => ({ entry, sort: sortKey(entry) }))
      .sort((a, b) => Buffer.compare(a.sort, b.sort))
      .map(({ entry }) => entry);
  }

  private async holdsObject(directory: string): Promise<boolean> {
    for await (const _ of this.walk(directory, directory)) return true;
    return false;
  }

  /** Removes `directory` and its parents while they are empty, never the root itself. */
  private async prune(directory: string): Promise<void> {
    for (let dir = directory; dir.startsWith(this.root + path.sep); dir = path.dirname(dir)) {
      try {
        await fsp.rmdir(dir);
      } catch {
        return; // not empty (or already gone, or not ours to remove): stop here
      }
    }
  }

  private readError(operation: string, key: string, error: unknown): Error {
    if (this.signal?.aborted) return abortedError(this.signal);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return new ObjectNotFoundError(this.file(key), { cause: error });
    }
    return this.writeError(operation, key, error);
  }

  private writeError(operation: string, key: string, error: unknown): Error {
    if (HgbrError.isHgbrError(error)) return error;
    if (this.signal?.aborted) return abortedError(this.signal);
    const uri = this.file(key);
    const code = (error as NodeJS.ErrnoException).code;
    const options = { cause: error };
    switch (code) {
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return new StorageAccessDeniedError(uri, operation, `check that this user may write below ${this.root}`, options);
      case 'ENOSPC':
      case 'EDQUOT':
        return new StorageError(uri, operation, 'no space left on the device', 'free some space or choose another location', options);
      case 'ENOTDIR':
      case 'EEXIST':
      case 'EISDIR':
        return new StorageError(uri, operation, 'a file stands where a directory is needed, or the reverse', 'a key cannot be both an object and a prefix of other keys in a local directory', options);
      default:
        return new StorageError(uri, operation, (error as Error).message ?? String(error), undefined, options);
    }
  }
}

async function writeAll(handle: fsp.FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.byteLength; ) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Makes a rename or link durable. Some file systems refuse to sync a directory; that is fine. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await fsp.open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
