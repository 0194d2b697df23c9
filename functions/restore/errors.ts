/**
 * Errors a restore raises on purpose. Each class's code (= its `name`) is part of the restore state
 * machine's contract: its Catch matches them, and `hgbr restore --json` reports them.
 */
import { HgbrError } from '../errors';
import type { GraphRef } from '../workflow/graph-ref';

export class InvalidRestoreRequestError extends HgbrError {
  static override readonly code = 'InvalidRestoreRequestError';
  static override readonly hint = 'correct the restore request (see hgbr restore --help)';

  constructor(readonly problems: readonly string[]) {
    super(`invalid restore request: ${problems.join('; ')}`);
  }
}

/** The source holds neither a manifest nor files a hugegraph-tools backup would have. */
export class NotABackupError extends HgbrError {
  static override readonly code = 'NotABackupError';
  static override readonly hint = 'give ROOT/<graph>/<backupId> of an hgbr backup (see hgbr list), or a folder written by hugegraph-tools backup';

  constructor(location: string, detail: string) {
    super(`${location} is not a backup: ${detail}`);
  }
}

/** Files the manifest lists are missing, or stored with another size than recorded. */
export class BackupFilesMissingError extends HgbrError {
  static override readonly code = 'BackupFilesMissingError';
  static override readonly hint = 'the backup was damaged or partly deleted after it was written; use another backup';

  constructor(
    location: string,
    readonly problems: readonly string[],
  ) {
    super(`${location} does not hold what its manifest lists: ${problems.join('; ')}`);
  }
}

/** The read before the first write found damaged files: every one is listed, nothing was written. */
export class BackupDamagedError extends HgbrError {
  static override readonly code = 'BackupDamagedError';
  static override readonly hint = 'nothing was written to the target; restore another backup (hgbr verify --from … checks one)';

  constructor(
    location: string,
    readonly problems: readonly string[],
  ) {
    super(`${location} is damaged, ${problems.length} file(s): ${problems.join('; ')}`);
  }
}

/** RESTORING needs an empty graph. */
export class TargetNotEmptyError extends HgbrError {
  static override readonly code = 'TargetNotEmptyError';
  static override readonly hint =
    'clear the graph first, or restore with --mode merging to add the backup to what the graph holds; to resume a restore of this backup that did not finish, run it again with its --restore-id (hgbr list --from ROOT shows unfinished restores)';

  constructor(graph: string, holds: string) {
    super(`graph ${graph} is not empty (it holds ${holds}); a RESTORING restore needs an empty graph`);
  }
}

/** One schema element of the backup whose name the target uses for a different definition. */
export interface SchemaConflict {
  readonly kind: 'property key' | 'vertex label' | 'edge label' | 'index label';
  readonly name: string;
  /** One entry per differing field, e.g. `data_type: backup INT, target TEXT`. */
  readonly differences: readonly string[];
}

export function describeConflict(c: SchemaConflict): string {
  return `${c.kind} '${c.name}' (${c.differences.join('; ')})`;
}

/** Schema elements that exist on the target under the same name with another definition: all of them. */
export class SchemaConflictError extends HgbrError {
  static override readonly code = 'SchemaConflictError';
  static override readonly hint = 'nothing was written; restore into another graph, or change or drop these elements on the target first';

  constructor(
    graph: string,
    readonly conflicts: readonly SchemaConflict[],
  ) {
    super(`graph ${graph} has ${conflicts.length} schema element(s) that differ from the backup's: ${conflicts.map(describeConflict).join('; ')}`);
  }
}

/** The restore asks for something the backup does not hold (edges from a schema-only backup). */
export class ContentNotInBackupError extends HgbrError {
  static override readonly code = 'ContentNotInBackupError';
  static override readonly hint = "restore only what the backup holds (hgbr list and the manifest's contents say what that is), or use a backup that holds the rest";

  constructor(
    location: string,
    readonly held: readonly string[],
    readonly missing: readonly string[],
  ) {
    super(`${location} holds ${held.join(', ')} only: it has no ${missing.join(', ')} to restore`);
  }
}

/** One variable that differs between the backup and the target, as JSON texts. */
export interface VariableDifference {
  readonly key: string;
  readonly backup: string;
  readonly target: string;
}

const describeVariables = (differences: readonly VariableDifference[]) => differences.map((d) => `'${d.key}' (backup ${d.backup}, target ${d.target})`).join('; ');

/** MERGING: the target has variables of the backup's keys with other values. */
export class VariablesConflictError extends HgbrError {
  static override readonly code = 'VariablesConflictError';
  static override readonly hint = 'nothing was written; change or remove these variables on the target, or restore with --types leaving out variables';

  constructor(
    graph: string,
    readonly conflicts: readonly VariableDifference[],
  ) {
    super(`graph ${graph} has ${conflicts.length} variable(s) with other values than the backup's: ${describeVariables(conflicts)}`);
  }
}

/** After setting them, the target's variables do not read back as the backup's. */
export class VariablesNotRestoredError extends HgbrError {
  static override readonly code = 'VariablesNotRestoredError';
  static override readonly hint = 'run the restore again with the same restore id; if it persists, something else writes these variables';

  constructor(
    graph: string,
    readonly differences: readonly VariableDifference[],
  ) {
    super(`graph ${graph} does not hold the backup's variables after the restore set them: ${describeVariables(differences)}`);
  }
}

/** An auth object of the backup that the target already has: its kind and its name (or what it joins). */
export interface AuthConflict {
  readonly kind: string;
  readonly key: string;
}

/** The stop strategy found auth objects the target already has. */
export class AuthConflictError extends HgbrError {
  static override readonly code = 'AuthConflictError';
  static override readonly hint = "nothing was written; restore with --auth-conflict skip (keep the target's) or overwrite (take the backup's fields), or remove them from the target";

  constructor(
    graph: string,
    readonly conflicts: readonly AuthConflict[],
  ) {
    super(`the server of graph ${graph} already has ${conflicts.length} of the backup's auth object(s): ${conflicts.map((c) => `${c.kind} ${c.key}`).join('; ')}`);
  }
}

/** Something about the source or the target makes this restore impossible (other than the above). */
export class RestoreNotPossibleError extends HgbrError {
  static override readonly code = 'RestoreNotPossibleError';

  constructor(message: string, hint?: string) {
    super(message, { hint });
  }
}

export interface CountMismatch {
  readonly kind: 'vertex' | 'edge';
  readonly label: string;
  readonly expected: number;
  readonly actual: number;
  /** acknowledged: what the server answered to the batches; target: what paging the target found. */
  readonly where: 'acknowledged' | 'target';
}

/** After the restore the target does not hold what the backup held. */
export class RestoreCountMismatchError extends HgbrError {
  static override readonly code = 'RestoreCountMismatchError';
  static override readonly hint = 'run the restore again with the same restore id (finished files are skipped); if it persists, the graph was changed during the restore';

  constructor(
    graph: string,
    readonly mode: string,
    readonly mismatches: readonly CountMismatch[],
    readonly unrestored: readonly string[] = [],
  ) {
    const parts = mismatches.map((m) =>
      m.where === 'acknowledged'
        ? `${m.kind} label ${m.label}: the backup holds ${m.expected}, the server acknowledged ${m.actual}`
        : `${m.kind} label ${m.label}: expected ${mode === 'MERGING' ? 'at least' : 'exactly'} ${m.expected} on the target, found ${m.actual}`,
    );
    if (unrestored.length) parts.push(`files never restored: ${unrestored.join(', ')}`);
    super(`graph ${graph} does not hold what the backup held: ${parts.join('; ')}`);
  }
}

/** The restore's lock on its target is gone or held by another run: this run must not write. */
export class RestoreLockLostError extends HgbrError {
  static override readonly code = 'RestoreLockLostError';
  static override readonly hint = 'the restore was reset or taken over; start it again';

  constructor(key: string, restoreId: string, holder?: string, why?: string) {
    super(`restore ${restoreId} no longer holds ${key}${holder ? ` (restore ${holder} does)` : ''}${why ? ` (${why})` : ''}`);
  }
}

/**
 * The target is no longer in the restore's mode: the server restarted (the mode lives in its
 * memory) or the restore was reset. Writing on would break the id rules, so the run stops.
 */
export class RestoreModeLostError extends HgbrError {
  static override readonly code = 'RestoreModeLostError';

  constructor(graph: string, expected: string, actual: string, restoreId: string) {
    super(`graph ${graph} is in mode ${actual}, not ${expected}: the server was restarted or the restore was reset; nothing more was written`, {
      hint: `run the restore again with --restore-id ${restoreId}: files already restored are skipped`,
    });
  }
}

/** An element that cannot be fixed for the target: its text is not what the server writes. */
export class ElementFixError extends HgbrError {
  static override readonly code = 'ElementFixError';
  static override readonly hint = 'the backup file holds an element HugeGraph would not have written; it is damaged or was edited';
}

/**
 * The target is in a restore mode, yet no restore holds its lock where this run keeps locks:
 * another restore may be writing to it (one keeping its locks elsewhere), or a reset failed. The
 * mode is left as it is: putting NONE back under a live restore would break it.
 */
export class TargetInRestoreModeError extends HgbrError {
  static override readonly code = 'TargetInRestoreModeError';

  constructor(target: GraphRef, mode: string, lockUri: string) {
    super(
      `graph ${target.graph} on ${target.url} is in mode ${mode}, but no restore holds its lock ${lockUri}: another restore may be writing to it (one that keeps its locks elsewhere), or an earlier reset failed; nothing was changed`,
      {
        hint: `if no restore is running into it, put the mode back with \`${modeSetCommand(target, 'NONE')}\` and run again; restores share their locks through HGBR_LOCKS (the deployed stack's StateRoot)`,
      },
    );
  }
}

/**
 * A failed restore's clean-up could not finish: the target's mode, its lock, or both are left.
 * The message says what is left and exactly how to finish by hand, and keeps the restore's own error.
 */
export class RestoreResetFailedError extends HgbrError {
  static override readonly code = 'RestoreResetFailedError';

  constructor(
    readonly restoreId: string,
    failure: { readonly error?: string; readonly cause?: string } | undefined,
    left: { readonly target: GraphRef; readonly mode?: { readonly back: string; readonly error: unknown }; readonly lock?: { readonly uri: string; readonly error: unknown } },
  ) {
    const why = failure?.error ? ` after ${failure.error}${failure.cause ? `: ${failure.cause}` : ''}` : '';
    const parts: string[] = [];
    const steps: string[] = [];
    if (left.mode) {
      parts.push(`graph ${left.target.graph} on ${left.target.url} may still be in its restore mode (putting ${left.mode.back} back failed: ${messageOf(left.mode.error)})`);
      steps.push(`\`${modeSetCommand(left.target, left.mode.back)}\``);
    }
    if (left.lock) {
      parts.push(`its lock ${left.lock.uri} may still be there (removing it failed: ${messageOf(left.lock.error)})`);
      steps.push(`remove the lock: \`${removeCommand(left.lock.uri)}\``);
    }
    super(`restore ${restoreId} failed${why}; its clean-up did not finish: ${parts.join('; ')}. To finish, once the server and the store answer: ${steps.join(', then ')}`, {
      hint: 'once the server and the store answer, run what the message says; a restore into this graph is refused until the mode is back',
    });
  }
}

/** The `hgbr mode set` command that puts a graph's mode to `mode`. */
export function modeSetCommand(target: GraphRef, mode: string): string {
  return `hgbr mode set --server ${target.url} --graph ${target.graph}${target.graphspace ? ` --graphspace ${target.graphspace}` : ''} --mode ${mode}`;
}

function removeCommand(uri: string): string {
  return uri.startsWith('s3://') ? `aws s3 rm ${uri}` : `rm ${uri}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
