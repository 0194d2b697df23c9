/**
 * Errors a restore raises on purpose. Each class's code (= its `name`) is part of the restore state
 * machine's contract: its Catch matches them, and `hgbr restore --json` reports them.
 */
import { HgbrError } from '../errors';

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

  constructor(key: string, restoreId: string, holder?: string) {
    super(`restore ${restoreId} no longer holds ${key}${holder ? ` (restore ${holder} does)` : ''}`);
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
