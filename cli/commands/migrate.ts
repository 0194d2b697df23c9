import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateTarget, readTargetSchema } from '../../functions/restore/plan';
import { AUTH_CONFLICT_STRATEGIES, RESTORE_TYPES, type RestoreMode } from '../../functions/restore/types';
import { DEFAULT_BACKUP_TYPES } from '../../functions/backup/types';
import type { GraphRef } from '../../functions/workflow/graph-ref';
import { connectChecked } from '../../functions/workflow/preflight';
import { credentialsFrom, optionalChoice, optionalTypes, parseCommandArgs, required, serverUrl } from '../args';
import { EXIT_OK, showHelp, type Command } from '../command';
import { type LocalRuntime, localRuntime } from '../local-runtime';
import { CLI_MESSAGES } from '../messages';
import { withSignals } from '../signals';
import { runBackupLocally, runRestoreLocally } from '../workflows';
import { backupProgress, restoreProgress } from '../progress';
import { backupLeftBehind } from './backup';
import { describeRestore, parseMode, restoreLeftBehind, runResumably } from './restore';

export const HELP = `usage: hgbr migrate --server URL --graph G --target-server URL [--target-graph G2] [options]

Backs the graph up from one server and restores it into another, through the same two workflows
as 'hgbr backup' and 'hgbr restore'. Before backing anything up it checks both servers, both
graphs and the credentials, and that the target can take the graph (empty for restoring; no
conflicting schema for merging).

  --target-graph G2   graph on the target (default: the same name as --graph)
  --via ROOT          where the backup goes (folder or s3://…); default: a temporary folder, removed after
  --mode M            restoring (default, the target graph must be empty) or merging
  --verify-target     also count every label on the target by reading it back (see hgbr restore)
  --types T,…         what to move: schema, vertices, edges, variables (all four: all, the
                      default), auth (the server's users, groups, targets, belongs, accesses)
  --auth-conflict S   auth objects the target server already has: stop (default), skip, overwrite
  --target-user U --target-password P   credentials of the target (default: the same as the source)
  --user U --password P, --graphspace GS, --json

The target's mode is put back on every path. Exit status 0 only when the whole graph arrived.`;

/** The command's own options (the common ones are in cli/args.ts). */
export const OPTIONS = {
  server: { type: 'string' },
  graph: { type: 'string' },
  'target-server': { type: 'string' },
  'target-graph': { type: 'string' },
  'target-user': { type: 'string' },
  'target-password': { type: 'string' },
  via: { type: 'string' },
  mode: { type: 'string' },
  'verify-target': { type: 'boolean' },
  types: { type: 'string', short: 't' },
  'auth-conflict': { type: 'string' },
} as const;

export const migrateCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('migrate', argv, OPTIONS);
  if (values.help) return showHelp(output, HELP);
  const source = { url: serverUrl('migrate', values, 'server'), graph: required('migrate', values, 'graph'), graphspace: values.graphspace as string | undefined };
  const target = { url: serverUrl('migrate', values, 'target-server'), graph: (values['target-graph'] as string | undefined) || source.graph };
  const mode = parseMode('migrate', values.mode as string | undefined);
  // The graph's config is never restored, so it has nothing to move.
  const types = optionalTypes('migrate', values, RESTORE_TYPES, DEFAULT_BACKUP_TYPES);
  const authConflict = optionalChoice('migrate', values, 'auth-conflict', AUTH_CONFLICT_STRATEGIES);
  const sourceCredentials = credentialsFrom(values);
  const targetCredentials = {
    username: (values['target-user'] as string | undefined) ?? sourceCredentials.username,
    password: (values['target-password'] as string | undefined) ?? sourceCredentials.password,
  };
  const sourceRuntime = localRuntime({ ...sourceCredentials, notify: backupProgress(output) });
  const targetRuntime = localRuntime({ ...targetCredentials, notify: restoreProgress(output) });
  let temporary: string | undefined;
  let done = false;
  try {
    await checkBothEnds(sourceRuntime, targetRuntime, source, target, mode);
    temporary = values.via ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-migrate-'));
    const via = (values.via as string | undefined) ?? (temporary as string);
    const leftBehind = `${backupLeftBehind({ server: source, location: via })}; for the target, ${restoreLeftBehind(targetRuntime, { source: via, target, mode, stateLocation: via })}`;
    return await withSignals(
      output,
      'cleaning up and putting the mode of the target back…',
      async (signal) => {
        const backup = await runBackupLocally(sourceRuntime, { server: source, location: via, ...(types ? { types } : {}) }, signal);
        output.notify(CLI_MESSAGES.migrateBackedUp.of({ graph: source.graph, backupId: backup.backupId, targetUrl: target.url, targetGraph: target.graph }));
        // Named after the backup, so a failed restore can be resumed from the kept backup.
        const request = {
          source: backup.location,
          target,
          mode,
          stateLocation: via,
          restoreId: `migrate-${backup.backupId}`,
          verifyTarget: values['verify-target'] === true,
          ...(authConflict ? { authConflict } : {}),
        };
        try {
          const restore = await runResumably(output, targetRuntime, request, (named) => runRestoreLocally(targetRuntime, named, signal));
          done = true;
          const kept = temporary ? { ...backup, removed: true } : backup;
          output.result({ ok: true, backup: kept, restore }, `${describeRestore(restore)}\n  ${temporary ? 'via a temporary backup, now removed' : `via backup ${backup.location}`}`);
          return EXIT_OK;
        } catch (error) {
          output.notify(CLI_MESSAGES.migrateBackupKept.of({ location: backup.location }));
          throw error;
        }
      },
      { leftBehind },
    );
  } finally {
    await Promise.all([sourceRuntime.close(), targetRuntime.close()]);
    // A temporary folder goes once the graph has arrived: until then it is the way to resume.
    if (temporary && done) fs.rmSync(temporary, { recursive: true, force: true });
  }
};

/**
 * Before anything is backed up: both servers answer, both graphs exist, the credentials are
 * accepted, and the target can take the graph (empty for RESTORING; for MERGING no schema element
 * of the source's that the target defines differently). A migration that cannot end is refused
 * at once, not after the backup.
 */
async function checkBothEnds(sourceRuntime: LocalRuntime, targetRuntime: LocalRuntime, source: GraphRef, target: GraphRef, mode: RestoreMode): Promise<void> {
  const [from, to] = await Promise.all([connectChecked(sourceRuntime, source), connectChecked(targetRuntime, target)]);
  const [sourceSchema, targetSchema] = await Promise.all([readTargetSchema(from.session), readTargetSchema(to.session)]);
  evaluateTarget({ mode, target }, sourceSchema, targetSchema, to.session.serverVersion, false, []);
}
