import { listBackups } from '../../functions/backup/catalog';
import { openStorage } from '../../functions/storage/open';
import { parseCommandArgs, required } from '../args';
import { EXIT_OK, type Command } from '../command';
import { formatBytes } from '../output';

const HELP = `usage: hgbr list --from ROOT [--graph G] [--json]

Lists the backups under ROOT (a folder, file:///path or s3://bucket/prefix): complete ones with
their counts, what they hold, and whether the graph was written while they were taken (backups
made with --check-writes); incomplete or running ones.`;

/** What a listing says of writes during the backup: nothing when it was not checked. */
export function writes(writesSeen: boolean | undefined): string {
  if (writesSeen === undefined) return '';
  return writesSeen ? '  WRITTEN DURING BACKUP' : '  no writes seen';
}

export const listCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('list', argv, { from: { type: 'string' }, graph: { type: 'string' } });
  if (values.help) {
    output.result({ usage: HELP }, HELP);
    return EXIT_OK;
  }
  const storage = openStorage(required('list', values, 'from'));
  const backups = await listBackups(storage, values.graph as string | undefined);
  const lines = backups.map((b) =>
    b.state === 'complete'
      ? `${b.graph}/${b.backupId}  complete    ${String(b.vertices).padStart(10)} vertices ${String(b.edges).padStart(10)} edges  ${formatBytes(b.bytes ?? 0).padStart(10)}  server ${b.serverVersion}  holds ${(b.contents ?? []).join(',')}${writes(b.writesSeen)}`
      : `${b.graph}/${b.backupId}  ${b.state}`,
  );
  output.result({ ok: true, root: storage.root, backups }, lines.length ? lines.join('\n') : `no backups under ${storage.root}`);
  return EXIT_OK;
};
