import type { FileSink } from '../../../functions/format';

/** Yields `data` in chunks of `size` bytes (1 byte chunks exercise every boundary). */
export async function* chunked(data: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of source) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

export async function toArray<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

/** A sink factory that keeps every file's bytes in memory. */
export function memorySinks(): { files: Map<string, Buffer>; open: (name: string) => FileSink } {
  const files = new Map<string, Buffer>();
  return {
    files,
    open(name: string): FileSink {
      const parts: Buffer[] = [];
      return {
        write(chunk) {
          parts.push(Buffer.from(chunk));
        },
        end() {
          files.set(name, Buffer.concat(parts));
        },
      };
    },
  };
}

/** A vertex as the server writes it, with a Snowflake id above 2^53. */
export function vertex(i: number): string {
  const id = 1208794584776818688n + BigInt(i);
  return `{"id":${id},"label":"person","type":"vertex","properties":{"name":"n${i}","age":${i % 90},"big":9007199254740993${i % 10}}}`;
}
