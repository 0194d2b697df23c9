import { parseBackupId } from '../functions/format';
import { UsageError } from './errors';

/** A backup named by its full location: ROOT/<graph>/<backupId>, local or s3://. */
export interface BackupRef {
  readonly root: string;
  readonly graph: string;
  readonly backupId: string;
}

export function parseBackupRef(location: string): BackupRef {
  const trimmed = location.replace(/\/+$/, '');
  const parts = trimmed.split('/');
  const backupId = parts.pop() ?? '';
  const graph = parts.pop() ?? '';
  const root = parts.join('/') || (trimmed.startsWith('/') ? '/' : '.');
  if (!parseBackupId(backupId) || !graph) {
    throw new UsageError(`'${location}' does not name a backup: expected ROOT/<graph>/<backupId>, e.g. ./backups/hugegraph/20261124T215600Z-3f9a`);
  }
  return { root, graph, backupId };
}
