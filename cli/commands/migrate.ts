import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { credentialsFrom, parseCommandArgs, required } from '../args';
import { EXIT_OK, type Command } from '../command';
import { localRuntime } from '../local-runtime';
import { CLI_MESSAGES } from '../messages';
import { withSignals } from '../signals';
import { runBackupLocally, runRestoreLocally } from '../workflows';
import { restoreProgress } from '../progress';
import { describeRestore, parseMode } from './restore';

const HELP = `usage: hgbr migrate --server URL --graph G --target-server URL --target-graph G2 [options]

Backs the graph up from one server and restores it into another, through the same two workflows
as 'hgbr backup' and 'hgbr restore'.

  --via ROOT          where the backup goes (folder or s3://…); default: a temporary folder, removed after
  --mode M            restoring (default, the target graph must be empty) or merging
  --verify-target     also count every label on the target by reading it back (see hgbr restore)
  --target-user U --target-password P   credentials of the target (default: the same as the source)
  --user U --password P, --graphspace GS, --json

The target's mode is put back on every path. Exit status 0 only when the whole graph arrived.`;

export const migrateCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('migrate', argv, {
    server: { type: 'string' },
    graph: { type: 'string' },
    'target-server': { type: 'string' },
    'target-graph': { type: 'string' },
    'target-user': { type: 'string' },
    'target-password': { type: 'string' },
    via: { type: 'string' },
    mode: { type: 'string' },
    'verify-target': { type: 'boolean' },
  });
  if (values.help) {
    output.result({ usage: HELP }, HELP);
    return EXIT_OK;
  }
  const source = { url: required('migrate', values, 'server'), graph: required('migrate', values, 'graph'), graphspace: values.graphspace as string | undefined };
  const target = { url: required('migrate', values, 'target-server'), graph: required('migrate', values, 'target-graph') };
  const mode = parseMode('migrate', values.mode as string | undefined);
  const temporary = values.via ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-migrate-'));
  const via = (values.via as string | undefined) ?? temporary!;
  const sourceCredentials = credentialsFrom(values);
  const targetCredentials = {
    username: (values['target-user'] as string | undefined) ?? sourceCredentials.username,
    password: (values['target-password'] as string | undefined) ?? sourceCredentials.password,
  };
  const sourceRuntime = localRuntime(sourceCredentials);
  const targetRuntime = localRuntime({ ...targetCredentials, notify: restoreProgress(output) });
  let done = false;
  try {
    return await withSignals(output, 'cleaning up and putting the mode of the target back…', async (signal) => {
      const backup = await runBackupLocally(sourceRuntime, { server: source, location: via }, signal);
      output.notify(CLI_MESSAGES.migrateBackedUp.of({ graph: source.graph, backupId: backup.backupId, targetUrl: target.url, targetGraph: target.graph }));
      // Named after the backup, so a failed restore can be resumed from the kept backup.
      const restoreId = `migrate-${backup.backupId}`;
      try {
        const restore = await runRestoreLocally(targetRuntime, { source: backup.location, target, mode, stateLocation: via, restoreId, verifyTarget: values['verify-target'] === true }, signal);
        done = true;
        output.result({ ok: true, backup, restore }, `${describeRestore(restore)}\n  via backup ${backup.location}`);
        return EXIT_OK;
      } catch (error) {
        const resume = `hgbr restore --from ${backup.location} --server ${target.url} --graph ${target.graph} --mode ${mode.toLowerCase()} --state ${via} --restore-id ${restoreId}${values['verify-target'] ? ' --verify-target' : ''}`;
        output.notify(CLI_MESSAGES.migrateBackupKept.of({ location: backup.location, resume }));
        throw error;
      }
    });
  } finally {
    await Promise.all([sourceRuntime.close(), targetRuntime.close()]);
    // A temporary folder goes only once the graph has arrived: until then it is the way to resume.
    if (temporary && done) fs.rmSync(temporary, { recursive: true, force: true });
  }
};
