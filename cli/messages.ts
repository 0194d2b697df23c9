/** The CLI's own messages, coded like the workflows' (functions/workflow/messages.ts). */
import { messageType } from '../functions/workflow/messages';

export const CLI_MESSAGES = {
  stopping: messageType<{ what: string }>('HGBR_CLI_I9001', 'Ctrl-C or SIGTERM: the run stops and its clean-up runs.', (d) => `stopping: ${d.what}`),
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
