import { mapWithConcurrency } from '../../../functions/concurrency';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('returns results in the order of the items, never running more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  it('throws the first failure only after the started tasks settled, and starts no new ones', async () => {
    const started: number[] = [];
    let settled = 0;
    const error = await mapWithConcurrency([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('task 1 failed');
      await tick();
      settled++;
      return n;
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('task 1 failed');
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(1);
  });

  it('handles no items and refuses a limit below one', async () => {
    await expect(mapWithConcurrency([], 3, async () => 1)).resolves.toEqual([]);
    await expect(mapWithConcurrency([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
