import { AbortedError } from '../../../functions/abort';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { LocalStorage } from '../../../functions/storage/local';
import { InvalidKeyError, ObjectExistsError, ObjectNotFoundError, StorageError } from '../../../functions/storage/storage';
import { openStorage } from '../../../functions/storage/open';

/** Behaviour particular to the directory storage; the shared contract runs in test/integration/storage.test.ts. */
describe('LocalStorage', () => {
  let dir: string;
  let storage: LocalStorage;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-local-'));
    storage = new LocalStorage(dir);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const files = (root = dir): string[] =>
    (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();

  it('abandons its calls once its signal aborts, and an abandoned upload leaves no object', async () => {
    await storage.put('g/kept.json', '{}');
    const controller = new AbortController();
    const stopping = storage.withSignal(controller.signal);
    async function* slowBody() {
      yield Buffer.from('first part ');
      controller.abort(new AbortedError('stopped by SIGINT'));
      yield Buffer.from('second part');
    }
    await expect(stopping.upload('g/big.zip', slowBody())).rejects.toMatchObject({ name: 'AbortedError', message: 'stopped by SIGINT' });
    await expect(stopping.get('g/kept.json')).rejects.toBeInstanceOf(AbortedError);
    await expect(stopping.list('g/')[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(AbortedError);
    expect(files()).toEqual(['g/kept.json']);
    await expect(storage.get('g/kept.json')).resolves.toEqual(Buffer.from('{}')); // the storage it came from goes on
  });

  it('is what openStorage returns for a path or a file URL', () => {
    expect(openStorage(dir)).toBeInstanceOf(LocalStorage);
    expect(openStorage(`file://${dir}`).root).toBe(dir);
    expect(storage.uri('g/b/manifest.json')).toBe(path.join(dir, 'g/b/manifest.json'));
  });

  it('stores key a/b/c as the file <root>/a/b/c, creating the directories', async () => {
    await storage.put('g/b/c.json', '{"x":1}');
    expect(fs.readFileSync(path.join(dir, 'g/b/c.json'), 'utf8')).toBe('{"x":1}');
    expect(files()).toEqual(['g/b/c.json']);
  });

  it('creates the root directory on the first write', async () => {
    const nested = new LocalStorage(path.join(dir, 'not/yet'));
    expect(await nested.head('x')).toBeUndefined();
    expect(await collect(nested.list(''))).toEqual([]);
    await nested.put('x', 'y');
    expect(fs.readFileSync(path.join(dir, 'not/yet/x'), 'utf8')).toBe('y');
  });

  it('leaves no temporary file behind, after success or failure', async () => {
    await storage.put('a', 'one');
    await storage.put('a', 'two');
    await expect(storage.put('a', 'three', { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
    await storage.upload('b', Readable.from([Buffer.from('xyz')]));
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('source broke');
    })();
    await expect(storage.upload('c', failing)).rejects.toThrow('source broke');
    expect(files()).toEqual(['a', 'b']);
    expect(fs.readFileSync(path.join(dir, 'a'), 'utf8')).toBe('two');
  });

  it('never shows a reader a half-written object: the name appears only when the content is complete', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source = (async function* () {
      yield Buffer.alloc(1000, 1);
      await gate;
      yield Buffer.alloc(1000, 2);
    })();
    const writing = storage.upload('g/big', source, { ifAbsent: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storage.head('g/big')).toBeUndefined();
    expect(await collect(storage.list(''))).toEqual([]);
    release();
    await expect(writing).resolves.toEqual({ bytes: 2000 });
    expect(await storage.head('g/big')).toEqual({ size: 2000 });
  });

  it('hides temporary files of other writers from listings, and refuses keys that look like them', async () => {
    fs.mkdirSync(path.join(dir, 'g'));
    fs.writeFileSync(path.join(dir, 'g/.hgbr-tmp-0123456789abcdef'), 'in progress');
    await storage.put('g/a', 'x');
    expect(await collect(storage.list(''))).toEqual([{ key: 'g/a', size: 1 }]);
    await expect(storage.get('g/.hgbr-tmp-0123456789abcdef')).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('lists empty directories as nothing, like S3 lists no prefix without objects', async () => {
    fs.mkdirSync(path.join(dir, 'g/empty/deeper'), { recursive: true });
    await storage.put('g/full/x', 'x');
    expect(await collect(storage.listPrefixes('g/'))).toEqual(['g/full/']);
    expect(await collect(storage.list('g/'))).toEqual([{ key: 'g/full/x', size: 1 }]);
  });

  it('reads through symbolic links and skips names that cannot be keys', async () => {
    fs.writeFileSync(path.join(os.tmpdir(), `hgbr-link-target-${process.pid}`), 'linked');
    fs.symlinkSync(path.join(os.tmpdir(), `hgbr-link-target-${process.pid}`), path.join(dir, 'link'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    fs.writeFileSync(path.join(dir, 'back\\slash'), 'x');
    try {
      expect(await collect(storage.list(''))).toEqual([{ key: 'link', size: 6 }]);
      expect((await storage.get('link')).toString()).toBe('linked');
    } finally {
      fs.rmSync(path.join(os.tmpdir(), `hgbr-link-target-${process.pid}`));
    }
  });

  it('removes directories that deletes leave empty, but never the root', async () => {
    await storage.put('g/b1/x', 'x');
    await storage.put('g/b1/sub/y', 'y');
    await storage.put('g/b2/z', 'z');
    expect(await storage.deletePrefix('g/b1/')).toBe(2);
    expect(fs.existsSync(path.join(dir, 'g/b1'))).toBe(false);
    await storage.delete('g/b2/z');
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.existsSync(dir)).toBe(true);
  });

  it('treats a directory as no object', async () => {
    await storage.put('g/b/x', 'x');
    expect(await storage.head('g/b')).toBeUndefined();
    await expect(storage.get('g/b')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(storage.openRead('g/b')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(storage.delete('g/b')).resolves.toBeUndefined();
    expect(await storage.head('g/b/x')).toEqual({ size: 1 });
  });

  it('explains that a key cannot be both an object and a directory here', async () => {
    await storage.put('g/a', 'x');
    const error = await storage.put('g/a/b', 'y').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).hint).toMatch(/both an object and a prefix/);
  });

  it('takes the whole prefix as a string prefix, not a directory name', async () => {
    for (const key of ['g/b1/x', 'g/b10/x', 'g/b2/x', 'g/b1.txt']) await storage.put(key, 'x');
    expect((await collect(storage.list('g/b1'))).map((o) => o.key)).toEqual(['g/b1.txt', 'g/b1/x', 'g/b10/x']);
    expect(await collect(storage.listPrefixes('g/b1'))).toEqual(['g/b1/', 'g/b10/']);
    expect(await storage.deletePrefix('g/b1/')).toBe(1);
    expect((await collect(storage.list(''))).map((o) => o.key)).toEqual(['g/b1.txt', 'g/b10/x', 'g/b2/x']);
  });

  it('publishes a create-if-absent object atomically even against many writers', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => `writer ${i} `.repeat(5000));
    const results = await Promise.allSettled(bodies.map((body) => storage.put('g/lock', body, { ifAbsent: true })));
    const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ObjectExistsError);
    }
    expect((await storage.get('g/lock')).toString()).toBe(bodies[winners[0]!]);
    expect(files()).toEqual(['g/lock']);
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
