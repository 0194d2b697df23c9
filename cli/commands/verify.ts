import { verifyBackup, type VerifyReport } from '../../functions/backup/catalog';
import { describeFileProblem } from '../../functions/format';
import { openStorage } from '../../functions/storage/open';
import { parseBackupRef } from '../backup-ref';
import { parseCommandArgs, required } from '../args';
import { EXIT_BACKUP_DAMAGED, EXIT_OK, showHelp, type Command } from '../command';
import { formatBytes } from '../output';
import { verifyProgress } from '../progress';
import { CLI_MESSAGES } from '../messages';

export const HELP = `usage: hgbr verify --from ROOT/<graph>/<backupId> [--json]
       hgbr verify --from ROOT/_graphspaces/<graphspace>/<graph>/<backupId> [--json]

Reads every file of the backup: size and SHA-256 against the manifest, every line parsed, element
counts against the manifest. Exit status 0 only when all of it holds, 4 when it does not.`;

/** The command's own options (the common ones are in cli/args.ts). */
export const OPTIONS = { from: { type: 'string' } } as const;

export const verifyCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('verify', argv, OPTIONS);
  if (values.help) return showHelp(output, HELP);
  const ref = parseBackupRef(required('verify', values, 'from'));
  const report = await verifyBackup(openStorage(ref.root), ref.of, ref.backupId, verifyProgress(output));
  const ok = report.problems.length === 0;
  const human = ok
    ? `backup ${report.backupId} (holds ${report.contents.join(', ')}) is intact: ${report.filesChecked} files, ${formatBytes(report.bytesChecked)}, ${report.elementsChecked.toLocaleString('en')} elements checked`
    : [`backup ${report.backupId} is DAMAGED: ${report.problems.length} problem(s)`, ...report.problems.map((p) => `  ${describeFileProblem(p)}`)].join('\n');
  for (const file of report.unlisted) output.notify(CLI_MESSAGES.unlistedFile.of({ file, location: report.location }));
  const exitCode = ok ? EXIT_OK : EXIT_BACKUP_DAMAGED;
  output.result({ ok, ...report }, [human, ...describeWindow(report.window)].join('\n'), exitCode);
  return exitCode;
};

/** The consistency window: what moved while the backup was taken (the files can be intact all the same). */
function describeWindow(window: VerifyReport['window']): string[] {
  if (!window) return ['  writes during the backup: not checked (back up with --check-writes to count them)'];
  if (!window.writesSeen) return ['  writes during the backup: none seen (every label counted the same before, after, and in the backup)'];
  const moved = (['vertex', 'edge'] as const).flatMap((kind) =>
    Object.entries(window.counts[kind])
      .filter(([, c]) => c.atStart !== c.atEnd)
      .map(([label, c]) => `    ${kind} ${label}: ${c.atStart} before, ${c.atEnd} after`),
  );
  return ['  WRITTEN DURING BACKUP: the graph changed while it was read, so the backup is no single point in time', ...moved];
}
