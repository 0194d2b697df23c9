import { HgbrError } from '../functions/errors';
import { UsageError } from './errors';
import { backupCommand } from './commands/backup';
import { listCommand } from './commands/list';
import { migrateCommand } from './commands/migrate';
import { modeCommand } from './commands/mode';
import { restoreCommand } from './commands/restore';
import { verifyCommand } from './commands/verify';
import { Output } from './output';
import { describeExitCodes, EXIT_BY_SIGNAL, EXIT_OK, EXIT_USAGE, exitCodeOf, type Command } from './command';
import { receivedSignal } from './signals';

const COMMANDS: Record<string, { summary: string; run: Command }> = {
  backup: { summary: 'back up a graph to a folder or S3', run: backupCommand },
  restore: { summary: 'restore a backup into a graph (RESTORING or MERGING)', run: restoreCommand },
  migrate: { summary: 'move a graph to another server (backup, then restore)', run: migrateCommand },
  mode: { summary: 'get or set the mode of a graph', run: modeCommand },
  list: { summary: 'list the backups under a root', run: listCommand },
  verify: { summary: 'check every file of a backup against its manifest', run: verifyCommand },
};

const USAGE = `hgbr — backup, restore and migration for Apache HugeGraph

usage: hgbr <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

common options: --json  --user U --password P (or HUGEGRAPH_USERNAME / HUGEGRAPH_PASSWORD)  --graphspace GS
run 'hgbr <command> --help' for a command's options.

${describeExitCodes()}`;

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const output = new Output(rest.includes('--json'));
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    process.exitCode = name ? EXIT_OK : EXIT_USAGE;
    return;
  }
  const command = COMMANDS[name];
  if (!command) {
    const error = new UsageError(`unknown command '${name}'; the commands are ${Object.keys(COMMANDS).join(', ')}`);
    process.exitCode = exitCodeOf(error);
    output.error(error, process.exitCode);
    return;
  }
  try {
    process.exitCode = await command.run(rest, output);
  } catch (error) {
    const signal = receivedSignal();
    process.exitCode = signal ? (EXIT_BY_SIGNAL[signal] ?? exitCodeOf(error)) : exitCodeOf(error);
    output.error(error, process.exitCode);
    if (!HgbrError.isHgbrError(error) && process.env.HGBR_DEBUG) console.error(error);
  }
}
