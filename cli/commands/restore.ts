import { AUTH_CONFLICT_STRATEGIES, RESTORE_TYPES, type RestoreMode, type RestorePlanSummary, type RestoreRequest, type RestoreSummary } from '../../functions/restore/types';
import { planRestoreDryRun } from '../../functions/restore/plan';
import { credentialsFrom, optionalChoice, optionalInt, optionalTypes, parseCommandArgs, required, serverUrl } from '../args';
import { usageError } from '../errors';
import { EXIT_BACKUP_DAMAGED, EXIT_OK, EXIT_TARGET_CONFLICT, EXIT_USAGE, exitCodeOf, showHelp, type Command } from '../command';
import { newBackupId } from '../../functions/format';
import { CLI_MESSAGES } from '../messages';
import { type LocalRuntime, localRuntime } from '../local-runtime';
import { isUnfinished } from '../../functions/restore/state';
import { modeSetCommand } from '../../functions/restore/errors';
import { restoreLockKey } from '../../functions/restore/layout';
import { resolveSource } from '../../functions/restore/source';
import { openStorage } from '../../functions/storage/open';
import { restoreProgress } from '../progress';
import { formatDuration, type Output } from '../output';
import { runRemoteWorkflow } from '../remote';
import { runRestoreLocally } from '../workflows';
import { withSignals } from '../signals';

export const HELP = `usage: hgbr restore --server URL --graph G --from BACKUP [options]

  --from BACKUP       ROOT/<graph>/<backupId> (folder, file://, s3://), or a hugegraph-tools backup folder
  --server URL        target HugeGraph server
  --graph G           target graph
  --mode M            restoring (default): into an empty graph, every id kept
                      merging: into a graph with data; identical schema is reused, ids recomputed
  --types T,…         what to restore: schema, vertices, edges, variables, auth (default: all
                      the backup holds but config, which is never restored); the schema is
                      always restored. Merging refuses variables
                      the target has with other values.
  --auth-conflict S   auth objects (users, groups, targets, belongs, accesses) the target server
                      already has: stop (default: refuse the restore, naming them all, before
                      anything is written), skip (keep the target's), overwrite (give them the
                      backup's fields). Restored users get a random password nobody knows: an
                      administrator sets a new one (the backup holds no password) Asking for what the backup does not hold
                      (edges from a schema-only backup) is refused.
  --dry-run           print the plan (schema to create, schema reused, counts) and stop; writes nothing
  --state ROOT        where progress records go (default: the backup's root)
  --restore-id ID     names the run; running again with the same id resumes it, skipping finished files
  --concurrency N     batches in flight per file (default 3; 4 files are restored at once)
  --verify-target     after the writes, also count every label on the target by reading the graph
                      back (takes about as long as a backup); without it the counts checked are
                      what the server acknowledged for each batch
  --skip-preflight-read
                      do not read every file once before the first write (SHA-256, line shape,
                      counts, as hgbr verify does); for a backup verified already. Without the
                      read, a damaged file is still refused before any of its own elements is
                      written, but after the files before it
  --remote ARN        start the deployed restore state machine instead of running here, and wait
                      for it (execution name = --restore-id); --from and --state must be s3://
  --graphspace GS, --user U, --password P, --json

One restore per target graph at a time: its lock is kept in HGBR_LOCKS (a folder or s3://…;
default ~/.local/state/hgbr), whatever the backup's root; give every machine that restores into
the same graphs the same HGBR_LOCKS, such as the deployed stack's StateRoot, to share them.
The target's mode is put back as it was, whether the restore succeeds, fails or is interrupted.
Exit status 0 only when every element is restored and the counts match.`;

/** The command's own options (the common ones are in cli/args.ts). */
export const OPTIONS = {
  server: { type: 'string' },
  graph: { type: 'string' },
  from: { type: 'string' },
  mode: { type: 'string' },
  types: { type: 'string', short: 't' },
  'auth-conflict': { type: 'string' },
  'dry-run': { type: 'boolean' },
  state: { type: 'string' },
  'restore-id': { type: 'string' },
  concurrency: { type: 'string' },
  'verify-target': { type: 'boolean' },
  'skip-preflight-read': { type: 'boolean' },
  remote: { type: 'string' },
} as const;

export const restoreCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('restore', argv, OPTIONS);
  if (values.help) return showHelp(output, HELP);
  const request: RestoreRequest = {
    source: required('restore', values, 'from'),
    target: { url: serverUrl('restore', values, 'server'), graph: required('restore', values, 'graph'), graphspace: values.graphspace as string | undefined },
    mode: parseMode('restore', values.mode as string | undefined),
    types: optionalTypes('restore', values, RESTORE_TYPES, undefined),
    authConflict: optionalChoice('restore', values, 'auth-conflict', AUTH_CONFLICT_STRATEGIES),
    stateLocation: values.state as string | undefined,
    restoreId: values['restore-id'] as string | undefined,
    batchConcurrency: optionalInt('restore', values, 'concurrency'),
    verifyTarget: values['verify-target'] === true,
    ...(values['skip-preflight-read'] === true ? { preflightRead: false } : {}),
  };
  const runtime = localRuntime({ ...credentialsFrom(values), notify: restoreProgress(output) });
  try {
    if (values['dry-run']) {
      if (values.remote !== undefined) throw usageError('restore', '--dry-run runs here; leave out --remote to see the plan');
      const plan = await planRestoreDryRun(runtime, request);
      output.result({ ok: true, dryRun: true, ...plan }, describePlan(plan));
      return EXIT_OK;
    }
    const summary =
      typeof values.remote === 'string'
        ? await runRemoteWorkflow<RestoreSummary>('restore', values, output, {
            input: request,
            name: request.restoreId,
            locations: { from: request.source, state: request.stateLocation },
          })
        : await runResumably(output, runtime, { ...request, restoreId: request.restoreId ?? newBackupId() }, (named) =>
            withSignals(output, 'putting the mode of the target back…', (signal) => runRestoreLocally(runtime, named, signal), { leftBehind: restoreLeftBehind(runtime, named) }),
          );
    output.result({ ok: true, ...summary }, describeRestore(summary));
    return EXIT_OK;
  } finally {
    await runtime.close();
  }
};

/**
 * Runs a restore here under a known restore id, so that when it fails or is stopped in a way a
 * re-run can get past, the user is told the exact command that resumes it (finished files are
 * skipped). Never after a failure the same command would meet again (a usage error, a target that
 * is not empty or conflicts, a damaged backup): the error's hint says what to change instead.
 * (Not with --remote: the execution name is taken, and a re-run would follow the failed execution.)
 */
export async function runResumably<T>(output: Output, runtime: LocalRuntime, request: RestoreRequest & { restoreId: string }, run: (request: RestoreRequest) => Promise<T>): Promise<T> {
  try {
    return await run(request);
  } catch (error) {
    if (await canResume(runtime, request, error)) output.notify(CLI_MESSAGES.restoreResumable.of({ restoreId: request.restoreId, resume: resumeCommand(request) }));
    throw error;
  }
}

/** A restore whose plan ran (else there is nothing to resume), stopped by an error a re-run can get past. */
async function canResume(runtime: LocalRuntime, request: RestoreRequest & { restoreId: string }, error: unknown): Promise<boolean> {
  if ([EXIT_USAGE, EXIT_TARGET_CONFLICT, EXIT_BACKUP_DAMAGED].includes(exitCodeOf(error))) return false;
  return isUnfinished(runtime, request).catch(() => false);
}

/** The command that runs `request` again under its restore id: what resumes it. */
export function resumeCommand(request: RestoreRequest & { restoreId: string }): string {
  const words = ['hgbr', 'restore', '--from', request.source, '--server', request.target.url, '--graph', request.target.graph, '--mode', request.mode.toLowerCase()];
  if (request.target.graphspace) words.push('--graphspace', request.target.graphspace);
  if (request.stateLocation) words.push('--state', request.stateLocation);
  words.push('--restore-id', request.restoreId);
  if (request.batchConcurrency) words.push('--concurrency', String(request.batchConcurrency));
  if (request.verifyTarget) words.push('--verify-target');
  return words.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: quoted only when it needs to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What a restore stopped before its clean-up leaves, and how to finish by hand. */
export function restoreLeftBehind(runtime: LocalRuntime, request: RestoreRequest): string {
  const lock = openStorage(runtime.lockRoot ?? request.stateLocation ?? resolveSource(request.source).root).uri(restoreLockKey(request.target));
  return `graph ${request.target.graph} may still be in its restore mode and its lock ${lock} held; the next restore into it takes the lock over (this process being gone) and puts the mode back, or now: ${modeSetCommand(request.target, 'NONE')}`;
}

export function parseMode(command: string, value: string | undefined): RestoreMode {
  if (value === undefined || value.toLowerCase() === 'restoring') return 'RESTORING';
  if (value.toLowerCase() === 'merging') return 'MERGING';
  throw usageError(command, `--mode must be restoring or merging, got '${value}'`);
}

function describePlan(plan: RestorePlanSummary): string {
  const names = (xs: string[]) => (xs.length ? xs.join(', ') : '(none)');
  const lines = [`restore plan (${plan.mode}) of ${plan.contents.join(', ')}, nothing written:`];
  for (const kind of ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'] as const) {
    lines.push(`  ${kind}: create ${names(plan.schemaToCreate[kind])}; reuse ${names(plan.schemaReused[kind])}`);
  }
  lines.push(`  files: ${plan.files.vertices} vertex files, ${plan.files.edges} edge files; ${plan.variables} variable(s); ${plan.authObjects} auth object(s)`);
  if (plan.elements) {
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    lines.push(`  elements: ${sum(plan.elements.vertices).toLocaleString('en')} vertices, ${sum(plan.elements.edges).toLocaleString('en')} edges`);
  }
  for (const warning of plan.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

export function describeRestore(s: RestoreSummary): string {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return [
    `restore ${s.restoreId} (${s.mode}${s.contents ? `: ${s.contents.join(', ')}` : ''}) into ${s.target.url} graph ${s.target.graph} is complete`,
    `  from: ${s.source}`,
    `  vertices: ${sum(s.vertices).toLocaleString('en')}, edges: ${sum(s.edges).toLocaleString('en')}${s.variables !== undefined ? `, variables: ${s.variables}` : ''}, ${formatDuration(s.durationMs)}`,
    ...(s.auth ? [`  auth objects: ${s.auth.objects} (already there: ${s.auth.onConflict}); restored users have random passwords: set new ones`] : []),
    `  counts checked: ${s.countedOnTarget ? 'acknowledged by the server, and counted on the target' : 'acknowledged by the server (--verify-target also counts them on the target)'}`,
    `  graph mode put back to ${s.modeRestoredTo}`,
  ].join('\n');
}
