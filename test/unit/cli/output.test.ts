import { PassThrough } from 'node:stream';
import { formatBytes, Output } from '../../../cli/output';
import { Tally } from '../../../cli/progress';
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

describe('progress where stderr is not a terminal (cron, CI)', () => {
  it('is a plain line with its time at each milestone, and between them only at the interval', async () => {
    const o = output(false);
    o.output.progress('page 1');
    o.output.progress(() => 'label v_auto done', true);
    o.output.progress('page 2');
    await new Promise((r) => setImmediate(r));
    expect(o.text().err).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z label v_auto done\n$/);
  });

  it('is left out with --json', async () => {
    const o = output(true);
    o.output.progress('label done', true);
    await new Promise((r) => setImmediate(r));
    expect(o.text()).toEqual({ out: '', err: '' });
  });
});

describe('Tally', () => {
  it('says how far against the total, in per cent, or only the count without one', () => {
    const known = new Tally('elements', 200);
    known.add(50);
    expect(known.describe(false)).toMatch(/^50 of 200 elements \(25 %\)(, ETA .+)?$/);
    expect(known.describe()).toMatch(/^50 of 200 elements \(25 %\), [\d,]+ elements\/s(, ETA .+)?$/);
    const unknown = new Tally('elements');
    unknown.add(1234);
    expect(unknown.describe(false)).toBe('1,234 elements');
    const bytes = new Tally('', 4 * 1024 * 1024, formatBytes);
    bytes.add(1024 * 1024);
    expect(bytes.describe(false)).toMatch(/^1\.0 MiB of 4\.0 MiB \(25 %\)(, ETA .+)?$/);
  });
});
