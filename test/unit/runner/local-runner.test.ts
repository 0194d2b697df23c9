import { runLocally, taskStateNames } from '../../../cli/local-runner';
import type { AslDefinition } from '../../../functions/workflow/asl';

const loop: AslDefinition = {
  StartAt: 'Step',
  States: {
    Step: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:S',
      Retry: [{ ErrorEquals: ['Busy'], MaxAttempts: 2, IntervalSeconds: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  },
};

describe('runLocally', () => {
  it('retries a handler error named in Retry', async () => {
    let calls = 0;
    const outcome = await runLocally(
      loop,
      {},
      {
        retryIntervalMs: 0,
        handlers: {
          Step: async () => {
            if (++calls < 2) throw Object.assign(new Error('busy'), { name: 'Busy' });
            return { ok: true };
          },
        },
      },
    );
    expect(calls).toBe(2);
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { ok: true } });
  });

  it('reports a failure with the error name and message of the handler', async () => {
    const outcome = await runLocally(
      loop,
      {},
      {
        handlers: { Step: async () => Promise.reject(Object.assign(new Error('graph is not empty'), { name: 'TargetNotEmpty' })) },
      },
    );
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'TargetNotEmpty', cause: 'graph is not empty' });
  });

  it('refuses to run a definition with a task state that has no handler', async () => {
    await expect(runLocally(loop, {}, { handlers: {} })).rejects.toThrow('Step');
  });

  it('stops on abort, waiting for the handler in flight, and runs no Catch', async () => {
    const controller = new AbortController();
    let finished = false;
    const outcome = await runLocally(
      loop,
      {},
      {
        signal: controller.signal,
        handlers: {
          Step: async () => {
            controller.abort();
            await new Promise((r) => setTimeout(r, 50));
            finished = true;
            return {};
          },
        },
      },
    );
    expect(outcome.status).toBe('ABORTED');
    expect(finished).toBe(true);
  });

  it('finds task states inside Map and Parallel states', () => {
    const nested = {
      States: {
        P: { Type: 'Parallel', Branches: [{ States: { A: { Type: 'Task' } } }] },
        M: { Type: 'Map', ItemProcessor: { States: { B: { Type: 'Task' }, C: { Type: 'Pass' } } } },
      },
    };
    expect(taskStateNames(nested).sort()).toEqual(['A', 'B']);
  });
});
