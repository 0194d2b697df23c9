import { PassThrough } from 'node:stream';
import { Output } from '../../../cli/output';
import { MESSAGES } from '../../../functions/workflow/messages';

function output(json: boolean) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  return { output: new Output(json, stdout, stderr), text: () => ({ out, err }) };
}

const warning = MESSAGES.restoreWarning.of({ restoreId: 'r1', warning: 'graph g was in mode MERGING: set back to NONE' });
const planned = MESSAGES.backupPlanned.of({ backupId: 'b1', graph: 'g', vertexLabels: 2, edgeLabels: 1, readPath: 'scan', workItems: 8 });
const page = MESSAGES.pageExported.of({ kind: 'vertex', label: 'person', elements: 10, bytes: 100 });
const completed = MESSAGES.backupCompleted.of({ backupId: 'b1', location: '/b/g/b1/', files: 6, bytes: 1000, deletedBackups: [] });

describe('Output.notify', () => {
  it('shows information and warnings to a person, never progress or completions (the result says those)', async () => {
    const o = output(false);
    for (const m of [planned, page, warning, completed]) o.output.notify(m);
    await new Promise((r) => setImmediate(r));
    expect(o.text()).toEqual({ out: '', err: 'backup b1: 2 vertex labels, 1 edge labels, read as 8 key ranges\nhgbr: warning: graph g was in mode MERGING: set back to NONE\n' });
  });

  it('with --json writes warnings as one JSON object per line on stderr and keeps stdout for the result', async () => {
    const o = output(true);
    for (const m of [planned, page, warning, completed]) o.output.notify(m);
    await new Promise((r) => setImmediate(r));
    expect(o.text().out).toBe('');
    expect(
      o
        .text()
        .err.trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([{ level: 'warn', code: 'HGBR_RESTORE_W2001', message: warning.message, data: warning.data }]);
  });
});
