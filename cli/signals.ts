import { AbortedError } from '../functions/abort';
import { CLI_MESSAGES } from './messages';
import type { Output } from './output';

/**
 * Runs `work` with an AbortSignal that fires on Ctrl-C or SIGTERM, so a workflow stops within
 * seconds (its requests and waits are abandoned) and cleanly (its clean-up runs) instead of dying
 * with the graph in RESTORING mode or a lock held.
 */
let received: NodeJS.Signals | undefined;

/** The signal that stopped a run of this process, if one did: the exit status says so (cli/command.ts). */
export function receivedSignal(): NodeJS.Signals | undefined {
  return received;
}

export async function withSignals<T>(output: Output, stoppingMessage: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    received = name;
    output.notify(CLI_MESSAGES.stopping.of({ what: stoppingMessage }));
    controller.abort(new AbortedError(`stopped by ${name}`));
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
