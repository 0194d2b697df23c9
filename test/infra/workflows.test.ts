import { workflowDefinitions } from '../../cli/workflows';
import { synthesizeWorkflows, type AslDefinition, type SynthesizedWorkflows } from '../../infra/workflows/synth';
import { TRANSIENT_SERVICE_ERRORS, TRANSIENT_TASK_ERRORS } from '../../functions/workflow/errors';
import { BACKUP_TASKS, RESTORE_TASKS } from '../../functions/workflow/task-names';

let synthesized: SynthesizedWorkflows;

beforeAll(() => {
  synthesized = synthesizeWorkflows();
});

/** Every state of a definition, nested ones included, by name. */
function allStates(definition: { States: Record<string, any> }): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    out[name] = state;
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) if (inner) Object.assign(out, allStates(inner));
  }
  return out;
}

function tasksOf(definition: AslDefinition): [string, any][] {
  return Object.entries(allStates(definition)).filter(([, s]) => s.Type === 'Task');
}

describe('the definitions the local runner executes', () => {
  it('are exactly what CDK synthesizes for deployment', async () => {
    expect(await workflowDefinitions()).toEqual(synthesized);
  });
});

describe.each(['backup', 'restore'] as const)('the %s state machine', (name) => {
  it('retries transient errors on every task, with full jitter', () => {
    for (const [task, state] of tasksOf(synthesized[name])) {
      const retry = state.Retry.find((r: any) => r.ErrorEquals.includes('HugeGraphBusyError'));
      expect({ task, errors: retry?.ErrorEquals }).toEqual({ task, errors: [...TRANSIENT_TASK_ERRORS, ...TRANSIENT_SERVICE_ERRORS] });
      expect(retry.JitterStrategy).toBe('FULL');
    }
  });

  it('carries no null in any parameter (CDK drops them silently, so a JSONPath would break)', () => {
    const nulls: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (value === null && !/\.(ResultPath|InputPath|OutputPath)$/.test(path)) nulls.push(path);
      if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(synthesized[name], '$');
    expect(nulls).toEqual([]);
  });
});

describe('the backup state machine', () => {
  const states = () => allStates(synthesized.backup);

  it('runs plan, then vertex labels, then edge labels, then finalize', () => {
    const s = states();
    expect(s.Plan.Next).toBe('Body');
    expect(s.Body.Branches[0].StartAt).toBe('ExportVertices');
    expect(s.ExportVertices.Next).toBe('ExportEdges');
    expect(s.ExportEdges.Next).toBe(BACKUP_TASKS.finalize);
  });

  it('exports labels in parallel with a bound, looping chunks until the cursor is done', () => {
    const s = states();
    for (const map of ['ExportVertices', 'ExportEdges']) {
      expect(s[map].MaxConcurrency).toBeGreaterThan(1);
      expect(s[map].ItemSelector.cursor).toEqual({ page: '', lastId: '', fileSeq: 1, elements: 0, done: false });
      expect(s[map].ResultPath).toBeNull(); // no per-label results pile up in state
    }
    expect(s.ExportVerticesMorePages.Choices[0]).toEqual({ Variable: '$.cursor.done', BooleanEquals: true, Next: 'ExportVerticesLabelDone' });
    expect(s.ExportVerticesMorePages.Default).toBe(BACKUP_TASKS.exportVertexChunk);
  });

  it('sends every failure of the body through Abort before failing', () => {
    const s = states();
    expect(s.Body.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: BACKUP_TASKS.abort }]);
    expect(s[BACKUP_TASKS.abort].Next).toBe('BackupFailed');
    expect(s.BackupFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });
});

describe('the restore state machine', () => {
  const states = () => allStates(synthesized.restore);

  it('restores vertex files, then edge files, through Distributed Maps reading work lists from S3', () => {
    const s = states();
    expect(s[RESTORE_TASKS.prepare].Next).toBe('RestoreVertices');
    expect(s.RestoreVertices.Next).toBe('RestoreEdges');
    expect(s.RestoreEdges.Next).toBe(RESTORE_TASKS.verify);
    for (const map of ['RestoreVertices', 'RestoreEdges']) {
      expect(s[map].ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
      expect(s[map].ItemReader).toMatchObject({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' } });
      expect(s[map].ItemBatcher.BatchInput).toEqual({ 'job.$': '$.plan.job' });
      expect(s[map].MaxConcurrency).toBeGreaterThan(0);
      expect(s[map].ToleratedFailurePercentage ?? 0).toBe(0); // no file may fail silently
      expect(s[map].ResultWriter.Resource).toBe('arn:aws:states:::s3:putObject');
      expect(s[map].ResultPath).toBeNull();
    }
  });

  it('resets the mode on every failure of the body, and on success in Finish', () => {
    const s = states();
    expect(s.Body.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: RESTORE_TASKS.reset }]);
    expect(s[RESTORE_TASKS.reset].Next).toBe('RestoreFailed');
    expect(s[RESTORE_TASKS.verify].Next).toBe(RESTORE_TASKS.finish);
    expect(s[RESTORE_TASKS.finish].End).toBe(true);
  });
});
