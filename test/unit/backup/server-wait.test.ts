import { BACKUP_STEPS } from '../../../functions/backup/handlers';
import { serverWaitProblems } from '../../../functions/backup/types';
import { HugeGraphConnectionError } from '../../../functions/hugegraph/errors';
import { type Message, MESSAGES } from '../../../functions/workflow/messages';
import { fakeRuntime } from '../../support/fakes';

const request = { server: { url: 'http://127.0.0.1:9', graph: 'hugegraph' }, location: '/tmp/hgbr-never-written' };

/** Runs Plan on a server that refuses the connection; what it reported, and what it threw. */
async function planOnDeadServer(input: Record<string, unknown>): Promise<{ messages: Message[]; error: Error }> {
  const messages: Message[] = [];
  const runtime = fakeRuntime({
    connect: async () => Promise.reject(new HugeGraphConnectionError('connect ECONNREFUSED 127.0.0.1:9', undefined, 'ECONNREFUSED')),
    notify: (m) => messages.push(m),
  });
  const error = await BACKUP_STEPS.plan(runtime, { executionId: 'arn:hgbr:local:execution:x', ...input } as never).then(
    () => new Error('Plan succeeded'),
    (e: Error) => e,
  );
  return { messages, error };
}

describe("Plan's wait for the server", () => {
  it('says it will try again, and when, while the request has attempts left; the error goes up unchanged', async () => {
    const { messages, error } = await planOnDeadServer({ request: { ...request, waitForServer: { attempts: 3, delaySeconds: 600 } }, serverWaits: { count: 1 } });
    expect(error.name).toBe('ServerUnreachableError');
    expect(messages.filter((m) => MESSAGES.backupServerWait.is(m)).map((m) => [m.message, m.data])).toEqual([
      [
        'cannot reach the HugeGraph server at http://127.0.0.1:9: ECONNREFUSED: trying again in 600 s (wait 2 of 3)',
        { url: 'http://127.0.0.1:9', error: error.message, delaySeconds: 600, attempt: 2, attempts: 3 },
      ],
    ]);
  });

  it('says nothing of a wait once the attempts are spent, or when none was asked', async () => {
    for (const input of [{ request: { ...request, waitForServer: { attempts: 3, delaySeconds: 600 } }, serverWaits: { count: 3 } }, { request }]) {
      const { messages, error } = await planOnDeadServer(input);
      expect(error.name).toBe('ServerUnreachableError');
      expect(messages.filter((m) => MESSAGES.backupServerWait.is(m))).toEqual([]);
    }
  });

  it('refuses a wait out of bounds before connecting, each problem named', async () => {
    const { error } = await planOnDeadServer({ request: { ...request, waitForServer: { attempts: -1, delaySeconds: 7200, every: 1 } } });
    expect(error.name).toBe('InvalidBackupRequestError');
    expect(serverWaitProblems({ attempts: -1, delaySeconds: 7200, every: 1 }, 'waitForServer')).toEqual([
      'waitForServer has an unknown key "every"',
      'waitForServer: attempts must be a whole number from 0 to 100',
      'waitForServer: delaySeconds must be a whole number from 1 to 3600',
    ]);
    for (const problem of serverWaitProblems({ attempts: -1, delaySeconds: 7200, every: 1 }, 'waitForServer')) expect(error.message).toContain(problem);
    expect(serverWaitProblems('3x600', 'waitForServer')).toEqual(['waitForServer must be an object {attempts, delaySeconds}']);
    expect(serverWaitProblems({ attempts: 0, delaySeconds: 1 }, 'waitForServer')).toEqual([]);
  });
});
