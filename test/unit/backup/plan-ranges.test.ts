import { balanceRanges, midpointKey } from '../../../functions/backup/key-ranges';
import { planRanges, RANGE_SPLIT_BYTES } from '../../../functions/backup/plan';
import type { KeyRange } from '../../../functions/hugegraph';
import { fakeGraph } from '../../support/fakes';

const b64 = (bytes: number[] | Buffer) => Buffer.from(bytes).toString('base64');
const bytesOf = (key: string) => Buffer.from(key, 'base64');
const inRange = (key: Buffer, r: KeyRange) => Buffer.compare(key, bytesOf(r.start)) >= 0 && Buffer.compare(key, bytesOf(r.end)) < 0;

/** A table's keys as a server sorts them: unsigned bytes. */
function table(keys: Buffer[]): Buffer[] {
  return [...keys].sort(Buffer.compare);
}

/** A 9-byte numeric vertex key (a marker byte and the id, big-endian), as RocksDB holds `CUSTOMIZE_NUMBER` ids. */
const numericKey = (marker: number, id: bigint) => {
  const key = Buffer.alloc(9);
  key[0] = marker;
  key.writeBigUInt64BE(id, 1);
  return key;
};

/** The server's way: `n` shards of even width between the first key and just past the last. */
function evenShards(keys: Buffer[], n: number): KeyRange[] {
  const length = 16;
  const num = (k: Buffer) => BigInt(`0x${Buffer.concat([k, Buffer.alloc(length - k.length)]).toString('hex')}`);
  const first = num(keys[0] as Buffer);
  const last = num(keys[keys.length - 1] as Buffer) + 1n;
  const bound = (i: number) => Buffer.from(((first + ((last - first) * BigInt(i)) / BigInt(n)) as bigint).toString(16).padStart(length * 2, '0'), 'hex');
  // The first range starts at the first key itself, as the server's does.
  return Array.from({ length: n }, (_, i) => ({ start: b64(i === 0 ? (keys[0] as Buffer) : bound(i)), end: b64(bound(i + 1)) }));
}

/** The first of the sorted `keys` at or after `key`. */
function firstAtOrAfter(keys: Buffer[], key: Buffer): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (Buffer.compare(keys[mid] as Buffer, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

const probeOf = (keys: Buffer[]) => {
  let probes = 0;
  return {
    probe: async (r: KeyRange, limit: number) => {
      probes++;
      let n = 0;
      for (let i = firstAtOrAfter(keys, bytesOf(r.start)); n < limit && i < keys.length && inRange(keys[i] as Buffer, r); i++) n++;
      return n;
    },
    count: () => probes,
  };
};

/** The bench graph's shape: labels whose ids cluster in a few shards, most shards empty. */
function clusteredKeys(): Buffer[] {
  const keys: Buffer[] = [];
  for (let i = 0n; i < 800n; i++) keys.push(numericKey(0x68, 2n ** 53n + i)); // accounts: sequential ids above 2^53
  for (let i = 0n; i < 1200n; i++) keys.push(numericKey(0x69, 7n * 10n ** 17n + i * 977n)); // events: AUTOMATIC ids
  for (let i = 0; i < 1600; i++) keys.push(Buffer.from(`\x92person-${(i * 7919) % 100003}`)); // PRIMARY_KEY text
  return table(keys);
}

describe('balanceRanges', () => {
  it('cuts where the data is, so no range holds most of a label, and covers the table end to start', async () => {
    const keys = clusteredKeys();
    const shards = evenShards(keys, 45);
    const { probe } = probeOf(keys);
    const held = (r: KeyRange) => keys.filter((k) => inRange(k, r)).length;
    expect(Math.max(...shards.map(held))).toBeGreaterThanOrEqual(1200); // the server's shards: a label each

    const ranges = await balanceRanges(shards, probe, { target: 16 });

    expect(ranges[0]?.start).toBe(shards[0]?.start);
    expect(ranges.at(-1)?.end).toBe(shards.at(-1)?.end);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
    const counts = ranges.map(held);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(keys.length); // every key once
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(ranges.length).toBeGreaterThanOrEqual(16);
    expect(Math.max(...counts)).toBeLessThanOrEqual(800);
  });

  it('stops at the probe budget and still covers everything', async () => {
    const keys = clusteredKeys();
    const shards = evenShards(keys, 45);
    const { probe, count } = probeOf(keys);
    const ranges = await balanceRanges(shards, probe, { target: 1000, maxProbes: 60 });
    expect(count()).toBeLessThanOrEqual(60 + 4); // probes in flight when the budget ran out finish
    expect(ranges[0]?.start).toBe(shards[0]?.start);
    expect(ranges.at(-1)?.end).toBe(shards.at(-1)?.end);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
  });

  it('gives one range over everything when nothing holds data, and a single key its own range', async () => {
    const shards = evenShards(table([numericKey(1, 1n), numericKey(9, 9n)]), 8);
    expect(await balanceRanges(shards, async () => 0, { target: 4 })).toEqual([{ start: shards[0]?.start, end: shards.at(-1)?.end }]);
    const one = [numericKey(5, 5n)];
    const ranges = await balanceRanges(shards, probeOf(one).probe, { target: 4 });
    expect(ranges).toHaveLength(1);
    expect(inRange(one[0] as Buffer, ranges[0] as KeyRange)).toBe(true);
  });

  it('leaves shards whose bounds are not byte keys as the server gave them', async () => {
    const tokens = [
      { start: '-9223372036854775808', end: '-3074457345618258603' },
      { start: '-3074457345618258603', end: '3074457345618258602' },
    ];
    expect(await balanceRanges(tokens, async () => 64, { target: 8 })).toEqual(tokens);
  });
});

describe('midpointKey', () => {
  it('is strictly between its bounds as unsigned bytes, also for keys of different lengths', () => {
    const pairs: [number[], number[]][] = [
      [[0x68], [0x69]],
      [[0x68, 0xff], [0x69]],
      [[0x01], [0x01, 0x00, 0x01]],
      [
        [0x92, 0x10],
        [0x92, 0x10, 0x00, 0x00, 0x01],
      ],
      [[0x00], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ];
    for (const [low, high] of pairs) {
      const middle = midpointKey(b64(low), b64(high));
      expect(middle).toBeDefined();
      expect(Buffer.compare(Buffer.from(low), bytesOf(middle as string))).toBe(-1);
      expect(Buffer.compare(bytesOf(middle as string), Buffer.from(high))).toBe(-1);
    }
  });

  it('has none between equal or reversed bounds, or where no key fits', () => {
    expect(midpointKey(b64([5]), b64([5]))).toBeUndefined();
    expect(midpointKey(b64([6]), b64([5]))).toBeUndefined();
    expect(midpointKey(b64([5]), b64([5, 0]))).toBeUndefined(); // nothing sorts between k and k·00
  });
});

describe('planRanges', () => {
  const keys = clusteredKeys();
  const scanning = (shards: (size: number) => KeyRange[]) =>
    fakeGraph({
      shards: async (_kind, size) => shards(size),
      scanRawPage: async (_kind, range, _page, limit) => ({
        elements: Array.from({ length: await probeOf(keys).probe(range, limit) }, () => Buffer.from('{}')),
        nextPage: null,
        bytes: 0,
        lastId: null,
        duplicatesDropped: 0,
      }),
    });

  it('starts from the 64 MiB split of a large graph, and cuts it where the data is', async () => {
    const asked: number[] = [];
    const reader = scanning((size) => {
      asked.push(size);
      return evenShards(keys, 40);
    });
    const ranges = await planRanges(reader, 'vertex', 16);
    expect(asked).toEqual([RANGE_SPLIT_BYTES]);
    expect(ranges.length).toBeGreaterThanOrEqual(16);
  });

  it('asks a smaller graph for its finest split first', async () => {
    const asked: number[] = [];
    const reader = scanning((size) => {
      asked.push(size);
      return evenShards(keys, size === RANGE_SPLIT_BYTES ? 2 : 45);
    });
    const ranges = await planRanges(reader, 'edge', 16);
    expect(asked).toEqual([RANGE_SPLIT_BYTES, 1024 * 1024]);
    expect(ranges.length).toBeGreaterThanOrEqual(16);
    expect(ranges[0]?.start).toBe(evenShards(keys, 45)[0]?.start);
  });
});
