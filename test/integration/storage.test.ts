import { HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { type BackupStorage, BucketNotFoundError, InvalidKeyError, ObjectExistsError, ObjectNotFoundError, StorageAccessDeniedError, StorageUnavailableError } from '../../functions/storage/storage';
import { openStorage } from '../../functions/storage/open';
import { startS3Server, type S3Server } from '../support/s3-server';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const CHUNK = 256 * 1024;

/** What the contract needs from a backend: a fresh, empty storage per call, and its buffering bound. */
interface Subject {
  open(options?: { listPageSize?: number }): BackupStorage;
  /** Most bytes an upload may have read from its source but not yet stored. */
  readonly maxBufferedBytes: number;
}

/**
 * The obligations every BackupStorage meets (see functions/storage/storage.ts), run against each
 * backend in the same way, as restic runs one suite against all of its backends.
 */
function describeStorageContract(name: string, subject: () => Subject): void {
  describe(`${name}: storage contract`, () => {
    let storage: BackupStorage;
    beforeEach(() => {
      storage = subject().open();
    });

    it('writes, reads, streams and overwrites an object', async () => {
      await storage.put('g/b/manifest.json', '{"v":1}');
      expect((await storage.get('g/b/manifest.json')).toString()).toBe('{"v":1}');
      expect(await storage.head('g/b/manifest.json')).toEqual({ size: 7 });
      await storage.put('g/b/manifest.json', Buffer.from('{"v":22}'));
      expect((await readAll(await storage.openRead('g/b/manifest.json'))).toString()).toBe('{"v":22}');
      // The AWS SDK warns on stderr about a body whose length it cannot tell (an empty string): no warning in hgbr's output.
      const warn = jest.spyOn(console, 'warn');
      await storage.put('g/empty', '');
      expect(warn).not.toHaveBeenCalled();
      warn.mockRestore();
      expect(await storage.get('g/empty')).toEqual(Buffer.alloc(0));
      expect(await storage.head('g/empty')).toEqual({ size: 0 });
    });

    it('reports a missing object as ObjectNotFoundError from get and openRead, as undefined from head', async () => {
      await storage.put('g/b/present', 'x');
      const error = await storage.get('g/b/absent').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect((error as ObjectNotFoundError).message).toBe(`${storage.uri('g/b/absent')} does not exist`);
      expect((error as ObjectNotFoundError).name).toBe('ObjectNotFoundError');
      await expect(storage.openRead('g/b/absent')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage.get('nothing/here/at/all')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await storage.head('g/b/absent')).toBeUndefined();
    });

    it('deletes an object, and deleting a missing one is not an error', async () => {
      await storage.put('g/a', 'x');
      await storage.put('g/b', 'y');
      await storage.delete('g/a');
      await storage.delete('g/a');
      await storage.delete('never/was');
      expect(await keys(storage.list(''))).toEqual(['g/b']);
    });

    it('creates an object if absent, and refuses the second time without touching it', async () => {
      await storage.put('g/.hgbr-backup.lock', 'first', { ifAbsent: true });
      const error = await storage.put('g/.hgbr-backup.lock', 'second', { ifAbsent: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectExistsError);
      expect((error as ObjectExistsError).name).toBe('ObjectExistsError');
      expect((await storage.get('g/.hgbr-backup.lock')).toString()).toBe('first');
      await storage.delete('g/.hgbr-backup.lock');
      await storage.put('g/.hgbr-backup.lock', 'third', { ifAbsent: true });
      expect((await storage.get('g/.hgbr-backup.lock')).toString()).toBe('third');
    });

    it('counts a create-if-absent write that finds its own bytes as written (a retry after a lost answer)', async () => {
      await storage.put('g/b/manifest.json', '{"v":1}', { ifAbsent: true });
      await storage.put('g/b/manifest.json', Buffer.from('{"v":1}'), { ifAbsent: true });
      await expect(storage.put('g/b/manifest.json', '{"v":2}', { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
      await storage.upload('g/b/streamed', Readable.from([Buffer.from('one'), Buffer.from('two')]), { ifAbsent: true });
      await expect(storage.upload('g/b/streamed', Readable.from([Buffer.from('onetwo')]), { ifAbsent: true })).resolves.toEqual({ bytes: 6 });
      await expect(storage.upload('g/b/streamed', Readable.from([Buffer.from('onetwO')]), { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
      expect((await storage.get('g/b/manifest.json')).toString()).toBe('{"v":1}');
    });

    it('lets exactly one of many concurrent create-if-absent writers win', async () => {
      const bodies = Array.from({ length: 12 }, (_, i) => `${i}:`.padEnd(64 * 1024, String.fromCharCode(97 + i)));
      const results = await Promise.allSettled(bodies.map((body) => storage.put('g/lock', body, { ifAbsent: true })));
      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ObjectExistsError);
      }
      expect((await storage.get('g/lock')).toString()).toBe(bodies[winners[0]!]);
    });

    it('lists every object exactly once, sorted by UTF-8 bytes, whatever the page size', async () => {
      // '-' < '.' < '/' < '0' < 'Z' < '_' < 'a' < 'é' < '😀' in UTF-8. (No key here tells UTF-8 from UTF-16
      // order, such as 'a\uffee' against 'a😀': S3 sorts by UTF-8, the Java servers by UTF-16.)
      // No key is also a prefix of another ('a' and 'a/b'): a directory cannot hold both.
      const names = ['a-b', 'a.b', 'a/b', 'a/c/d', 'a0', 'aZ', 'a_', 'ab', 'aé', 'a😀', 'b/x/y/z'];
      for (const key of shuffle(names)) await storage.put(key, key);
      const expected = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      const listed = await collect(storage.list(''));
      expect(listed.map((o) => o.key)).toEqual(expected);
      expect(listed.map((o) => o.size)).toEqual(expected.map((key) => Buffer.byteLength(key)));
      const small = subject().open({ listPageSize: 2 });
      for (const key of names) await small.put(key, key);
      expect(await keys(small.list(''))).toEqual(expected);
      expect(await keys(small.list('a/'))).toEqual(['a/b', 'a/c/d']);
    });

    it('lists by string prefix, not by directory', async () => {
      for (const key of ['g/b1/x', 'g/b10/x', 'g/b2/x', 'g/b1.txt', 'h/b1/x']) await storage.put(key, 'x');
      expect(await keys(storage.list('g/b1'))).toEqual(['g/b1.txt', 'g/b1/x', 'g/b10/x']);
      expect(await keys(storage.list('g/b1/'))).toEqual(['g/b1/x']);
      expect(await keys(storage.list('g/c'))).toEqual([]);
      expect(await keys(storage.list('nothing/'))).toEqual([]);
    });

    it('lists the prefixes one level down, whatever the page size', async () => {
      const paged = subject().open({ listPageSize: 1 });
      const backups = ['g/20261124T215600Z-3f9a/', 'g/20261125T000000Z-0000/', 'g/20261126T000000Z-0000/'];
      for (const key of [
        `${backups[0]}manifest.json`,
        `${backups[0]}_hgbr/plan.json`,
        `${backups[1]}vertices-0000-00000.zip`,
        `${backups[1]}vertices-0000-00001.zip`,
        `${backups[2]}edges-0000-00000.zip`,
        'g/.hgbr-backup.lock',
        'h/x/y',
      ]) {
        await paged.put(key, 'x');
      }
      expect(await collect(paged.listPrefixes(''))).toEqual(['g/', 'h/']);
      expect(await collect(paged.listPrefixes('g/'))).toEqual(backups);
      expect(await collect(paged.listPrefixes('g/2026112'))).toEqual(backups);
      expect(await collect(paged.listPrefixes(backups[0]!))).toEqual([`${backups[0]}_hgbr/`]);
      expect(await collect(paged.listPrefixes('nothing/'))).toEqual([]);
    });

    it('pages through more than 1000 objects', async () => {
      const names = Array.from({ length: 1003 }, (_, i) => `g/b/vertices-0000-${String(i).padStart(5, '0')}`);
      await forEachLimited(names, 16, (key) => storage.put(key, 'v'));
      expect(await keys(storage.list('g/'))).toEqual(names);
    });

    it('streams a 20 MiB upload with bounded buffering and reads it back intact', async () => {
      const source = pattern(20 * MiB, 1);
      let stored = 0;
      let maxBuffered = 0;
      source.onChunk = (produced) => (maxBuffered = Math.max(maxBuffered, produced - stored));
      const result = await storage.upload('g/b/vertices-0001-00001.zip', source.stream(), {
        onProgress: (bytes) => (stored = bytes),
      });
      expect(result).toEqual({ bytes: 20 * MiB });
      expect(stored).toBe(20 * MiB);
      expect(maxBuffered).toBeLessThanOrEqual(subject().maxBufferedBytes);
      expect(maxBuffered).toBeLessThan(20 * MiB);
      expect(await storage.head('g/b/vertices-0001-00001.zip')).toEqual({ size: 20 * MiB });
      const hash = createHash('sha256');
      for await (const chunk of await storage.openRead('g/b/vertices-0001-00001.zip')) hash.update(chunk as Buffer);
      expect(hash.digest('hex')).toBe(source.sha256());
    });

    it('uploads small, empty and string streams', async () => {
      expect(await storage.upload('g/small', Readable.from([Buffer.from('ab'), Buffer.from('cd')]))).toEqual({ bytes: 4 });
      expect(await storage.upload('g/none', Readable.from([]))).toEqual({ bytes: 0 });
      expect(await storage.upload('g/text', Readable.from(['é', 'x']))).toEqual({ bytes: 3 });
      expect((await storage.get('g/small')).toString()).toBe('abcd');
      expect(await storage.head('g/none')).toEqual({ size: 0 });
      expect((await storage.get('g/text')).toString()).toBe('éx');
    });

    it('refuses a create-if-absent upload over an existing object, small or multipart', async () => {
      await storage.upload('g/manifest.json', Readable.from([Buffer.from('one')]), { ifAbsent: true });
      await expect(storage.upload('g/manifest.json', Readable.from([Buffer.from('two')]), { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
      await expect(storage.upload('g/manifest.json', pattern(11 * MiB, 2).stream(), { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
      expect((await storage.get('g/manifest.json')).toString()).toBe('one');
    });

    it('leaves nothing behind when the source fails, and passes its error through', async () => {
      const broken = new Error('the HugeGraph page stream broke');
      const source = (async function* () {
        yield* pattern(12 * MiB, 3).stream();
        throw broken;
      })();
      await expect(storage.upload('g/b/edges-0000-00000.zip', source)).rejects.toBe(broken);
      expect(await storage.head('g/b/edges-0000-00000.zip')).toBeUndefined();
      expect(await keys(storage.list(''))).toEqual([]);
    });

    it('deletes every object under a prefix, and only those', async () => {
      const paged = subject().open({ listPageSize: 3 });
      const doomed = Array.from({ length: 10 }, (_, i) => `g/b1/f${i}`);
      for (const key of [...doomed, 'g/b10/x', 'g/b1.txt', 'h/b1/x']) await paged.put(key, 'x');
      expect(await paged.deletePrefix('g/b1/')).toBe(10);
      expect(await keys(paged.list(''))).toEqual(['g/b1.txt', 'g/b10/x', 'h/b1/x']);
      expect(await paged.deletePrefix('g/b1/')).toBe(0);
      expect(await collect(paged.listPrefixes('g/'))).toEqual(['g/b10/']);
      await expect(paged.deletePrefix('')).rejects.toBeInstanceOf(InvalidKeyError);
    });

    it('refuses keys that could leave the root or name an object two ways', async () => {
      for (const key of ['', '/abs', '../up', 'a//b', 'a/./b', 'dir/']) {
        await expect(storage.put(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
      }
      await expect(storage.upload('../up', Readable.from([]))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(collect(storage.list('../'))).rejects.toBeInstanceOf(InvalidKeyError);
    });
  });
}

describe('local directory', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  describeStorageContract('local', () => ({
    open: () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-storage-'));
      dirs.push(dir);
      return openStorage(dir);
    },
    maxBufferedBytes: 2 * CHUNK,
  }));
});

describe(`S3 (${process.env.HGBR_S3_SERVER ?? 's3proxy'} on 127.0.0.1)`, () => {
  const partSize = 5 * MiB;
  const queueSize = 2;
  const savedEnv = { ...process.env };
  let server: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    server = await startS3Server();
    // The storage finds the server the way the CLI and the Lambdas will: through the standard variables.
    Object.assign(process.env, server.env);
    client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1' });
  }, 180_000);

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    for (const name of Object.keys(server?.env ?? {})) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
  });

  const open = (options: { listPageSize?: number; prefix?: string } = {}) =>
    openStorage(`s3://${server.bucket}/${options.prefix ?? `run-${randomBytes(4).toString('hex')}`}`, {
      partSize,
      queueSize,
      listPageSize: options.listPageSize,
    });

  describeStorageContract('s3', () => ({
    open,
    // lib-storage holds the parts in flight plus the one being filled; our source adapter adds a chunk.
    maxBufferedBytes: (queueSize + 1) * partSize + 2 * CHUNK,
  }));

  it('uploads large streams as multipart objects and aborts failed ones', async () => {
    const storage = open({ prefix: 'multipart' });
    await storage.upload('g/big', pattern(16 * MiB, 4).stream());
    const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: 'multipart/g/big' }));
    expect(head.ETag).toMatch(/-4"$/); // 16 MiB in 5 MiB parts
    const failing = (async function* () {
      yield* pattern(11 * MiB, 5).stream();
      throw new Error('gone');
    })();
    await expect(storage.upload('g/broken', failing)).rejects.toThrow('gone');
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: server.bucket, Prefix: 'multipart/' }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('reports a missing bucket as BucketNotFoundError', async () => {
    const storage = openStorage('s3://no-such-bucket-hgbr/x');
    const error = await storage.put('k', 'v').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BucketNotFoundError);
    expect((error as BucketNotFoundError).hint).toMatch(/AWS_ENDPOINT_URL_S3/);
    await expect(storage.get('k')).rejects.toBeInstanceOf(BucketNotFoundError);
    await expect(collect(storage.list(''))).rejects.toBeInstanceOf(BucketNotFoundError);
  });

  // S3Mock accepts any signature; s3proxy checks them.
  (process.env.HGBR_S3_SERVER === 's3mock' ? it.skip : it)('reports a wrong secret as StorageAccessDeniedError', async () => {
    const wrong = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: server.env.AWS_ACCESS_KEY_ID!, secretAccessKey: 'not-the-secret' },
    });
    try {
      const error = await openStorage(`s3://${server.bucket}/x`, { client: wrong })
        .get('k')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageAccessDeniedError);
      expect((error as StorageAccessDeniedError).message).toBe(`access denied: get s3://${server.bucket}/x/k`);
    } finally {
      wrong.destroy();
    }
  });

  it('reports an endpoint nobody listens on as StorageUnavailableError', async () => {
    const storage = openStorage(`s3://${server.bucket}/x`, { endpoint: 'http://127.0.0.1:9' });
    const error = await storage.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as StorageUnavailableError).hint).toContain('http://127.0.0.1:9');
  });
});

/** Deterministic bytes in CHUNK-sized pieces, produced only when asked for. */
function pattern(total: number, seed: number) {
  const hash = createHash('sha256');
  const state = {
    onChunk: undefined as ((producedBytes: number) => void) | undefined,
    sha256: () => hash.digest('hex'),
    async *stream(): AsyncGenerator<Buffer> {
      let produced = 0;
      let x = seed * 2654435761;
      while (produced < total) {
        const chunk = Buffer.allocUnsafe(Math.min(CHUNK, total - produced));
        for (let i = 0; i + 4 <= chunk.length; i += 4) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          chunk.writeInt32LE(x | 0, i);
        }
        hash.update(chunk);
        produced += chunk.length;
        state.onChunk?.(produced);
        yield chunk;
      }
    },
  };
  return state;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function keys(iterable: AsyncIterable<{ key: string }>): Promise<string[]> {
  return (await collect(iterable)).map((object) => object.key);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
