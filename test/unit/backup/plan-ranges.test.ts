import { joinRanges, planRanges, RANGE_SPLIT_BYTES } from '../../../functions/backup/plan';
import type { KeyRange } from '../../../functions/hugegraph';
import { fakeGraph } from '../../support/fakes';

/** `n` consecutive ranges r0 … r<n>, meeting end to start. */
const consecutive = (n: number): KeyRange[] => Array.from({ length: n }, (_, i) => ({ start: `k${i}`, end: `k${i + 1}` }));

describe('joinRanges', () => {
  it('joins consecutive ranges into as many ranges as asked, each a run of about as many, covering the same keys', () => {
    const joined = joinRanges(consecutive(10), 4);
    expect(joined).toEqual([
      { start: 'k0', end: 'k2' },
      { start: 'k2', end: 'k5' },
      { start: 'k5', end: 'k7' },
      { start: 'k7', end: 'k10' },
    ]);
  });

  it('leaves fewer ranges than asked, and ranges that do not meet, as they are', () => {
    expect(joinRanges(consecutive(3), 8)).toEqual(consecutive(3));
    const gapped = [
      { start: 'a', end: 'b' },
      { start: 'c', end: 'd' },
      { start: 'd', end: 'e' },
    ];
    expect(joinRanges(gapped, 2)).toEqual(gapped);
  });
});

describe('planRanges', () => {
  it('takes the 64 MiB split of a large graph as it is', async () => {
    const asked: number[] = [];
    const reader = fakeGraph({
      shards: async (_kind, size) => {
        asked.push(size);
        return consecutive(40);
      },
    });
    expect(await planRanges(reader, 'vertex', 16)).toHaveLength(40);
    expect(asked).toEqual([RANGE_SPLIT_BYTES]);
  });

  it('cuts a smaller graph finer, then joins the pieces so every worker has ranges', async () => {
    const asked: number[] = [];
    const reader = fakeGraph({
      shards: async (_kind, size) => {
        asked.push(size);
        return size === RANGE_SPLIT_BYTES ? consecutive(2) : consecutive(100);
      },
    });
    const ranges = await planRanges(reader, 'edge', 16);
    expect(asked).toEqual([RANGE_SPLIT_BYTES, 1024 * 1024]);
    expect(ranges).toHaveLength(16);
    expect(ranges[0]?.start).toBe('k0');
    expect(ranges.at(-1)?.end).toBe('k100');
  });
});
