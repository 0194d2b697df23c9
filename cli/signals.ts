import { CLI_MESSAGES } from './messages';
import type { Output } from './output';

/**
 * Runs `work` with an AbortSignal that fires on Ctrl-C or SIGTERM, so a workflow stops cleanly
 * (its clean-up runs) instead of dying with the graph in RESTORING mode or a lock held.
 */
export async function withSignals<T>(output: Output, stoppingMessage: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    output.notify(CLI_MESSAGES.stopping.of({ what: stoppingMessage }));
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
