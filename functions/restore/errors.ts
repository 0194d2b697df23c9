/**
 * Errors a restore raises on purpose. Each class's `name` is part of the restore state machine's
 * contract (its Catch and Retry match on it), so the names are exported as constants too.
 */
import { HgbrError } from '../errors';

export const RestoreErrorNames = {
  invalidRequest: 'InvalidRestoreRequestError',
  notABackup: 'NotABackupError',
  backupFilesMissing: 'BackupFilesMissingError',
  targetNotEmpty: 'TargetNotEmptyError',
  schemaConflict: 'SchemaConflictError',
  notPossible: 'RestoreNotPossibleError',
  countMismatch: 'RestoreCountMismatchError',
  lockLost: 'RestoreLockLostError',
  modeLost: 'RestoreModeLostError',
} as const;

export class InvalidRestoreRequestError extends HgbrError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid restore request: ${problems.join('; ')}`, RestoreErrorNames.invalidRequest);
  }
}

/** The source holds neither a manifest nor files a hugegraph-tools backup would have. */
export class NotABackupError extends HgbrError {
  constructor(location: string, detail: string) {
    super(
      `${location} is not a backup: ${detail}`,
      RestoreErrorNames.notABackup,
      'give ROOT/<graph>/<backupId> of an hgbr backup (see hgbr list), or a folder written by hugegraph-tools backup',
    );
  }
}

/** Files the manifest lists are missing, or stored with another size than recorded. */
export class BackupFilesMissingError extends HgbrError {
  constructor(location: string, readonly problems: readonly string[]) {
    super(
      `${location} does not hold what its manifest lists: ${problems.join('; ')}`,
      RestoreErrorNames.backupFilesMissing,
      'the backup was damaged or partly deleted after it was written; use another backup',
    );
  }
}

/** RESTORING needs an empty graph. */
export class TargetNotEmptyError extends HgbrError {
  constructor(graph: string, holds: string) {
    super(
      `graph ${graph} is not empty (it holds ${holds}); a RESTORING restore needs an empty graph`,
      RestoreErrorNames.targetNotEmpty,
      'clear the graph first, or restore with --mode merging to add the backup to what the graph holds',
    );
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
  constructor(graph: string, readonly conflicts: readonly SchemaConflict[]) {
    super(
      `graph ${graph} has ${conflicts.length} schema element(s) that differ from the backup's: ${conflicts.map(describeConflict).join('; ')}`,
      RestoreErrorNames.schemaConflict,
      'nothing was written; restore into another graph, or change or drop these elements on the target first',
    );
  }
}

/** Something about the source or the target makes this restore impossible (other than the above). */
export class RestoreNotPossibleError extends HgbrError {
  constructor(message: string, hint?: string) {
    super(message, RestoreErrorNames.notPossible, hint);
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
    super(
      `graph ${graph} does not hold what the backup held: ${parts.join('; ')}`,
      RestoreErrorNames.countMismatch,
      'run the restore again with the same restore id (finished files are skipped); if it persists, the graph was changed during the restore',
    );
  }
}

/** The restore's lock on its target is gone or held by another run: this run must not write. */
export class RestoreLockLostError extends HgbrError {
  constructor(key: string, restoreId: string, holder?: string) {
    super(
      `restore ${restoreId} no longer holds ${key}${holder ? ` (restore ${holder} does)` : ''}`,
      RestoreErrorNames.lockLost,
      'the restore was reset or taken over; start it again',
    );
  }
}

/**
 * The target is no longer in the restore's mode: the server restarted (the mode lives in its
 * memory) or the restore was reset. Writing on would break the id rules, so the run stops.
 */
export class RestoreModeLostError extends HgbrError {
  constructor(graph: string, expected: string, actual: string, restoreId: string) {
    super(
      `graph ${graph} is in mode ${actual}, not ${expected}: the server was restarted or the restore was reset; nothing more was written`,
      RestoreErrorNames.modeLost,
      `run the restore again with --restore-id ${restoreId}: files already restored are skipped`,
    );
  }
}
