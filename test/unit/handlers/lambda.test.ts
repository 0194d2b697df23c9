import { lambdaHandlers, logMessages, runKeys } from '../../../functions/handlers/lambda';
import { abortableSleep } from '../../../functions/abort';
import { awsRuntime, DEADLINE_MARGIN_MS } from '../../../functions/handlers/aws-runtime';
import { MESSAGES } from '../../../functions/workflow/messages';
import type { WorkflowRuntime } from '../../../functions/workflow/runtime';

describe('the Lambda rendering of the steps’ messages', () => {
  it('logs each message at its level, with its code and data as keys', () => {
    const entries: unknown[][] = [];
    const log = {
      debug: (...a: unknown[]) => entries.push(['debug', ...a]),
      info: (...a: unknown[]) => entries.push(['info', ...a]),
      warn: (...a: unknown[]) => entries.push(['warn', ...a]),
      error: (...a: unknown[]) => entries.push(['error', ...a]),
    };
    const counted: [string, number][] = [];
    const notify = logMessages(log, { addMetric: ((name: string, _unit: unknown, value: number) => counted.push([name, value])) as never });
    notify(MESSAGES.restoreRecordsLeft.of({ restoreId: 'r1', statePrefix: '_restores/r1/', error: 'AccessDenied' }));
    notify(MESSAGES.pageExported.of({ kind: 'vertex', label: 'person', elements: 5000, bytes: 900_000 }));
    expect(entries).toEqual([
      [
        'warn',
        "the restore's records under _restores/r1/ were not all removed: AccessDenied",
        { code: 'HGBR_RESTORE_W2003', data: { restoreId: 'r1', statePrefix: '_restores/r1/', error: 'AccessDenied' } },
      ],
      ['debug', 'exported 5000 vertices of label person (900000 bytes read)', { code: 'HGBR_BACKUP_D1002', data: { kind: 'vertex', label: 'person', elements: 5000, bytes: 900_000 } }],
    ]);
    expect(counted).toEqual([['ExportedElements', 5000]]);
  });
});

describe('lambdaHandlers', () => {
  it('gives each invocation its remaining time and log keys naming the run', async () => {
    const keys: Record<string, unknown>[] = [];
    const log = { resetKeys: () => keys.splice(0), appendKeys: (k: Record<string, unknown>) => keys.push(k) };
    const seen: number[] = [];
    const steps = { finish: async (runtime: WorkflowRuntime, _input: { job: { restoreId: string; target: { graph: string } } }) => seen.push(runtime.remainingMs()) };
    const handlers = lambdaHandlers(
      steps,
      awsRuntime(() => undefined, {}),
      log,
    );
    await handlers.finish({ job: { restoreId: 'r1', target: { graph: 'g' } } }, { getRemainingTimeInMillis: () => 12_345 });
    expect(seen).toEqual([12_345]);
    expect(keys).toEqual([{ step: 'finish', graph: 'g', restoreId: 'r1' }]);
  });

  it('stops a step shortly before the invocation would time out, with an AbortedError its Catch handles', async () => {
    const steps = { exportChunk: (runtime: WorkflowRuntime, _input: unknown) => abortableSleep(60_000, runtime.signal) };
    const handlers = lambdaHandlers(
      steps,
      awsRuntime(() => undefined, {}),
      { resetKeys: () => undefined, appendKeys: () => undefined },
    );
    const started = Date.now();
    await expect(handlers.exportChunk({}, { getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 50 })).rejects.toMatchObject({
      name: 'AbortedError',
      message: 'the Lambda invocation was about to time out',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("publishes each invocation's metrics under its step, failed or not, and annotates the trace", async () => {
    const calls: unknown[][] = [];
    const counts = {
      addDimension: (...a: unknown[]) => calls.push(['dimension', ...a]),
      publishStoredMetrics: () => calls.push(['publish']),
    };
    const annotations: [string, string][] = [];
    const steps = {
      finalize: async (_runtime: WorkflowRuntime, _input: unknown) => 'done',
      abort: async (_runtime: WorkflowRuntime, _input: unknown) => {
        throw new Error('no');
      },
    };
    const handlers = lambdaHandlers(
      steps,
      awsRuntime(() => undefined, {}),
      { resetKeys: () => undefined, appendKeys: () => undefined },
      counts as never,
      {
        putAnnotation: (k: string, v: string | number | boolean) => annotations.push([k, String(v)]),
      } as never,
    );
    const context = { getRemainingTimeInMillis: () => 60_000 };
    const input = { job: { backupId: 'b1', server: { graph: 'g' }, executionId: 'arn:aws:states:x:1:execution:m:e' } };
    await handlers.finalize(input, context);
    await expect(handlers.abort(input, context)).rejects.toThrow('no');
    expect(calls).toEqual([['dimension', 'step', 'finalize'], ['publish'], ['dimension', 'step', 'abort'], ['publish']]);
    expect(annotations.slice(0, 3)).toEqual([
      ['step', 'finalize'],
      ['graph', 'g'],
      ['backupId', 'b1'],
    ]);
  });

  it('finds the run in every kind of state input', () => {
    expect(runKeys({ request: { server: { url: 'u', graph: 'g' } }, executionId: 'arn:x' })).toEqual({ executionArn: 'arn:x', graph: 'g' });
    expect(runKeys({ job: { backupId: 'b1', server: { graph: 'g' }, executionId: 'arn:y' } })).toEqual({ executionArn: 'arn:y', graph: 'g', backupId: 'b1' });
    expect(runKeys({ job: { backupId: 'b1', server: { graph: 'g' } }, work: {}, cursor: {} })).toEqual({ graph: 'g', backupId: 'b1' });
    expect(runKeys({ BatchInput: { job: { restoreId: 'r1', target: { graph: 't' } } }, Items: [] })).toEqual({ graph: 't', restoreId: 'r1' });
    expect(runKeys(undefined)).toEqual({});
  });
});
