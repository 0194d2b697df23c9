/**
 * Retry policy for HugeGraph requests: exponential back-off with full jitter
 * (delay = random(0, min(maxDelay, base · 2^retry))).
 *
 * Retried: the client's transient errors (their classes say so, as they do for Step Functions'
 * Retry): 503 and 400 "too busy to write" (the server refused before doing anything), 500 and
 * other 5xx, connections refused or reset, and time-outs; but a reset or time-out after the request
 * may have reached the server only when the call is idempotent. Never retried: other 400s, 401,
 * 403, 404, task failures, usage errors.
 */
import { abortableSleep } from '../abort';
import { HugeGraphConnectionError, HugeGraphError, HugeGraphTimeoutError } from './errors';

export interface RetryOptions {
  /** Total attempts including the first. @default 6 */
  readonly maxAttempts?: number;
  /** Back-off base: the cap of the first retry's delay. @default 200 */
  readonly baseDelayMs?: number;
  /** Upper bound of any single delay. @default 10000 */
  readonly maxDelayMs?: number;
  /** Injectable for tests; rejects when `signal` aborts. @default {@link abortableSleep} */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable for tests; returns [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Called before each wait, e.g. to log. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const maxAttempts = options.maxAttempts ?? 6;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('retry.maxAttempts must be an integer >= 1');
  return {
    maxAttempts,
    baseDelayMs: Math.max(0, options.baseDelayMs ?? 200),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 10_000),
    sleep: options.sleep ?? abortableSleep,
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
  };
}

/** Delay before retry number `retry` (0 for the first retry): full jitter under an exponential cap. */
export function backoffDelay(retry: number, options: Pick<ResolvedRetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(options.random() * cap);
}

/** Connection errors that happen before the request could reach the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export interface RetryContext {
  /** Repeating the call has the same effect as doing it once (GET, PUT mode, batches in RESTORING/MERGING…). */
  readonly idempotent: boolean;
  /** Stops the retries, a wait included: the call then fails with an AbortedError. */
  readonly signal?: AbortSignal;
}

/** Whether `error` is worth another attempt. */
export function isRetryable(error: unknown, context: RetryContext): boolean {
  if (!(error instanceof HugeGraphError) || !error.transient) return false;
  // A request that may have reached the server is sent again only when repeating it is harmless.
  if (error instanceof HugeGraphConnectionError) {
    return context.idempotent || (error.errno !== undefined && NOT_SENT.has(error.errno));
  }
  if (error instanceof HugeGraphTimeoutError) return context.idempotent;
  return true;
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or attempts run out (then the last error). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: ResolvedRetryOptions, context: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.maxAttempts || !isRetryable(error, context)) throw error;
      const delayMs = backoffDelay(attempt - 1, options);
      options.onRetry?.({ attempt, delayMs, error });
      await options.sleep(delayMs, context.signal);
    }
  }
}
