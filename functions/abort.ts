/**
 * Cancellation: one AbortSignal goes from where a run is stopped (Ctrl-C in the CLI, the deadline
 * of a Lambda invocation) through the runtime into every HTTP request, retry wait and storage call,
 * so that a stopped step ends within seconds with an AbortedError.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HgbrError } from './errors';

/** The run was stopped before this step finished; whatever it started has been abandoned. */
export class AbortedError extends HgbrError {
  static override readonly code = 'AbortedError';
  static override readonly hint = 'the run was stopped (Ctrl-C, or its time ran out) before it finished; run it again';
}

/** The AbortedError a signal stands for: the reason it was aborted with, when that is one. */
export function abortedError(signal: AbortSignal): AbortedError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortedError) return reason;
  return new AbortedError(`stopped: ${reason instanceof Error ? reason.message : String(reason ?? 'aborted')}`, { cause: reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}

/** Waits `ms`, or throws an AbortedError as soon as `signal` aborts. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal);
    throw error;
  }
}

/**
 * A signal that aborts after `ms`, with an AbortedError saying `why`. Its timer does not keep the
 * process alive.
 */
export function deadlineSignal(ms: number, why: string): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new AbortedError(why)), Math.max(ms, 0)).unref();
  return controller.signal;
}

/** `signal` together with `other`: aborts when either does. */
export function eitherSignal(signal: AbortSignal, other: AbortSignal | undefined): AbortSignal {
  return other ? AbortSignal.any([signal, other]) : signal;
}

/** Destroys `stream` with an AbortedError once `signal` aborts (unless it has closed by then). */
export function destroyOnAbort<S extends NodeJS.ReadableStream & { destroy(error?: Error): unknown; once(event: 'close', listener: () => void): unknown }>(
  stream: S,
  signal: AbortSignal | undefined,
): S {
  if (!signal) return stream;
  const onAbort = () => stream.destroy(abortedError(signal));
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', onAbort));
  return stream;
}
