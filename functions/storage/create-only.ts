import { createHash } from 'node:crypto';
import { ObjectNotFoundError } from './errors';
import type { BackupStorage } from './storage';

/**
 * A create-only write (`ifAbsent`) that finds its key taken is still this very write when the
 * stored bytes are the bytes it writes: S3 stored the object but the answer was lost (a 500 in its
 * place), so the SDK's retry met 412; or a retried task repeats a write its first attempt made.
 * Accepting only identical bytes keeps create-only writes exclusive between different writers.
 */
export async function holdsSameBytes(storage: Pick<BackupStorage, 'get'>, key: string, body: Buffer | string): Promise<boolean> {
  try {
    return (await storage.get(key)).equals(typeof body === 'string' ? Buffer.from(body) : body);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return false; // deleted meanwhile: not ours either
    throw error;
  }
}

/** The same for a streamed write, by size and SHA-256 of what was sent. */
export async function holdsSameDigest(storage: Pick<BackupStorage, 'head' | 'openRead'>, key: string, sent: { readonly bytes: number; readonly sha256: string }): Promise<boolean> {
  const stored = await storage.head(key);
  if (stored?.size !== sent.bytes) return false;
  const hash = createHash('sha256');
  for await (const chunk of await storage.openRead(key)) hash.update(chunk as Uint8Array);
  return hash.digest('hex') === sent.sha256;
}

/**
 * Counts and hashes the chunks of a stream as they pass, for {@link holdsSameDigest}. Only a
 * create-only write needs the digest (`createOnly`): data files are plain writes, and hashing every
 * byte of them a second time (their writer already does, for the manifest) would be wasted work.
 */
export function digestingStream(source: AsyncIterable<Uint8Array | string>, createOnly: boolean): { stream: AsyncGenerator<Buffer>; digest: () => { bytes: number; sha256: string } | undefined } {
  const hash = createOnly ? createHash('sha256') : undefined;
  let bytes = 0;
  let complete = false;
  async function* stream(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      hash?.update(data);
      bytes += data.byteLength;
      yield data;
    }
    complete = true;
  }
  return { stream: stream(), digest: () => (complete && hash ? { bytes, sha256: hash.copy().digest('hex') } : undefined) };
}
