import { MANIFEST_FILE, parseBackupId, parseManifest } from '../format';
import { ObjectNotFoundError, type BackupStorage } from '../storage/storage';
import { type BackupGraph, backupPrefix, graphPrefix } from './layout';

export interface RetentionResult {
  readonly deletedComplete: string[];
  readonly deletedIncomplete: string[];
}

/**
 * Keeps the `keep` most recent complete backups of a graph and removes the rest, and removes every
 * incomplete backup (no manifest) other than `currentBackupId`. Only called while holding the
 * graph's backup lock, so no incomplete backup here can belong to a live run. The newest complete
 * backup is never deleted, whatever `keep` says.
 */
export async function applyRetention(storage: BackupStorage, of: BackupGraph, keep: number | undefined, currentBackupId: string): Promise<RetentionResult> {
  const complete: { id: string; startedAt: string }[] = [];
  const incomplete: string[] = [];
  for await (const prefix of storage.listPrefixes(graphPrefix(of))) {
    const id = prefix.slice(graphPrefix(of).length, -1);
    if (!parseBackupId(id)) continue; // not ours: leave it alone
    const startedAt = await startTime(storage, `${prefix}${MANIFEST_FILE}`);
    if (startedAt) complete.push({ id, startedAt });
    else if (id !== currentBackupId) incomplete.push(id);
  }
  // Newest first by start time: ids of backups started in the same second do not sort by time.
  complete.sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1));
  const expired = keep === undefined ? [] : complete.slice(Math.max(keep, 1)).map((b) => b.id);
  for (const id of [...incomplete, ...expired]) await storage.deletePrefix(backupPrefix(of, id));
  return { deletedComplete: expired, deletedIncomplete: incomplete };
}

async function startTime(storage: BackupStorage, manifestKey: string): Promise<string | undefined> {
  try {
    return parseManifest((await storage.get(manifestKey)).toString('utf8')).startedAt;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}
