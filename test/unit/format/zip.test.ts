import { randomBytes } from 'node:crypto';
import { Zip, ZipDeflate, strToU8, unzipSync, zipSync } from 'fflate';
import { BackupFormatError, ZipEntryWriter, openZipEntry, zipEntryStream } from '../../../functions/format';
import { chunked, collect } from './helpers';

async function zipOf(name: string, content: Uint8Array, level?: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const zip = new ZipEntryWriter(
    name,
    (c) => {
      parts.push(c);
    },
    { level, mtime: new Date('2026-11-24T21:56:00Z') },
  );
  for await (const c of chunked(content, 10_000)) await zip.write(c);
  const summary = await zip.end();
  const archive = Buffer.concat(parts);
  expect(summary.archiveBytes).toBe(archive.length);
  return archive;
}

async function unzipOf(archive: Uint8Array, chunkSize = 4096): Promise<{ name: string; content: Buffer }> {
  const entry = await openZipEntry(chunked(archive, chunkSize), 'test.zip');
  return { name: entry.name, content: await collect(entry.content) };
}

/** fflate's streaming Zip + ZipDeflate: a second, independent writer (data descriptor, no UTF-8 flag). */
function fflateStreamZip(name: string, content: Uint8Array, level: 0 | 6 = 6): Buffer {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  const entry = new ZipDeflate(name, { level });
  zip.add(entry);
  entry.push(content, true);
  zip.end();
  return Buffer.concat(parts);
}

const text = Buffer.from(Array.from({ length: 5000 }, (_, i) => `{"vertices": [{"id":${1208794584776818688n + BigInt(i)}}]}\n`).join(''));

describe('ZipEntryWriter', () => {
  it('writes one DEFLATE entry with the layout of Java ZipOutputStream (flags 0x0808, data descriptor)', async () => {
    const archive = await zipOf('vertices-0003-00017', text);
    expect(archive.readUInt32LE(0)).toBe(0x04034b50);
    expect(archive.readUInt16LE(6)).toBe(0x0808);
    expect(archive.readUInt16LE(8)).toBe(8);
    expect(archive.subarray(30, 30 + 19).toString()).toBe('vertices-0003-00017');
    expect(archive.readUInt32LE(archive.length - 22)).toBe(0x06054b50);
  });

  it('is read back by an independent reader (fflate unzipSync, via the central directory)', async () => {
    const archive = await zipOf('edges-0000-00001', text);
    const files = unzipSync(archive);
    expect(Object.keys(files)).toEqual(['edges-0000-00001']);
    expect(Buffer.from(files['edges-0000-00001'] as Uint8Array).equals(text)).toBe(true);
  });

  it('writes an empty entry', async () => {
    const archive = await zipOf('propertykeys', new Uint8Array(0));
    expect(unzipSync(archive)['propertykeys']).toHaveLength(0);
    expect((await unzipOf(archive)).content).toHaveLength(0);
  });

  it('waits for a slow consumer', async () => {
    const parts: Uint8Array[] = [];
    const zip = new ZipEntryWriter('x', async (c) => {
      await new Promise((r) => setTimeout(r, 1));
      parts.push(c);
    });
    const random = randomBytes(300_000); // incompressible: output as large as input
    for await (const c of chunked(random, 65536)) await zip.write(c);
    await zip.end();
    expect(Buffer.from(unzipSync(Buffer.concat(parts))['x'] as Uint8Array).equals(random)).toBe(true);
  });

  it('reports a failing consumer on the next write or end', async () => {
    const zip = new ZipEntryWriter('x', () => {
      throw new Error('disk full');
    });
    await expect(
      (async () => {
        await zip.write(randomBytes(1000));
        await zip.end();
      })(),
    ).rejects.toThrow('disk full');
  });

  it('has a pull form producing the same archive', async () => {
    const mtime = new Date('2026-11-24T21:56:00Z');
    const pulled = await collect(zipEntryStream('vertices0', chunked(text, 10_000), { mtime }));
    expect(pulled.equals(await zipOf('vertices0', text))).toBe(true);
  });
});

describe('openZipEntry', () => {
  it.each([1, 13, 4096, 1 << 20])('round-trips through our reader in %i-byte chunks', async (size) => {
    const archive = await zipOf('vertices0', text.subarray(0, 50_000));
    const { name, content } = await unzipOf(archive, size);
    expect(name).toBe('vertices0');
    expect(content.equals(text.subarray(0, 50_000))).toBe(true);
  });

  it('reads fflate streaming archives (data descriptor) and sized ones (zipSync)', async () => {
    expect((await unzipOf(fflateStreamZip('edges1', text))).content.equals(text)).toBe(true);
    const sized = Buffer.from(zipSync({ vertices7: text }));
    expect(sized.readUInt16LE(6) & 8).toBe(0);
    expect(await unzipOf(sized)).toEqual({ name: 'vertices7', content: text });
  });

  it('reads STORED entries with sizes in the local header', async () => {
    const stored = Buffer.from(zipSync({ edges2: text }, { level: 0 }));
    expect(stored.readUInt16LE(8)).toBe(0);
    expect((await unzipOf(stored, 999)).content.equals(text)).toBe(true);
  });

  it('finds the end of a data-descriptor entry whose compressed bytes contain the descriptor signature', async () => {
    // Level 0 stores the bytes verbatim inside the deflate stream, so PK\x07\x08 appears in it.
    // A reader that searches for the signature (fflate's streaming Unzip) cuts the entry short.
    const content = Buffer.concat([randomBytes(70_000), Buffer.from('PK\x07\x08PK\x01\x02'), randomBytes(70_000)]);
    for (const archive of [fflateStreamZip('x', content, 0), await zipOf('x', content, 0)]) {
      expect(archive.includes(Buffer.from('PK\x07\x08'))).toBe(true);
      expect((await unzipOf(archive, 5000)).content.equals(content)).toBe(true);
    }
  });

  it('reads only the first entry of a multi-entry archive', async () => {
    const archive = Buffer.from(zipSync({ vertices0: strToU8('first\n'), vertices1: strToU8('second\n') }));
    expect(await unzipOf(archive)).toEqual({ name: 'vertices0', content: Buffer.from('first\n') });
  });

  it('closes the source when the reader stops early', async () => {
    const archive = await zipOf('x', randomBytes(500_000));
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(archive, 1000);
      } finally {
        closed = true;
      }
    }
    const entry = await openZipEntry(source(), 'x.zip');
    for await (const _chunk of entry.content) break;
    expect(closed).toBe(true);
  });

  describe('fails clearly, naming the file', () => {
    const open = async (bytes: Uint8Array): Promise<Buffer> => collect((await openZipEntry(chunked(bytes, 100), 'vertices0.zip')).content);

    it('on an empty file', async () => {
      await expect(open(new Uint8Array(0))).rejects.toThrow('vertices0.zip: invalid zip file: the file is empty');
    });

    it('on an archive without entries', async () => {
      await expect(open(zipSync({}))).rejects.toThrow('vertices0.zip: invalid zip file: the archive holds no entry');
    });

    it('on a plain text file', async () => {
      await expect(open(Buffer.from('{"vertices": []}\n'))).rejects.toThrow(/not a zip archive \(starts with 0x7b227665\)/);
    });

    it('with a BackupFormatError', async () => {
      await expect(open(Buffer.from('PK'))).rejects.toBeInstanceOf(BackupFormatError);
    });

    // The archive ends with a 16-byte data descriptor, a 55-byte central header and a 22-byte end record.
    it.each([
      ['in the local header', () => 10],
      ['in the file name', () => 35],
      ['in the compressed data', (n: number) => n - 200],
      ['in the data descriptor', (n: number) => n - 93 + 8],
    ])('on an archive cut %s', async (_where, cut) => {
      const archive = await zipOf('vertices0', text);
      await expect(open(archive.subarray(0, cut(archive.length)))).rejects.toThrow(/vertices0.zip: invalid zip file: .*truncated/);
    });

    it('on a wrong CRC-32', async () => {
      const archive = await zipOf('vertices0', text);
      const dd = archive.lastIndexOf(Buffer.from('PK\x07\x08'));
      archive[dd + 4] = (archive[dd + 4] as number) ^ 1;
      await expect(open(archive)).rejects.toThrow(/fails its CRC-32 check/);
    });

    it('on corrupt compressed data', async () => {
      const archive = await zipOf('vertices0', text);
      archive.fill(0xff, 100, 140);
      await expect(open(archive)).rejects.toThrow(/vertices0.zip: invalid zip file: entry 'vertices0' (has corrupt compressed data|fails its CRC-32)/);
    });

    it('on a wrong size in a sized entry', async () => {
      const sized = Buffer.from(zipSync({ v: text }));
      sized.writeUInt32LE(text.length + 1, 22);
      await expect(open(sized)).rejects.toThrow(`entry 'v' has ${text.length} bytes, the archive records ${text.length + 1}`);
    });

    it('on an unsupported method', async () => {
      const sized = Buffer.from(zipSync({ v: text }));
      sized.writeUInt16LE(12, 8);
      await expect(open(sized)).rejects.toThrow(/compression method 12/);
    });
  });
});
