/**
 * The HugeGraph client as the workflow steps see it: small roles, each the calls one kind of step
 * makes, so that a step states what it touches and a test fakes only that. HugeGraphClient plays
 * every role; `runtime.connect` hands out a GraphSession.
 */
import type { JsonObject } from '../json/lossless';
import { AUTH_KINDS } from './types';
import type {
  AuthKind,
  BatchInput,
  EdgeBatchOptions,
  BatchOptions,
  ElementFold,
  ElementKind,
  FetchPageOptions,
  FoldedPage,
  GraphInfo,
  GraphMode,
  GraphReadMode,
  KeyRange,
  Page,
  PagesOptions,
  RawPage,
  Schema,
  SchemaList,
  WaitForTaskOptions,
} from './types';
import type { EdgeLabel, IndexLabel, IndexLabelCreateOptions, PropertyKey, SchemaCreateOptions, VertexLabel } from './schema';

/** What the server is and what the graph is stored in. */
export interface ServerInfo {
  /** `core` version, e.g. `1.5.0`. */
  readonly serverVersion: string;
  graphInfo(): Promise<GraphInfo>;
}

/** The graph's modes: a backup reads them, a restore sets RESTORING or MERGING and puts them back. */
export interface GraphModes {
  getMode(): Promise<GraphMode>;
  setMode(mode: GraphMode): Promise<GraphMode>;
  getReadMode(): Promise<GraphReadMode>;
}

/** The graph's variables (`G/variables`), as JSON text: a backup reads them, a restore sets them. */
export interface GraphVariables {
  /** The JSON object of every variable, as the server wrote it. */
  readVariables(): Promise<string>;
  /** Sets one variable to the value of this JSON text. */
  setVariable(key: string, rawValue: string): Promise<void>;
}

/** The graph's configuration (`G/conf`): the text of its properties file. */
export interface GraphConfigReader {
  readGraphConfig(): Promise<string>;
}

/** Users, groups, targets, belongs and accesses of a server with auth on. */
export interface AuthObjects {
  listAuth(kind: AuthKind): Promise<JsonObject[]>;
  createAuth(kind: AuthKind, body: JsonObject): Promise<JsonObject>;
  updateAuth(kind: AuthKind, id: string, body: JsonObject): Promise<JsonObject>;
}

/** Every auth object of the server, by kind. */
export async function listAllAuth(objects: AuthObjects): Promise<Record<AuthKind, JsonObject[]>> {
  const lists = await Promise.all(AUTH_KINDS.map((kind) => objects.listAuth(kind)));
  return Object.fromEntries(AUTH_KINDS.map((kind, i) => [kind, lists[i]])) as Record<AuthKind, JsonObject[]>;
}

/** The schema, parsed and as the server's own text. */
export interface SchemaReader {
  getSchema(): Promise<Schema>;
  listPropertyKeys(names?: readonly string[]): Promise<SchemaList<PropertyKey>>;
  listVertexLabels(names?: readonly string[]): Promise<SchemaList<VertexLabel>>;
  listEdgeLabels(names?: readonly string[]): Promise<SchemaList<EdgeLabel>>;
  listIndexLabels(names?: readonly string[]): Promise<SchemaList<IndexLabel>>;
}

/** Creates schema elements, as a restore's prepare step does. */
export interface SchemaWriter {
  createPropertyKey(element: PropertyKey, options?: SchemaCreateOptions): Promise<PropertyKey>;
  createVertexLabel(element: VertexLabel, options?: SchemaCreateOptions): Promise<VertexLabel>;
  createEdgeLabel(element: EdgeLabel, options?: SchemaCreateOptions): Promise<EdgeLabel>;
  createIndexLabel(element: IndexLabel, options?: IndexLabelCreateOptions): Promise<IndexLabel>;
}

/** Pages of a label: what a backup exports and what a verification counts. */
export interface GraphReader {
  fetchRawPage(kind: ElementKind, label: string | undefined, page: string | null, limit: number, options?: FetchPageOptions): Promise<RawPage>;
  pages(kind: ElementKind, label: string | undefined, options: PagesOptions): AsyncIterableIterator<Page>;
  foldPages<T>(kind: ElementKind, label: string | undefined, fold: ElementFold<T>, options: PagesOptions): AsyncIterableIterator<FoldedPage<T>>;
  count(kind: ElementKind, label: string | undefined, options?: { pageSize?: number }): Promise<number>;
}

/** Elements per label as the server counts them (a server-side job): what a backup's write check records. */
export interface LabelCounter {
  countPerLabel(kind: ElementKind, options?: WaitForTaskOptions): Promise<Record<string, number>>;
}

/** Key ranges of a table and their elements in key order, whatever their label: the fast backup read path. */
export interface GraphScanner {
  shards(kind: ElementKind, splitSize: number): Promise<KeyRange[]>;
  scanRawPage(kind: ElementKind, range: KeyRange, page: string | null, limit: number): Promise<RawPage>;
}

/** Batches of elements, as a restore writes them, and the one read it needs to settle a conflict. */
export interface GraphWriter {
  createVertices(input: BatchInput, options?: BatchOptions): Promise<string[]>;
  createEdges(input: BatchInput, options?: EdgeBatchOptions): Promise<string[]>;
  getVertex(rawId: string): Promise<string>;
}

/** Every role: what a workflow step may do on a graph. */
export interface GraphSession extends ServerInfo, GraphModes, GraphVariables, GraphConfigReader, LabelCounter, AuthObjects, SchemaReader, SchemaWriter, GraphReader, GraphScanner, GraphWriter {
  /** The same session with every call abandoned once `signal` aborts (an AbortedError then). */
  withSignal(signal: AbortSignal | undefined): GraphSession;
}
