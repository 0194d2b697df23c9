import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMON_OPTIONS } from '../../../cli/args';
import * as backup from '../../../cli/commands/backup';
import * as list from '../../../cli/commands/list';
import * as migrate from '../../../cli/commands/migrate';
import * as mode from '../../../cli/commands/mode';
import * as restore from '../../../cli/commands/restore';
import * as verify from '../../../cli/commands/verify';

const COMMANDS = { backup, restore, migrate, mode, list, verify };
const README = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

/** The lines of the README's CLI synopsis that belong to `command`: its own line and those indented under it. */
function readmeSynopsis(command: string): string {
  const block = /## The CLI\n\n```\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
  const lines = block.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`hgbr ${command} `));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && !l.startsWith(' '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

const flagsIn = (text: string) => new Set([...text.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] as string));
/** The options a help text defines: its lines that start with one (it may mention other commands' options elsewhere). */
const definedIn = (help: string) =>
  flagsIn(
    help
      .split('\n')
      .filter((l) => /^\s*(usage: hgbr \S+ |\s+)--/.test(l))
      .join('\n'),
  );

describe.each(Object.entries(COMMANDS))('hgbr %s', (name, command) => {
  const own = Object.keys(command.OPTIONS);
  const known = new Set([...own, ...Object.keys(COMMON_OPTIONS)]);

  it('--help and the README list every option it takes', () => {
    expect(own.filter((o) => !flagsIn(command.HELP).has(o))).toEqual([]);
    expect(own.filter((o) => !flagsIn(readmeSynopsis(name)).has(o))).toEqual([]);
  });

  it('--help and the README list no option it does not take', () => {
    expect([...definedIn(command.HELP)].filter((f) => !known.has(f))).toEqual([]);
    expect([...flagsIn(readmeSynopsis(name))].filter((f) => !known.has(f))).toEqual([]);
  });
});
