/**
 * Object keys of a backup, relative to the storage root:
 *
 *   <graph>/<backupId>/propertykeys.zip … edges-0002-00001.zip, manifest.json (written last)
 *   <graph>/<backupId>/_hgbr/…   records of work in progress, removed when the manifest is written
 *   <graph>/.hgbr-backup.lock    held while a backup of <graph> runs
 *
 * The work folder sits below the backup but holds no file that hugegraph-tools would pick up: the
 * tool lists regular files of the backup folder only, by name prefix.
 */
import { MANIFEST_FILE } from '../format/manifest';
import { type ExportWork, isRangeWork } from './types';

export function graphPrefix(graph: string): string {
  return `${graph}/`;
}

export function backupPrefix(graph: string, backupId: string): string {
  return `${graph}/${backupId}/`;
}

export function backupFileKey(graph: string, backupId: string, fileName: string): string {
  return `${backupPrefix(graph, backupId)}${fileName}`;
}

export function manifestKey(graph: string, backupId: string): string {
  return backupFileKey(graph, backupId, MANIFEST_FILE);
}

export function workPrefix(graph: string, backupId: string): string {
  return `${backupPrefix(graph, backupId)}_hgbr/`;
}

export function planRecordKey(graph: string, backupId: string): string {
  return `${workPrefix(graph, backupId)}plan.json`;
}

/**
 * One record per finished data file, so no task has to carry the file list in its state; kept
 * per work item, so a retried chunk finds what a failed attempt of its own item recorded.
 */
export function fileRecordKey(graph: string, backupId: string, work: ExportWork, fileName: string): string {
  return `${itemRecordsPrefix(graph, backupId, work)}${fileName}.json`;
}

export function itemRecordsPrefix(graph: string, backupId: string, work: ExportWork): string {
  const item = `${work.kind}-${isRangeWork(work) ? 'range' : 'label'}-${String(work.index).padStart(5, '0')}`;
  return `${fileRecordsPrefix(graph, backupId)}${item}/`;
}

export function fileRecordsPrefix(graph: string, backupId: string): string {
  return `${workPrefix(graph, backupId)}files/`;
}

/** The Distributed Map's work list (a JSON array of ExportWork) and where it writes its results. */
export function workListKey(graph: string, backupId: string): string {
  return `${workPrefix(graph, backupId)}items.json`;
}

export function mapResultsPrefix(graph: string, backupId: string): string {
  return `${workPrefix(graph, backupId)}map-results/`;
}

export function backupLockKey(graph: string): string {
  return `${graph}/.hgbr-backup.lock`;
}

/** Printable location of a prefix below a storage root, e.g. `s3://bucket/backups/g/<id>/`. */
export function prefixLocation(root: string, prefix: string): string {
  return `${root.replace(/\/+$/, '')}/${prefix}`;
}
