import { secretFor } from '../../../functions/workflow/secrets';
import { checkGraphModes, modeMetricData } from '../../../functions/ops/graph-modes';
import { parseEndedExecution, requireFields, UnusableEventError } from '../../../functions/ops/ended-execution';
import { awsRuntime } from '../../../functions/handlers/aws-runtime';
import { ServerNotAllowedError } from '../../../functions/workflow/errors';
import { ignoreMessages } from '../../../functions/workflow/messages';

const a = { url: 'http://hg-a:8080', graph: 'g1' };
const b = { url: 'http://hg-b:8080/', graph: 'g2' };
const c = { url: 'http://hg-c:8080', graph: 'g3' };

describe('the graph-mode check', () => {
  it('flags a graph in a restore mode that no running restore targets, and not one a restore is writing', async () => {
    const modes: Record<string, string> = { g1: 'NONE', g2: 'RESTORING', g3: 'MERGING' };
    const checks = await checkGraphModes({
      graphs: [a, b, c],
      getMode: async (g) => modes[g.graph] as any,
      runningRestoreTargets: async () => [{ url: 'http://hg-b:8080', graph: 'g2' }],
    });
    expect(checks.map((x) => [x.graph.graph, x.mode, x.leftInMode])).toEqual([
      ['g1', 'NONE', false],
      ['g2', 'RESTORING', false],
      ['g3', 'MERGING', true],
    ]);
    const data = modeMetricData(checks, new Date(0));
    expect(data.map((d) => [d.Dimensions?.[0]?.Value ?? '(all)', d.Value])).toEqual([
      ['http://hg-a:8080/g1', 0],
      ['http://hg-b:8080/g2', 0],
      ['http://hg-c:8080/g3', 1],
      ['(all)', 1],
    ]);
  });

  it('reports a graph it cannot read, publishes no datum for it, and asks Step Functions nothing when all are NONE', async () => {
    let asked = false;
    const checks = await checkGraphModes({
      graphs: [a, c],
      getMode: async (g) => {
        if (g === c) throw Object.assign(new Error('connection refused'), { name: 'HugeGraphConnectionError' });
        return 'NONE';
      },
      runningRestoreTargets: async () => {
        asked = true;
        return [];
      },
    });
    expect(asked).toBe(false);
    expect(checks[1]).toMatchObject({ leftInMode: false, error: 'HugeGraphConnectionError: connection refused' });
    expect(modeMetricData(checks, new Date(0))).toHaveLength(2);
  });
});

describe('the execution-status event', () => {
  const event = (detail: Record<string, unknown>) => ({ 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', detail });

  it('gives the execution and its input', () => {
    const ended = parseEndedExecution(event({ executionArn: 'arn:x', status: 'ABORTED', input: '{"source":"s3://b/p/g/i","target":{"url":"http://h","graph":"g"}}' }));
    expect(ended).toEqual({ executionArn: 'arn:x', status: 'ABORTED', input: { source: 's3://b/p/g/i', target: { url: 'http://h', graph: 'g' } } });
    expect(requireFields(ended.input, ['source', 'target.url', 'target.graph'], 'restore request')).toBe(ended.input);
  });

  it('refuses events it cannot act on', () => {
    expect(() => parseEndedExecution(event({ executionArn: 'arn:x', status: 'FAILED', input: null }))).toThrow(UnusableEventError);
    expect(() => parseEndedExecution({ 'detail-type': 'Other', detail: {} })).toThrow(UnusableEventError);
    expect(() => requireFields({ target: {} }, ['source', 'target.url'], 'restore request')).toThrow(/missing source, target.url/);
  });
});

describe('the AWS runtime', () => {
  it('sends credentials to the configured HugeGraph servers only', async () => {
    const runtime = awsRuntime(ignoreMessages, { HUGEGRAPH_SECRETS: JSON.stringify([{ url: 'http://hg-a:8080', secretArn: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:hg-a-AbCdEf' }]) });
    await expect(runtime.connect({ url: 'http://evil:8080', graph: 'g' })).rejects.toBeInstanceOf(ServerNotAllowedError);
  });

  it("finds a graph's own secret before its server's", () => {
    const endpoints = [
      { url: 'http://hg-a:8080/', secretArn: 'server' },
      { url: 'http://HG-A:8080', graph: 'g2', secretArn: 'graph' },
    ];
    expect(secretFor(endpoints, { url: 'http://hg-a:8080', graph: 'g1' })?.secretArn).toBe('server');
    expect(secretFor(endpoints, { url: 'http://hg-a:8080', graph: 'g2' })?.secretArn).toBe('graph');
    expect(secretFor(endpoints, { url: 'http://hg-b:8080', graph: 'g1' })).toBeUndefined();
  });
});
