import * as fs from 'node:fs';
import { type BackupListing, listBackups } from '../../functions/backup/catalog';
import { openStorage } from '../../functions/storage/open';
import { parseLocation } from '../../functions/storage/storage';
import { type BackupGraph, graphFolder, namedGraphspace } from '../../functions/format';
import { parseCommandArgs, required } from '../args';
import { EXIT_OK, showHelp, type Command } from '../command';
import { usageError } from '../errors';
import { formatBytes } from '../output';
import { listUnfinishedRestores, type UnfinishedRestore } from '../../functions/restore/state';
import { resumeCommand } from './restore';

export const HELP = `usage: hgbr list --from ROOT [--graph G [--graphspace GS]] [--json]

Lists the backups under ROOT (a folder, file:///path or s3://bucket/prefix): complete ones with
their counts, what they hold, and whether the graph was written while they were taken (backups
made with --check-writes); incomplete or running ones. Backups of graphs of a graph space other than DEFAULT (HugeGraph
1.7.0 and later) are below ROOT/_graphspaces/<graphspace>/ and listed as such. Below them, apart, the restores whose records are
under ROOT and that did not finish, each with the command that resumes it.`;

/** What a listing says of writes during the backup: nothing when it was not checked. */
export function writes(writesSeen: boolean | undefined): string {
  if (writesSeen === undefined) return '';
  return writesSeen ? '  WRITTEN DURING BACKUP' : '  no writes seen';
}

/** The command's own options (the common ones are in cli/args.ts). */
export const OPTIONS = { from: { type: 'string' }, graph: { type: 'string' } } as const;

export const listCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('list', argv, OPTIONS);
  if (values.help) return showHelp(output, HELP);
  const from = required('list', values, 'from');
  const location = parseLocation(from);
  if (location.kind === 'local' && !fs.existsSync(location.path)) throw usageError('list', `--from ${from}: there is no folder ${location.path}`);
  const storage = openStorage(from);
  const graph = values.graph as string | undefined;
  const graphspace = values.graphspace as string | undefined;
  if (graphspace !== undefined && graph === undefined) throw usageError('list', '--graphspace needs --graph (without --graph, every graph space is listed)');
  const only = graph === undefined ? undefined : { graph, graphspace };
  const [backups, restores] = await Promise.all([listBackups(storage, only), listUnfinishedRestores(storage)]);
  const human = [backups.length ? backups.map(describeListing).join('\n') : await describeNone(storage, only), ...describeRestores(from, restores)].join('\n');
  output.result({ ok: true, root: storage.root, backups, restores }, human);
  return EXIT_OK;
};

/** Unfinished restores, apart from the backups: a re-run with the same id resumes each. */
function describeRestores(root: string, restores: UnfinishedRestore[]): string[] {
  if (!restores.length) return [];
  return [
    '',
    'unfinished restores (running, failed or stopped; running one again with its id resumes it):',
    ...restores.flatMap((r) => [
      `  ${r.restoreId}  ${r.mode.toLowerCase()} into ${r.target.url} graph ${r.target.graph}, started ${r.startedAt}, ${r.filesDone} file(s) done`,
      `    resume: ${resumeCommand({ source: r.source, target: r.target, mode: r.mode, stateLocation: root, restoreId: r.restoreId })}`,
    ]),
  ];
}

function describeListing(b: BackupListing): string {
  const where = `${graphFolder(b)}/${b.backupId}`;
  return b.state === 'complete'
    ? `${where}  complete    ${String(b.vertices).padStart(10)} vertices ${String(b.edges).padStart(10)} edges  ${formatBytes(b.bytes ?? 0).padStart(10)}  server ${b.serverVersion}  holds ${(b.contents ?? []).join(',')}${writes(b.writesSeen)}`
    : `${where}  ${b.state}`;
}

/** No backups: of that graph (then which graphs have some), or at all. */
async function describeNone(storage: ReturnType<typeof openStorage>, only: BackupGraph | undefined): Promise<string> {
  if (only === undefined) return `no backups under ${storage.root}`;
  const others = [...new Set((await listBackups(storage)).map(graphFolder))];
  const space = namedGraphspace(only.graphspace);
  return `no backups of graph ${only.graph}${space ? ` of graph space ${space}` : ''} under ${storage.root}${others.length ? `; graphs with backups there: ${others.join(', ')}` : ''}`;
}
