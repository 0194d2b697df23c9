/** The CLI's own messages, coded like the workflows' (functions/workflow/messages.ts). */
import { messageType } from '../functions/workflow/messages';

export const CLI_MESSAGES = {
  stopping: messageType<{ signal?: string; what: string }>('HGBR_CLI_I9001', 'Ctrl-C or SIGTERM: the run stops and its clean-up runs.', (d) => `${d.signal ? `${d.signal}: ` : ''}stopping: ${d.what}`),
  unlistedFile: messageType<{ file: string; location: string }>(
    'HGBR_CLI_W9007',
    'hgbr verify found a file named like a backup file that the manifest does not list: not part of the backup, but hugegraph-tools would load it.',
    (d) => `${d.location}${d.file} is not in the manifest: not part of the backup (hgbr ignores it), but hugegraph-tools would load it; remove it`,
  ),
  stoppedNow: messageType<{ signal: string; leftBehind: string }>(
    'HGBR_CLI_W9008',
    'A second Ctrl-C or SIGTERM during the clean-up: the process ends at once; the message says what was left behind.',
    (d) => `${d.signal} again: stopping now, before the clean-up finished; left behind: ${d.leftBehind}`,
  ),
  executionStarted: messageType<{ executionArn: string }>('HGBR_CLI_I9002', '--remote started an execution.', (d) => `started ${d.executionArn}`),
  executionFollowed: messageType<{ name: string; executionArn: string }>(
    'HGBR_CLI_W9003',
    '--remote found the execution name taken and follows that execution instead of starting another.',
    (d) => `${d.name} names an execution started before (${d.executionArn}); following it instead of starting another`,
  ),
  migrateBackedUp: messageType<{ graph: string; backupId: string; targetUrl: string; targetGraph: string }>(
    'HGBR_CLI_I9004',
    'hgbr migrate finished its backup and starts the restore.',
    (d) => `backed up ${d.graph} as ${d.backupId}; restoring into ${d.targetUrl} graph ${d.targetGraph}`,
  ),
  migrateBackupKept: messageType<{ location: string }>(
    'HGBR_CLI_W9005',
    "hgbr migrate's restore failed: the backup stays where it is, to restore from (HGBR_CLI_W9006 says how, when a re-run can succeed).",
    (d) => `the backup is kept at ${d.location}`,
  ),
  restoreResumable: messageType<{ restoreId: string; resume: string }>(
    'HGBR_CLI_W9006',
    'A restore run here failed or was stopped in a way a re-run can get past: its id, and the exact command that resumes it (finished files are skipped).',
    (d) => `restore ${d.restoreId} did not finish; resume it with: ${d.resume}`,
  ),
} as const;
