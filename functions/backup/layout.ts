/**
 * Object keys of a backup, relative to the storage root. `<folder>` is the graph's folder
 * ({@link graphFolder}): `<graph>` in the DEFAULT graph space (and on servers without graph
 * spaces), `_graphspaces/<graphspace>/<graph>` in any other.
 *
 *   <folder>/<backupId>/propertykeys.zip … edges-0002-00001.zip, manifest.json (written last)
 *   <folder>/<backupId>/_hgbr/…   records of work in progress, removed when the manifest is written
 *   <folder>/.hgbr-backup.lock    held while a backup of the graph runs
 *
 * The work folder sits below the backup but holds no file that hugegraph-tools would pick up: the
 * tool lists regular files of the backup folder only, by name prefix.
 */
import { type BackupGraph, graphFolder } from '../format/folders';
import { MANIFEST_FILE } from '../format/manifest';
import { type ExportWork, isRangeWork } from './types';

export { type BackupGraph, DEFAULT_GRAPHSPACE, GRAPHSPACES_FOLDER, graphFolder, namedGraphspace } from '../format/folders';

export function graphPrefix(of: BackupGraph): string {
  return `${graphFolder(of)}/`;
}

export function backupPrefix(of: BackupGraph, backupId: string): string {
  return `${graphFolder(of)}/${backupId}/`;
}

export function backupFileKey(of: BackupGraph, backupId: string, fileName: string): string {
  return `${backupPrefix(of, backupId)}${fileName}`;
}

export function manifestKey(of: BackupGraph, backupId: string): string {
  return backupFileKey(of, backupId, MANIFEST_FILE);
}

export function workPrefix(of: BackupGraph, backupId: string): string {
  return `${backupPrefix(of, backupId)}_hgbr/`;
}

export function planRecordKey(of: BackupGraph, backupId: string): string {
  return `${workPrefix(of, backupId)}plan.json`;
}

/**
 * One record per finished data file, so no task has to carry the file list in its state; kept
 * per work item, so a retried chunk finds what a failed attempt of its own item recorded.
 */
export function fileRecordKey(of: BackupGraph, backupId: string, work: ExportWork, fileName: string): string {
  return `${itemRecordsPrefix(of, backupId, work)}${fileName}.json`;
}

export function itemRecordsPrefix(of: BackupGraph, backupId: string, work: ExportWork): string {
  const item = `${work.kind}-${isRangeWork(work) ? 'range' : 'label'}-${String(work.index).padStart(5, '0')}`;
  return `${fileRecordsPrefix(of, backupId)}${item}/`;
}

export function fileRecordsPrefix(of: BackupGraph, backupId: string): string {
  return `${workPrefix(of, backupId)}files/`;
}

/** The Distributed Map's work list (a JSON array of ExportWork) and where it writes its results. */
export function workListKey(of: BackupGraph, backupId: string): string {
  return `${workPrefix(of, backupId)}items.json`;
}

export function mapResultsPrefix(of: BackupGraph, backupId: string): string {
  return `${workPrefix(of, backupId)}map-results/`;
}

export function backupLockKey(of: BackupGraph): string {
  return `${graphFolder(of)}/.hgbr-backup.lock`;
}

/** Printable location of a prefix below a storage root, e.g. `s3://bucket/backups/g/<id>/`. */
export function prefixLocation(root: string, prefix: string): string {
  return `${root.replace(/\/+$/, '')}/${prefix}`;
}
