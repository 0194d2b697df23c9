/**
 * Names of the metrics the operations functions publish, in one place for them and for the alarms
 * infra/constructs/operations.ts builds on them (names only: synthesizing pulls in no step code).
 */
export const MODE_METRICS = {
  namespace: 'hgbr',
  /** 1 for a graph whose mode is not NONE while no restore execution targets it, else 0. */
  leftInMode: 'GraphLeftInRestoreMode',
  dimension: 'Graph',
} as const;

export const FRESHNESS_METRICS = {
  namespace: MODE_METRICS.namespace,
  /** Minutes since the newest complete backup of a graph began (its recovery point). */
  backupAge: 'BackupAgeMinutes',
  /** Where the graph's backups are: `<root>/<graph>`. */
  dimension: 'BackupFolder',
} as const;
