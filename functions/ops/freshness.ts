import { listBackups } from '../backup/catalog';
import { graphFolder } from '../backup/layout';
import { HgbrError } from '../errors';
import type { BackupStorage } from '../storage/storage';
import { FRESHNESS_METRICS } from './metric-names';

export { FRESHNESS_METRICS };

/** A scheduled graph whose backups are watched: where they are, and how old the newest may get. */
export interface WatchedBackups {
  /** The backup root, e.g. `s3://bucket/backups`. */
  readonly location: string;
  readonly graph: string;
  /** The graph space, when not DEFAULT (its backups are below `_graphspaces/<graphspace>/`). */
  readonly graphspace?: string;
  /** The schedule's longest interval × 1.5, in minutes: the alarm's threshold. */
  readonly maxAgeMinutes: number;
}

export interface FreshnessCheck {
  readonly watched: WatchedBackups;
  /** Minutes since the newest complete backup began; undefined when there is none yet. */
  readonly ageMinutes?: number;
  readonly newestBackupId?: string;
  readonly error?: string;
}

/**
 * The age of each watched graph's newest complete backup (one with its manifest). Runs on a
 * schedule, so an alarm sees backups stop even when no backup runs at all (a deleted schedule, a
 * broken role), and after each successful backup, so the metric drops at once.
 */
export async function checkFreshness(watched: readonly WatchedBackups[], storage: (location: string) => BackupStorage, now: Date): Promise<FreshnessCheck[]> {
  return Promise.all(
    watched.map(async (w) => {
      try {
        const newest = (await listBackups(storage(w.location), w)).filter((b) => b.state === 'complete' && b.startedAt).at(-1);
        if (!newest?.startedAt) return { watched: w };
        return { watched: w, newestBackupId: newest.backupId, ageMinutes: Math.max(0, (now.getTime() - Date.parse(newest.startedAt)) / 60_000) };
      } catch (error) {
        return { watched: w, error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    }),
  );
}

/** The metric's dimension value of a graph: where its backups are. */
export function backupFolderOf(w: WatchedBackups): string {
  return `${w.location.replace(/\/+$/, '')}/${graphFolder(w)}`;
}

/**
 * One datum per graph. A graph without any complete backup reports an age beyond any threshold,
 * so a schedule that never produced a backup alarms as one that stopped.
 */
export function freshnessMetricData(checks: readonly FreshnessCheck[], timestamp: Date) {
  return checks
    .filter((c) => c.error === undefined)
    .map((c) => ({
      MetricName: FRESHNESS_METRICS.backupAge,
      Timestamp: timestamp,
      Value: c.ageMinutes ?? c.watched.maxAgeMinutes * 10,
      Unit: 'None' as const,
      Dimensions: [{ Name: FRESHNESS_METRICS.dimension, Value: backupFolderOf(c.watched) }],
    }));
}

/** Some graphs' backups could not be listed: their age is unknown this time (the others were published). */
export class BackupsUnreadableError extends HgbrError {
  static override readonly code = 'BackupsUnreadableError';
  static override readonly hint = "check the function's role and the bucket; the freshness alarm of those graphs goes off if this lasts";

  constructor(failures: readonly string[]) {
    super(`could not list the backups of ${failures.join(', ')}`);
  }
}
