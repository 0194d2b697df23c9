/**
 * Errors a backup raises on purpose. Each class's code (= its `name`) is part of the backup state
 * machine's contract: its Catch matches them, and `hgbr backup --json` reports them.
 */
import { HgbrError } from '../errors';

export class InvalidBackupRequestError extends HgbrError {
  static override readonly code = 'InvalidBackupRequestError';
  static override readonly hint = 'correct the backup request (see hgbr backup --help)';

  constructor(readonly problems: readonly string[]) {
    super(`invalid backup request: ${problems.join('; ')}`);
  }
}

/** The graph or the request makes a complete backup impossible; said before anything is written. */
export class BackupNotPossibleError extends HgbrError {
  static override readonly code = 'BackupNotPossibleError';

  constructor(message: string, hint: string) {
    super(message, { hint });
  }
}

/** A key range held an element of a label the schema did not have when the backup began. */
export class LabelAppearedDuringBackupError extends HgbrError {
  static override readonly code = 'LabelAppearedDuringBackupError';
  static override readonly hint = 'run the backup again: it reads the schema anew';

  constructor(kind: 'vertex' | 'edge', label: string) {
    super(`the graph holds ${kind === 'vertex' ? 'vertices' : 'edges'} of label '${label}', which its schema did not have when the backup began: the label was created while the backup ran`);
  }
}

/** Finalize found a manifest already written for this backup id: another run committed it. */
export class ManifestExistsError extends HgbrError {
  static override readonly code = 'ManifestExistsError';
  static override readonly hint = 'another run committed this backup already; nothing was overwritten';

  constructor(uri: string) {
    super(`${uri} already exists`);
  }
}

/**
 * A file an export recorded as stored is missing, or stored with another size than recorded:
 * something removed or changed it between the export and finalize.
 */
export class RecordedFilesMismatchError extends HgbrError {
  static override readonly code = 'RecordedFilesMismatchError';
  static override readonly hint = 'something changed the backup folder while the backup ran; run the backup again';
}
