/** The data the HugeGraph client hands out and takes: pages, schema lists, batches, options. */
import type { EdgeLabel, IndexLabel, PropertyKey, SchemaElement, VertexLabel } from './schema';

export type GraphMode = 'NONE' | 'RESTORING' | 'MERGING' | 'LOADING';
export type GraphReadMode = 'ALL' | 'OLTP_ONLY' | 'OLAP_ONLY';
export type ElementKind = 'vertex' | 'edge';

export interface ServerVersions {
  /** `core`, e.g. `1.5.0`: what decides the API layout. */
  readonly core: string;
  readonly api?: string;
  readonly gremlin?: string;
}

export interface GraphInfo {
  readonly name: string;
  /** e.g. `rocksdb`, `memory` (no paging), `hbase`, `hstore`. */
  readonly backend: string;
}

/** One page (or one scan answer) of raw elements. */
export interface Page<E = string> {
  /** Raw JSON text of each element, exactly as the server wrote it (as text, or as bytes: {@link RawPage}). */
  readonly elements: E[];
  /** Token of the next page; null after the last page (and for unpaged scans). */
  readonly nextPage: string | null;
  /** Decompressed size of the response body in bytes. */
  readonly bytes: number;
  /** Raw JSON id of the last element (pass it as `afterId` when resuming from `nextPage`); null when empty. */
  readonly lastId: string | null;
  /** Repeated elements the server sent and the client dropped (see {@link dropRepeats}). */
  readonly duplicatesDropped: number;
}

/**
 * A range of a backend table, as `…/traversers/vertices|edges/shards` hands them out: `start` and
 * `end` are opaque positions (Base64 keys on RocksDB; '' is an open end). Consecutive ranges meet,
 * so a run of them is one range from the first start to the last end.
 */
export interface KeyRange {
  readonly start: string;
  readonly end: string;
}

/** A page whose elements are views of the answer's bytes, never decoded: what a backup writes. */
export type RawPage = Page<Buffer>;

/** How a page's elements are folded into one value as they arrive (see `HugeGraphClient.foldPage`). */
export interface ElementFold<T> {
  /** A fresh value for a page: also for an attempt that starts the page again after a lost connection. */
  readonly start: () => T;
  /** Adds one element, given as its bytes (a view that stays valid), to the page's value. */
  readonly add: (value: T, element: Buffer) => T;
}

/** A page folded into a value: {@link Page} without the elements. */
export interface FoldedPage<T> extends Omit<Page<never>, 'elements' | 'bytes'> {
  readonly value: T;
  /** Elements folded in (repeats dropped). */
  readonly elements: number;
}

export interface FetchPageOptions {
  /**
   * Raw id of the last element of the previous page (its `lastId`). A first element with this id
   * is a server repeat and is dropped. Needed only when resuming a token that another client
   * instance fetched (e.g. a cursor saved by an earlier Lambda call); a client remembers the
   * lastId of the tokens it handed out itself. Null: drop nothing.
   */
  readonly afterId?: string | null;
}

export interface PagesOptions {
  /** `limit` per request. */
  readonly pageSize: number;
  /** Resume from this page token (as returned in `nextPage`). @default the first page */
  readonly startPage?: string | null;
  /** With `startPage`: the `lastId` of the page before it. */
  readonly afterId?: string | null;
}

/** Parsed schema elements plus the server's own text of them (backup writes the server's bytes). */
export interface SchemaList<T extends SchemaElement> {
  readonly elements: T[];
  /** The array exactly as the server sent it, `[` to `]`. */
  readonly raw: string;
  /** Each element's raw text. */
  readonly rawElements: string[];
}

export interface Schema {
  readonly propertykeys: SchemaList<PropertyKey>;
  readonly vertexlabels: SchemaList<VertexLabel>;
  readonly edgelabels: SchemaList<EdgeLabel>;
  readonly indexlabels: SchemaList<IndexLabel>;
}

export interface SchemaInput {
  readonly propertykeys?: readonly PropertyKey[];
  readonly vertexlabels?: readonly VertexLabel[];
  readonly edgelabels?: readonly EdgeLabel[];
  readonly indexlabels?: readonly IndexLabel[];
}

export interface Task {
  readonly id: number;
  readonly task_type?: string;
  readonly task_name?: string;
  readonly task_status: string;
  readonly task_progress?: number;
  readonly task_result?: string;
  readonly [key: string]: unknown;
}

export interface WaitForTaskOptions {
  /** @default 300000 */
  readonly timeoutMs?: number;
  /** First poll delay; grows to 1 s. @default 100 */
  readonly pollIntervalMs?: number;
}

export interface BatchOptions {
  /**
   * The batch may be sent again after a time-out or a reset connection. True for edges (ids are
   * derived) and for vertices in RESTORING/MERGING mode or with customised ids; false only for
   * AUTOMATIC vertices in NONE mode. @default true
   */
  readonly idempotent?: boolean;
}

export interface EdgeBatchOptions extends BatchOptions {
  /** The server loads and checks both endpoints of every edge (slower). @default true */
  readonly checkVertex?: boolean;
}

/** A JSON array of elements as UTF-8 bytes (e.g. a backup line's array, sent as stored) and how many it holds. */
export interface RawBatch {
  readonly json: Uint8Array;
  readonly count: number;
}

/** A batch to create: one JSON array text, raw element texts, or a {@link RawBatch}. */
export type BatchInput = string | readonly string[] | RawBatch;

/** The kinds of auth objects, in the order a restore creates them (belongs and accesses point at the others). */
export const AUTH_KINDS = ['users', 'groups', 'targets', 'belongs', 'accesses'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];
