import { errorFromResponse, HugeGraphConnectionError, HugeGraphTaskFailedError, HugeGraphTimeoutError, HugeGraphUsageError } from '../../../functions/hugegraph/errors';
import { backoffDelay, isRetryable, resolveRetryOptions, withRetry } from '../../../functions/hugegraph/retry';

const req = { method: 'GET', path: '/x' };
const http = (status: number, message = 'm'): Error => errorFromResponse(status, req, JSON.stringify({ exception: 'class X', message }));

describe('isRetryable', () => {
  it.each([
    ['503', http(503), false, true],
    ['400 too busy to write', http(400, 'The rest server is too busy to write'), false, true],
    ['500', http(500), false, true],
    ['502', http(502), false, true],
    ['refused (not sent)', new HugeGraphConnectionError('x', req, 'ECONNREFUSED'), false, true],
    ['reset, not idempotent', new HugeGraphConnectionError('x', req, 'ECONNRESET'), false, false],
    ['reset, idempotent', new HugeGraphConnectionError('x', req, 'ECONNRESET'), true, true],
    ['timeout, not idempotent', new HugeGraphTimeoutError('x', req), false, false],
    ['timeout, idempotent', new HugeGraphTimeoutError('x', req), true, true],
    ['other 400', http(400, 'Invalid vertex id'), true, false],
    ['400 has existed', http(400, "The property key 'a' has existed"), true, false],
    ['401', http(401), true, false],
    ['403', http(403), true, false],
    ['404', http(404), true, false],
    ['task failed', new HugeGraphTaskFailedError(1, 'failed', 'x'), true, false],
    ['usage', new HugeGraphUsageError('x'), true, false],
    ['random error', new Error('x'), true, false],
  ])('%s → idempotent=%s retry=%s', (_name, error, idempotent, expected) => {
    expect(isRetryable(error, { idempotent })).toBe(expected);
  });
});

describe('backoffDelay', () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('is full jitter under an exponential cap', () => {
    expect(backoffDelay(0, { ...opts, random: () => 0.999999 })).toBe(99);
    expect(backoffDelay(1, { ...opts, random: () => 0.999999 })).toBe(199);
    expect(backoffDelay(3, { ...opts, random: () => 0.999999 })).toBe(799);
    expect(backoffDelay(2, { ...opts, random: () => 0 })).toBe(0);
    expect(backoffDelay(2, { ...opts, random: () => 0.5 })).toBe(200);
  });

  it('never exceeds maxDelayMs, even after many retries', () => {
    for (let retry = 0; retry < 100; retry++) {
      const d = backoffDelay(retry, { ...opts, random: () => 0.999999 });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(1000);
    }
  });
});

describe('withRetry', () => {
  function recorder(overrides: Parameters<typeof resolveRetryOptions>[0] = {}): { sleeps: number[]; options: ReturnType<typeof resolveRetryOptions> } {
    const sleeps: number[] = [];
    const options = resolveRetryOptions({
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 300,
      random: () => 0.999,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...overrides,
    });
    return { sleeps, options };
  }

  it('retries retryable errors with growing, capped delays, then succeeds', async () => {
    const { sleeps, options } = recorder();
    let calls = 0;
    const result = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 4) throw http(503);
        return 'ok';
      },
      options,
      { idempotent: true },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([99, 199, 299]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { sleeps, options } = recorder();
    let calls = 0;
    const last = http(500, 'last');
    await expect(
      withRetry(
        async () => {
          calls++;
          throw calls === 4 ? last : http(500);
        },
        options,
        { idempotent: true },
      ),
    ).rejects.toBe(last);
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
  });

  it('does not retry a non-retryable error', async () => {
    const { sleeps, options } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw http(400, 'Invalid vertex id');
        },
        options,
        { idempotent: true },
      ),
    ).rejects.toMatchObject({ status: 400 });
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('reports each retry through onRetry', async () => {
    const seen: number[] = [];
    const { options } = recorder({ onRetry: ({ attempt }) => seen.push(attempt) });
    await withRetry(
      async (attempt) => {
        if (attempt === 1) throw http(503);
        return 1;
      },
      options,
      { idempotent: false },
    );
    expect(seen).toEqual([1]);
  });

  it('validates maxAttempts', () => {
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(RangeError);
  });
});
