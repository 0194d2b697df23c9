import { AbortedError } from '../functions/abort';
import { EXIT_BY_SIGNAL } from './command';
import { CLI_MESSAGES } from './messages';
import type { Output } from './output';

export interface SignalOptions {
  /** What stays behind if a second signal ends the process before the clean-up has finished. */
  readonly leftBehind?: string;
  /** Ends the process at once on a second signal. @default process.exit */
  readonly exit?: (code: number) => void;
}

let received: NodeJS.Signals | undefined;

/** The signal that stopped a run of this process, if one did: the exit status says so (cli/command.ts). */
export function receivedSignal(): NodeJS.Signals | undefined {
  return received;
}

/**
 * Runs `work` with an AbortSignal that fires on Ctrl-C (SIGINT) or SIGTERM, alike, so a workflow
 * stops within seconds (its requests and waits are abandoned) and cleanly (its clean-up runs)
 * instead of dying with the graph in RESTORING mode or a lock held. A second signal during the
 * clean-up ends the process at once and says what was left behind.
 */
export async function withSignals<T>(output: Output, stoppingMessage: string, work: (signal: AbortSignal) => Promise<T>, options: SignalOptions = {}): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted && received) {
      output.notify(CLI_MESSAGES.stoppedNow.of({ signal: name, leftBehind: options.leftBehind ?? 'whatever the clean-up had not removed yet' }));
      (options.exit ?? process.exit)(EXIT_BY_SIGNAL[received] ?? 1);
      return;
    }
    received = name;
    output.notify(CLI_MESSAGES.stopping.of({ signal: name, what: stoppingMessage }));
    controller.abort(new AbortedError(`stopped by ${name}`));
  };
  // `on`, not `once`: a second signal must reach this handler, not Node's default, which would
  // end the process in the middle of the clean-up without a word.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
