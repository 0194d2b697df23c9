import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type FileSink, DataFileWriter, buildSchemaFile, readFileLines, readableSink } from '../../../functions/format';
import { chunked, collect, memorySinks, toArray, vertex } from './helpers';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function linesOf(name: string, bytes: Buffer): Promise<string[][]> {
  return (await toArray(readFileLines(name, chunked(bytes, 3000)))).map((l) => l.rawElements);
}

describe('DataFileWriter', () => {
  it('groups 500 elements per line and keeps ids above 2^53 byte for byte through zip and back', async () => {
    const sinks = memorySinks();
    const writer = new DataFileWriter({ type: 'vertices', label: 'person', labelIndex: 3, firstSeq: 17, openSink: sinks.open });
    const elements = Array.from({ length: 1234 }, (_, i) => vertex(i));
    await writer.write(elements.slice(0, 700));
    await writer.write(elements.slice(700));
    const files = await writer.close();

    expect(files).toHaveLength(1);
    const [file] = files;
    const bytes = sinks.files.get('vertices-0003-00017.zip') as Buffer;
    expect(file).toEqual({
      name: 'vertices-0003-00017.zip',
      type: 'vertices',
      label: 'person',
      elements: 1234,
      bytes: bytes.length,
      sha256: sha256(bytes),
      compressed: true,
    });
    const lines = await linesOf(file!.name, bytes);
    expect(lines.map((l) => l.length)).toEqual([500, 500, 234]);
    expect(lines.flat()).toEqual(elements);
    expect(lines[0]?.[0]).toContain('"id":1208794584776818688,');
    expect(lines[0]?.[3]).toContain('"big":90071992547409933}');
    expect(writer.nextSeq).toBe(18);
  });

  it('rolls over at maxFileElements, filling each file exactly', async () => {
    const sinks = memorySinks();
    const writer = new DataFileWriter({ type: 'edges', label: 'knows', labelIndex: 0, openSink: sinks.open, maxFileElements: 1200 });
    const elements = Array.from({ length: 3000 }, (_, i) => `{"id":"S1:a>1>>S1:b${i}"}`);
    await writer.write(elements);
    const files = await writer.close();
    expect(files.map((f) => [f.name, f.elements])).toEqual([
      ['edges-0000-00000.zip', 1200],
      ['edges-0000-00001.zip', 1200],
      ['edges-0000-00002.zip', 600],
    ]);
    const lines = await linesOf('edges-0000-00000.zip', sinks.files.get('edges-0000-00000.zip') as Buffer);
    expect(lines.map((l) => l.length)).toEqual([500, 500, 200]);
    const all = await Promise.all(files.map((f) => linesOf(f.name, sinks.files.get(f.name) as Buffer)));
    expect(all.flat(2)).toEqual(elements);
  });

  it('rolls over before a line would push a file past maxFileBytes', async () => {
    const sinks = memorySinks();
    const element = `{"p":"${'x'.repeat(994)}"}`; // 1000 bytes; a full line is ~500 kB
    const writer = new DataFileWriter({ type: 'vertices', label: 'doc', labelIndex: 1, openSink: sinks.open, maxFileBytes: 1_200_000, compress: false });
    await writer.write(Array.from({ length: 2600 }, () => element));
    const files = await writer.close();
    expect(files.map((f) => f.elements)).toEqual([1000, 1000, 600]);
    for (const f of files) {
      const body = sinks.files.get(f.name) as Buffer;
      expect(body.length).toBeLessThanOrEqual(1_200_000);
      expect(f).toMatchObject({ compressed: false, bytes: body.length, sha256: sha256(body) });
      expect(body.toString().startsWith('{"vertices": [{"p":"xxx')).toBe(true);
    }
    expect(files.map((f) => f.name)).toEqual(['vertices-0001-00000', 'vertices-0001-00001', 'vertices-0001-00002']);
  });

  it('writes no file when given no element', async () => {
    const sinks = memorySinks();
    const writer = new DataFileWriter({ type: 'vertices', label: 'empty', labelIndex: 0, openSink: sinks.open });
    await writer.write([]);
    expect(await writer.close()).toEqual([]);
    expect(sinks.files.size).toBe(0);
  });

  it('reports each stored file before starting the next', async () => {
    const sinks = memorySinks();
    const events: string[] = [];
    const writer = new DataFileWriter({
      type: 'vertices',
      label: 'p',
      labelIndex: 0,
      maxFileElements: 500,
      openSink: (name) => {
        events.push(`open ${name}`);
        return sinks.open(name);
      },
      onFile: (f) => {
        events.push(`stored ${f.name}`);
      },
    });
    await writer.write(Array.from({ length: 1000 }, (_, i) => vertex(i)));
    await writer.close();
    expect(events).toEqual(['open vertices-0000-00000.zip', 'stored vertices-0000-00000.zip', 'open vertices-0000-00001.zip', 'stored vertices-0000-00001.zip']);
  });

  it('aborts the file whose sink failed and refuses further writes', async () => {
    const aborted: unknown[] = [];
    const sink: FileSink = {
      write: () => Promise.reject(new Error('upload failed')),
      end: () => undefined,
      abort: (reason) => {
        aborted.push(reason);
      },
    };
    const writer = new DataFileWriter({ type: 'edges', label: 'e', labelIndex: 0, openSink: () => sink });
    // The failure surfaces at the latest when the file is closed: how soon depends on how much the
    // deflate stream buffers (its highWaterMark grew from 16 to 64 KiB in Node 22).
    const failure = await writer
      .write(Array.from({ length: 600 }, (_, i) => vertex(i)))
      .then(() => writer.close())
      .catch((e: unknown) => e);
    expect(failure).toEqual(new Error('upload failed'));
    expect(aborted).toHaveLength(1);
    await expect(writer.write([vertex(1)])).rejects.toThrow('upload failed');
  });

  it('refuses bounds that cannot work', () => {
    const base = { type: 'vertices', label: 'p', labelIndex: 0, openSink: memorySinks().open } as const;
    expect(() => new DataFileWriter({ ...base, maxFileBytes: 5 * 1024 ** 3 })).toThrow(/maxFileBytes/);
    expect(() => new DataFileWriter({ ...base, maxFileElements: 0 })).toThrow(/maxFileElements/);
  });

  it('streams into a Readable consumer, as a multipart upload reads it', async () => {
    const uploaded = new Map<string, Buffer>();
    const upload = async (key: string, body: AsyncIterable<Uint8Array>): Promise<void> => {
      uploaded.set(key, await collect(body));
    };
    const writer = new DataFileWriter({
      type: 'vertices',
      label: 'p',
      labelIndex: 2,
      openSink: (name) => readableSink((body) => upload(`g/b/${name}`, body), 16 * 1024),
    });
    const elements = Array.from({ length: 20_000 }, (_, i) => vertex(i));
    await writer.write(elements);
    const [file] = await writer.close();
    const body = uploaded.get('g/b/vertices-0002-00000.zip') as Buffer;
    expect(file).toMatchObject({ bytes: body.length, sha256: sha256(body), elements: 20_000 });
    expect((await linesOf(file!.name, body)).flat()).toEqual(elements);
  });

  it('fails the write when the consumer of a readableSink fails', async () => {
    const writer = new DataFileWriter({
      type: 'vertices',
      label: 'p',
      labelIndex: 0,
      openSink: () =>
        readableSink(async () => {
          throw new Error('access denied');
        }, 1024),
    });
    await expect(
      (async () => {
        for (let i = 0; i < 50; i++) await writer.write(Array.from({ length: 1000 }, (_, j) => vertex(i * 1000 + j)));
        await writer.close();
      })(),
    ).rejects.toThrow('access denied');
  });

  it('streams 200k elements without holding them', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let received = 0;
    let receivedBeforeLastWrite = 0;
    const writer = new DataFileWriter({
      type: 'vertices',
      label: 'p',
      labelIndex: 0,
      openSink: () => ({
        write: (c) => {
          received += c.length;
        },
        end: () => undefined,
      }),
    });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let page = 0; page < 200; page++) {
      if (page === 199) receivedBeforeLastWrite = received;
      await writer.write(Array.from({ length: 1000 }, (_, i) => vertex(page * 1000 + i)));
      expect(writer.pendingElements).toBeLessThan(500);
    }
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    const [file] = await writer.close();
    expect(file?.elements).toBe(200_000);
    // The elements are ~26 MB of text; what stays on the heap is one line at most.
    expect(retained).toBeLessThan(8 * 1024 * 1024);
    expect(receivedBeforeLastWrite).toBeGreaterThan(file!.bytes / 2);
  });
});

describe('buildSchemaFile', () => {
  it('writes every element on one line, zipped as the tool does', async () => {
    const keys = Array.from({ length: 700 }, (_, i) => `{"id":${i},"name":"p${i}","data_type":"LONG"}`);
    const { file, body } = await buildSchemaFile('propertykeys', keys);
    expect(file).toEqual({ name: 'propertykeys.zip', type: 'propertykeys', elements: 700, bytes: body.length, sha256: sha256(body), compressed: true });
    expect(await linesOf(file.name, body)).toEqual([keys]);
  });

  it('writes an empty schema file uncompressed', async () => {
    const { file, body } = await buildSchemaFile('indexlabels', [], { compress: false });
    expect(file.name).toBe('indexlabels');
    expect(body.toString()).toBe('{"indexlabels": []}\n');
  });
});
