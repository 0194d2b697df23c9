import { AbortedError } from '../../../functions/abort';
import { CLI_MESSAGES } from '../../../cli/messages';
import { Output } from '../../../cli/output';
import { EXIT_BY_SIGNAL } from '../../../cli/command';
import { receivedSignal, withSignals } from '../../../cli/signals';
import { RecordedMessages } from '../../support/recorded-messages';

/** An Output whose messages are recorded (stdout and stderr go nowhere). */
function recordingOutput(): { output: Output; recorded: RecordedMessages } {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const output = new Output(true, sink, sink);
  const recorded = new RecordedMessages();
  output.notify = (message) => recorded.notify(message);
  return { output, recorded };
}

/** The handler withSignals added for `name` (called directly: emitting a real signal would reach Jest too). */
function addedHandler(name: NodeJS.Signals, before: unknown[]): (signal: NodeJS.Signals) => void {
  const added = process.listeners(name).filter((l) => !before.includes(l));
  expect(added).toHaveLength(1);
  return added[0] as (signal: NodeJS.Signals) => void;
}

describe('withSignals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('stops the run on %s the same way, and the process then exits %i', async (name, code) => {
    expect(EXIT_BY_SIGNAL[name]).toBe(code);
    const { output, recorded } = recordingOutput();
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const error = await withSignals(output, 'cleaning up', async (signal) => {
      addedHandler(name, before[name])(name);
      expect(signal.reason).toEqual(new AbortedError(`stopped by ${name}`));
      throw new Error('the run was aborted');
    }).catch((e: unknown) => e);
    expect(error).toEqual(new Error('the run was aborted'));
    expect(EXIT_BY_SIGNAL[receivedSignal() as string]).toBe(code);
    expect(recorded.dataOf(CLI_MESSAGES.stopping)).toEqual([{ signal: name, what: 'cleaning up' }]);
    expect(process.listeners(name)).toEqual(before[name]);
  });

  it('ends the process at once on a second signal during the clean-up, saying what was left', async () => {
    const { output, recorded } = recordingOutput();
    const exits: number[] = [];
    const before = process.listeners('SIGTERM');
    await withSignals(
      output,
      'cleaning up',
      async () => {
        const handler = addedHandler('SIGTERM', before);
        handler('SIGINT');
        handler('SIGTERM');
      },
      { leftBehind: 'the lock /x/.hgbr-backup.lock', exit: (code) => exits.push(code) },
    );
    expect(exits).toEqual([130]);
    expect(recorded.dataOf(CLI_MESSAGES.stoppedNow)).toEqual([{ signal: 'SIGTERM', leftBehind: 'the lock /x/.hgbr-backup.lock' }]);
  });
});
