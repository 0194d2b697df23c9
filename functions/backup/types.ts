import type { GraphRef } from '../workflow/graph-ref';

export type ElementKind = 'vertex' | 'edge';

/** What `hgbr backup` or a schedule asks for. This is the state machine's input. */
export interface BackupRequest {
  readonly server: GraphRef;
  /** Backup root: a local path, file://…, or s3://bucket/prefix. */
  readonly location: string;
  /** Only these labels (vertex or edge); all when absent. */
  readonly labels?: string[];
  /** Keep this many complete backups of the graph; older ones are deleted. Absent: keep all. */
  readonly keep?: number;
  /** Elements per page requested from the server. */
  readonly pageSize?: number;
  /** Elements per file before a new file is started. */
  readonly elementsPerFile?: number;
  /** DEFLATE level of the data files, 0 (none) to 9 (smallest). @default 1 */
  readonly compressionLevel?: number;
}

/** One label to export: its name and its position, which names its files. */
export interface LabelWork {
  readonly kind: ElementKind;
  readonly label: string;
  readonly index: number;
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
}

export interface BackupPlan {
  readonly job: BackupJob;
  readonly vertexLabels: LabelWork[];
  readonly edgeLabels: LabelWork[];
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
  /** Sequence number of the next file of this label. */
  readonly fileSeq: number;
  /** Elements exported so far for this label. */
  readonly elements: number;
  readonly done: boolean;
}

export interface ExportChunkInput {
  readonly job: BackupJob;
  readonly work: LabelWork;
  readonly cursor: ExportCursor;
}

export interface BackupSummary {
  readonly backupId: string;
  readonly location: string;
  readonly graph: string;
  readonly vertices: Record<string, number>;
  readonly edges: Record<string, number>;
  readonly files: number;
  readonly bytes: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly deletedBackups: string[];
}
