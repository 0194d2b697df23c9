import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumMismatchError, checkStoredFile, DataFileWriter, readVerified, sha256OfStream, verifyChunks, verifySha256, verifyStream } from '../../../functions/format';
import { chunked, collect, memorySinks, vertex } from './helpers';

const body = Buffer.from('PK\u0003\u0004 pretend this is a zip'.repeat(1000));
const good = { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
const bad = { sha256: 'f'.repeat(64), bytes: body.length };

describe('sha256OfStream', () => {
  it('hashes and counts every byte', async () => {
    expect(await sha256OfStream(chunked(body, 999))).toEqual(good);
  });
});

describe('verifySha256 and readVerified', () => {
  it('accept a matching file', async () => {
    expect(await verifySha256(chunked(body), 'vertices-0000-00000.zip', good)).toEqual(good);
    expect((await readVerified(chunked(body), 'vertices-0000-00000.zip', good)).equals(body)).toBe(true);
  });

  it('refuse a mismatch, naming the file, the expected and the actual hash', async () => {
    const error = await readVerified(chunked(body), 'vertices-0000-00000.zip', bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ name: 'ChecksumMismatchError', file: 'vertices-0000-00000.zip', actual: good });
    expect((error as Error).message).toBe(`vertices-0000-00000.zip: SHA-256 mismatch, expected ${'f'.repeat(64)}, got ${good.sha256}`);
  });

  it('refuse a longer file as soon as it passes the recorded size', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        read++;
        yield body;
      }
    }
    await expect(verifySha256(endless(), 'f', good)).rejects.toThrow(/expected \d+ bytes, got \d+/);
    expect(read).toBe(2);
  });

  it('refuse a shorter file', async () => {
    await expect(verifySha256(chunked(body.subarray(1)), 'f', good)).rejects.toBeInstanceOf(ChecksumMismatchError);
  });

  it('accept an uppercase expected hash', async () => {
    await expect(verifySha256(chunked(body), 'f', { sha256: good.sha256.toUpperCase() })).resolves.toEqual(good);
  });
});

describe('verifyStream and verifyChunks', () => {
  it('pass bytes through and succeed on a match', async () => {
    expect((await collect(verifyChunks(chunked(body), 'f', good))).equals(body)).toBe(true);
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunked(body)), verifyStream('f', good), async (source: AsyncIterable<Buffer>) => {
      for await (const c of source) out.push(c);
    });
    expect(Buffer.concat(out).equals(body)).toBe(true);
  });

  it('fail at the end on a mismatch', async () => {
    await expect(collect(verifyChunks(chunked(body), 'edges0.zip', bad))).rejects.toThrow(ChecksumMismatchError);
    await expect(
      pipeline(Readable.from(chunked(body)), verifyStream('edges0.zip', bad), async (source: AsyncIterable<Buffer>) => {
        for await (const _c of source);
      }),
    ).rejects.toThrow(/^edges0.zip: SHA-256 mismatch/);
  });
});

describe('checkStoredFile', () => {
  it('hashes the whole file, also the zip trailer when it arrives in a chunk of its own after the last line', async () => {
    const sinks = memorySinks();
    const writer = new DataFileWriter({ type: 'vertices', label: 'person', labelIndex: 1, openSink: sinks.open });
    await writer.write(Array.from({ length: 1200 }, (_, i) => vertex(i)));
    const [written] = await writer.close();
    const stored = [...sinks.files.values()][0] as Buffer;
    const expected = { name: written?.name as string, type: 'vertices' as const, sha256: written?.sha256, bytes: written?.bytes, elements: 1200 };
    // Cut where a reader meets it: everything up to the trailer's last 36 bytes, then those bytes
    // (a 9 × 64 KiB file plus 36 bytes was called damaged by the reader that stopped at the last line).
    for (const tail of [36, 22, 1]) {
      const chunks = [stored.subarray(0, stored.length - tail), stored.subarray(stored.length - tail)];
      const check = await checkStoredFile(expected, async () =>
        (async function* () {
          yield* chunks;
        })(),
      );
      expect({ tail, problem: check.problem, bytes: check.bytes, elements: check.elements }).toEqual({ tail, problem: undefined, bytes: stored.length, elements: 1200 });
    }
  });
});
