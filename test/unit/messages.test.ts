import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_MESSAGES } from '../../cli/messages';
import { MESSAGES, messageType } from '../../functions/workflow/messages';

describe('the message registry', () => {
  const all = [...Object.values(MESSAGES), ...Object.values(CLI_MESSAGES)];

  it('gives every message its own code, whose letter is its level', () => {
    expect(new Set(all.map((m) => m.code)).size).toBe(all.length);
    for (const m of all) expect(m.code.charAt(m.code.lastIndexOf('_') + 1)).toBe({ debug: 'D', info: 'I', warn: 'W', error: 'E' }[m.level]);
  });

  it('refuses a code that does not follow HGBR_<AREA>_<level><4 digits>', () => {
    expect(() => messageType('HGBR_BACKUP_X1001', 'x', () => '')).toThrow(RangeError);
    expect(() => messageType('BACKUP_I1001', 'x', () => '')).toThrow(RangeError);
  });
});

describe('docs/architecture.md', () => {
  it('lists every message code', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/architecture.md'), 'utf8');
    const missing = [...Object.values(MESSAGES), ...Object.values(CLI_MESSAGES)].map((m) => m.code).filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
