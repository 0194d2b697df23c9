import { type BackupGraph, parseBackupPath } from '../functions/format';
import { UsageError } from './errors';

/** A backup named by its full location: ROOT/<graph>/<backupId> or ROOT/_graphspaces/<gs>/<graph>/<backupId>, local or s3://. */
export interface BackupRef {
  readonly root: string;
  readonly of: BackupGraph;
  readonly backupId: string;
}

export function parseBackupRef(location: string): BackupRef {
  const trimmed = location.replace(/\/+$/, '');
  const parsed = parseBackupPath(trimmed.split('/'));
  if (!parsed) {
    throw new UsageError(
      `'${location}' does not name a backup: expected ROOT/<graph>/<backupId> (or ROOT/_graphspaces/<graphspace>/<graph>/<backupId>), e.g. ./backups/hugegraph/20261124T215600Z-3f9a`,
    );
  }
  const root = parsed.rootSegments.join('/') || (trimmed.startsWith('/') ? '/' : '.');
  return { root, of: parsed.of, backupId: parsed.backupId };
}
