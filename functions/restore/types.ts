import type { ContentKind } from '../format/naming';
import type { GraphRef } from '../workflow/graph-ref';

export type RestoreMode = 'RESTORING' | 'MERGING';

/** What a restore may be asked to write (`--types`). */
export const RESTORE_TYPES: readonly ContentKind[] = ['schema', 'vertices', 'edges', 'variables', 'auth'];

/** What a restore does with an auth object the target already has (hugegraph-tools: stop, ignore). */
export type AuthConflictStrategy = 'stop' | 'skip' | 'overwrite';
export const AUTH_CONFLICT_STRATEGIES: readonly AuthConflictStrategy[] = ['stop', 'skip', 'overwrite'];

/** What `hgbr restore`, `hgbr migrate` or the restore API asks for. The state machine's input. */
export interface RestoreRequest {
  /** The backup: ROOT/<graph>/<backupId> (local path, file://, s3://), or a hugegraph-tools folder. */
  readonly source: string;
  readonly target: GraphRef;
  /** RESTORING: into an empty graph, ids kept. MERGING: into a graph with data, ids recomputed. */
  readonly mode: RestoreMode;
  /**
   * What to restore: `schema`, `vertices`, `edges`, `variables`, `auth`. The schema is always restored (created, or
   * checked identical). Asking for what the backup does not hold is refused. @default all it holds
   */
  readonly types?: ContentKind[];
  /** Auth objects the target already has: refuse the restore (stop), keep them (skip), or take the backup's fields (overwrite). @default 'stop' */
  readonly authConflict?: AuthConflictStrategy;
  /** Where locks, work lists and progress records go. @default the source's root */
  readonly stateLocation?: string;
  /** Client-chosen id (the execution name on AWS); makes a re-run resume the same restore. */
  readonly restoreId?: string;
  /** Batches in flight per file. @default 3 */
  readonly batchConcurrency?: number;
  /**
   * Also count every label on the target once the elements are written, by reading the graph back
   * (as long again as a backup). Without it, the check is what the server acknowledged. @default false
   */
  readonly verifyTarget?: boolean;
  /**
   * Before the first element is written, read every file once: SHA-256, line shape, element count
   * (as `hgbr verify` does). False skips it for a backup verified already. @default true
   */
  readonly preflightRead?: boolean;
  /** Set by the restore API: the digest of the request as asked, which a retry under the same restoreId must match. */
  readonly apiRequest?: string;
}

/** Where a backup is: a storage root plus the folder below it. */
export interface SourceRef {
  readonly root: string;
  /** Key prefix of the backup's files below root, ending with '/' (or '' for the root itself). */
  readonly prefix: string;
  /** False for a hugegraph-tools folder: no manifest, so no checksums and no counts. */
  readonly hasManifest: boolean;
}

/** The small facts every restore task needs. Pointers only. */
export interface RestoreJob {
  readonly restoreId: string;
  readonly source: SourceRef;
  readonly target: GraphRef;
  readonly mode: RestoreMode;
  readonly stateLocation: string;
  /** Where the target's lock is (the runtime's lockRoot); absent in jobs of older runs: the state location. */
  readonly lockLocation?: string;
  /** Key prefix of this restore's records in the state location, ending with '/'. */
  readonly statePrefix: string;
  /** Mode the target had before the restore; put back at the end. */
  readonly previousMode: string;
  readonly batchConcurrency: number;
  readonly verifyTarget: boolean;
  /** The run's `$$.Execution.Id`: every task's log entries carry it. */
  readonly executionId?: string;
}

/** One file to restore: an item of a Distributed Map's work list. */
export interface FileItem {
  readonly name: string;
  readonly type: 'vertices' | 'edges';
  readonly label?: string;
  readonly elements?: number;
  readonly bytes?: number;
  readonly sha256?: string;
}

/** Where the Distributed Maps read their work lists (S3 on AWS; a folder or S3 locally). */
export interface ItemsRef {
  /** S3 bucket, or the absolute path of a local state folder. */
  readonly bucket: string;
  readonly vertexKey: string;
  readonly edgeKey: string;
  readonly resultsPrefix: string;
}

/** What the plan found: shown by --dry-run, and the restore's start. */
export interface RestorePlanSummary {
  readonly mode: RestoreMode;
  /** What the restore writes: what was asked for, or all the backup holds. */
  readonly contents: readonly ContentKind[];
  readonly schemaToCreate: { readonly propertykeys: string[]; readonly vertexlabels: string[]; readonly edgelabels: string[]; readonly indexlabels: string[] };
  readonly schemaReused: { readonly propertykeys: string[]; readonly vertexlabels: string[]; readonly edgelabels: string[]; readonly indexlabels: string[] };
  readonly files: { readonly vertices: number; readonly edges: number };
  /** Variables the restore sets. */
  readonly variables: number;
  /** Auth objects the restore creates or settles. */
  readonly authObjects: number;
  readonly elements: { readonly vertices: Record<string, number>; readonly edges: Record<string, number> } | null;
  readonly warnings: string[];
}

export interface RestorePlan {
  readonly job: RestoreJob;
  readonly items: ItemsRef;
  readonly summary: RestorePlanSummary;
}

export interface RestoreFilesInput {
  readonly BatchInput: { readonly job: RestoreJob };
  readonly Items: FileItem[];
}

export interface RestoreFilesResult {
  readonly files: { readonly name: string; readonly elements: number; readonly skipped: boolean }[];
}

/** What verify hands to finish through the state: totals only (per label, see {@link VerifyRecord}). */
export interface VerifyResult {
  readonly vertices: number;
  readonly edges: number;
  /** True when every label was also counted on the target. */
  readonly countedOnTarget: boolean;
}

/** Per-label figures of a verified restore, kept in the state location for finish. */
export interface VerifyRecord {
  /** Elements per label the backup held (= what the server acknowledged). */
  readonly expected: Record<'vertices' | 'edges', Record<string, number>>;
  /** What paging the target found, when it was counted. */
  readonly counted?: Record<'vertices' | 'edges', Record<string, number>>;
}

export interface RestoreSummary {
  readonly restoreId: string;
  readonly mode: RestoreMode;
  /** What was restored; absent in the plan records of earlier versions. */
  readonly contents?: readonly ContentKind[];
  readonly target: GraphRef;
  readonly source: string;
  readonly vertices: Record<string, number>;
  readonly edges: Record<string, number>;
  /** Variables set (and read back). */
  readonly variables?: number;
  /** Auth objects of the backup, and what was done on a conflict. */
  readonly auth?: { readonly objects: number; readonly onConflict: AuthConflictStrategy };
  readonly durationMs: number;
  readonly modeRestoredTo: string;
  /** True when the counts were also checked by reading the target back (`verifyTarget`). */
  readonly countedOnTarget: boolean;
}
