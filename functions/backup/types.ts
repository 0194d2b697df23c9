import type { ContentKind } from '../format/naming';
import type { KeyRange } from '../hugegraph/types';
import type { GraphRef } from '../workflow/graph-ref';

export type ElementKind = 'vertex' | 'edge';

/**
 * How a backup reads the graph. `scan`: the server's key ranges (shards), every element once, any
 * number of workers on one label; the fastest path, and the only one for labels without a label
 * index. `label`: page each label (`?label=&page=`), as older hgbr did; what `labels` uses by default.
 */
export type ReadPath = 'scan' | 'label';
export const READ_PATHS: readonly ReadPath[] = ['scan', 'label'];

/** What a backup may be asked to hold (`--types`); the schema is always held. */
export const BACKUP_TYPES: readonly ContentKind[] = ['schema', 'vertices', 'edges', 'variables', 'auth', 'config'];
/**
 * What a backup holds unless told otherwise: not `auth`, which is the whole server's (users,
 * groups, targets, belongs, accesses), readable by an administrator only; not `config` (the
 * graph's properties file, secrets withheld), readable by an administrator only where auth is on.
 */
export const DEFAULT_BACKUP_TYPES: readonly ContentKind[] = ['schema', 'vertices', 'edges', 'variables'];

/** What `hgbr backup` or a schedule asks for. This is the state machine's input. */
export interface BackupRequest {
  readonly server: GraphRef;
  /** Backup root: a local path, file://…, or s3://bucket/prefix. */
  readonly location: string;
  /**
   * What to back up, as hugegraph-tools' `-t`: `schema`, `vertices`, `edges`, and `variables` (the
   * graph's variables, which the tool never backed up), `auth` (the server's users, groups, targets,
   * belongs and accesses, as the tool's auth-backup). The schema is always
   * backed up (a restore needs it), so `['schema']` is a schema-only backup. @default all but auth
   */
  readonly types?: ContentKind[];
  /** Only these labels (vertex or edge); all when absent. */
  readonly labels?: string[];
  /** @default 'scan', or 'label' when `labels` are given */
  readonly readPath?: ReadPath;
  /** Workers the backup runs at once (the state machine's export concurrency): the plan cuts the graph into a few ranges per worker. @default 4 */
  readonly workers?: number;
  /** Keep this many complete backups of the graph; older ones are deleted. Absent: keep all. */
  readonly keep?: number;
  /** Elements per page requested from the server. */
  readonly pageSize?: number;
  /** Elements per file before a new file is started. */
  readonly elementsPerFile?: number;
  /** DEFLATE level of the data files, 0 (none) to 9 (smallest). @default 1 */
  readonly compressionLevel?: number;
  /**
   * Have the server count every label before the export and after it (a server-side job per kind
   * and end, no element sent), and record both in the manifest: a backup whose counts moved was
   * taken while the graph was being written. Costs the server two passes over the graph. @default false
   */
  readonly checkWrites?: boolean;
  /**
   * When the server cannot be reached at the start (refused, timed out), wait `delaySeconds` and
   * try again, up to `attempts` times, before the backup fails: a scheduled backup that meets a
   * server restart runs late instead of not at all. Nothing is written before the server answers.
   * @default none: fail at once
   */
  readonly waitForServer?: ServerWait;
}

/** How long a backup waits for a server it cannot reach at the start: {@link BackupRequest.waitForServer}. */
export interface ServerWait {
  /** Tries after the first, 0 to {@link MAX_SERVER_WAIT_ATTEMPTS}. */
  readonly attempts: number;
  /** Seconds before each, 1 to {@link MAX_SERVER_WAIT_DELAY_SECONDS}. */
  readonly delaySeconds: number;
}

export const MAX_SERVER_WAIT_ATTEMPTS = 100;
export const MAX_SERVER_WAIT_DELAY_SECONDS = 3600;
/** All the waits together at most: the state machine times out after 24 h, and the backup itself needs its time too. */
export const MAX_SERVER_WAIT_TOTAL_SECONDS = 6 * 3600;

/** Checks a {@link ServerWait}; the problems, each naming `where` and the field by `names` (a CLI flag's own words). */
export function serverWaitProblems(wait: unknown, where: string, names = { attempts: 'attempts', delaySeconds: 'delaySeconds' }): string[] {
  const w = wait as Partial<ServerWait> | null;
  const whole = (n: unknown, min: number, max: number) => Number.isInteger(n) && (n as number) >= min && (n as number) <= max;
  if (typeof w !== 'object' || w === null || Array.isArray(w)) return [`${where} must be an object {attempts, delaySeconds}`];
  const problems = Object.keys(w)
    .filter((key) => key !== 'attempts' && key !== 'delaySeconds')
    .map((key) => `${where} has an unknown key ${JSON.stringify(key)}`);
  if (!whole(w.attempts, 0, MAX_SERVER_WAIT_ATTEMPTS)) problems.push(`${where}: ${names.attempts} must be a whole number from 0 to ${MAX_SERVER_WAIT_ATTEMPTS}`);
  if (!whole(w.delaySeconds, 1, MAX_SERVER_WAIT_DELAY_SECONDS)) problems.push(`${where}: ${names.delaySeconds} must be a whole number from 1 to ${MAX_SERVER_WAIT_DELAY_SECONDS}`);
  const total = (w.attempts as number) * (w.delaySeconds as number);
  if (problems.length === 0 && total > MAX_SERVER_WAIT_TOTAL_SECONDS) {
    problems.push(`${where}: ${names.attempts} × ${names.delaySeconds} must be at most ${MAX_SERVER_WAIT_TOTAL_SECONDS} s (6 hours) in all, got ${total} s`);
  }
  return problems;
}

/** One label to export: its name and its position, which names its files. */
export interface LabelWork {
  readonly kind: ElementKind;
  readonly label: string;
  readonly index: number;
}

/** One key range to export, with its position among the ranges (which numbers its files). */
export interface RangeWork {
  readonly kind: ElementKind;
  readonly range: KeyRange;
  readonly index: number;
}

/** One item of a backup's work list: what one Distributed Map child exports, chunk by chunk. */
export type ExportWork = LabelWork | RangeWork;

export function isRangeWork(work: ExportWork): work is RangeWork {
  return 'range' in work;
}

/** The small, stable facts every task of one backup run needs. Pointers only. */
export interface BackupJob {
  readonly backupId: string;
  readonly location: string;
  readonly server: GraphRef;
  readonly pageSize: number;
  readonly elementsPerFile: number;
  readonly compressionLevel: number;
  readonly keep?: number;
  readonly readPath: ReadPath;
  /** With the scan path and `labels`: the labels kept, the others' elements are passed over. */
  readonly labels?: string[];
  /** The run's `$$.Execution.Id`: every task's log entries carry it. */
  readonly executionId?: string;
  /**
   * How long the plan took after connecting (lock, schema, key ranges probed, schema files), for the summary.
   * Carried in the job rather than storage so that a retried finalize reports it too.
   */
  readonly planMs?: number;
}

/** Where the Distributed Map reads the work list and writes its results (S3, or a local folder). */
export interface BackupItemsRef {
  /** S3 bucket, or the absolute path of a local root. */
  readonly bucket: string;
  readonly key: string;
  readonly resultsPrefix: string;
  readonly count: number;
}

/** Plan's output in the state: pointers only, whatever the number of labels or ranges. */
export interface BackupPlan {
  readonly job: BackupJob;
  readonly items: BackupItemsRef;
}

/** Where a label's export stands between two Lambda invocations. */
export interface ExportCursor {
  /** Server page token to continue from; '' before the first page. */
  readonly page: string;
  /**
   * Raw id of the last element exported, '' at first. The server repeats an element across page
   * boundaries (label paging with limit ≥ 500): a resumed run drops that repeat by this id.
   */
  readonly lastId: string;
  /** Sequence number of the next file of this label, or of this range (shared by its labels). */
  readonly fileSeq: number;
  /** Elements exported so far for this label. */
  readonly elements: number;
  readonly done: boolean;
}

export interface ExportChunkInput {
  readonly job: BackupJob;
  readonly work: ExportWork;
  readonly cursor: ExportCursor;
}

export interface BackupSummary {
  readonly backupId: string;
  readonly location: string;
  readonly graph: string;
  /** What the backup holds (the manifest's `contents`); absent from earlier versions' summaries. */
  readonly contents?: readonly ContentKind[];
  readonly vertices: Record<string, number>;
  readonly edges: Record<string, number>;
  /** Variables backed up, when the backup holds variables. */
  readonly variables?: number;
  /** With `checkWrites`: whether the counts show the graph written during the backup. */
  readonly writesSeen?: boolean;
  readonly files: number;
  readonly bytes: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /**
   * Of `durationMs`, the plan's share (schema, key ranges probed, schema files), before any element
   * is read. Absent only for a job planned by an earlier hgbr version.
   */
  readonly planMs?: number;
  readonly deletedBackups: string[];
}
