/**
 * HugeGraph REST client (docs/hugegraph-api.md §1 to §6). Graph data is never parsed: list, scan and
 * batch calls deal in the raw JSON text of each element, found with the boundary scanner, so the
 * server's bytes pass through unchanged (docs/design-notes.md §3 and §7).
 */
import { abortableSleep } from '../abort';
import { isLosslessNumber, type JsonObject, parseLosslessObject, stringifyLossless } from '../json/lossless';
import { elementIdRaw, joinRawArray, scanArray, scanDocument, scanPage } from '../json/scan';
import { leadingIdBytes, scanPageBytes } from '../json/bytes';
import { PageStreamScanner } from '../json/page-stream';
import { HugeGraphBusyError, HugeGraphProtocolError, HugeGraphServerError, HugeGraphTaskFailedError, HugeGraphTimeoutError, HugeGraphUsageError } from './errors';
import { type HttpOptions, type HttpRequest, type HttpResponse, HugeGraphHttp, type QueryValue } from './http';
import {
  type EdgeLabel,
  edgeLabelBody,
  type IndexLabel,
  type IndexLabelCreateOptions,
  indexLabelBody,
  orderEdgeLabels,
  type PropertyKey,
  propertyKeyBody,
  type SchemaCreateOptions,
  type SchemaElement,
  type SchemaKind,
  SCHEMA_KINDS,
  type VertexLabel,
  vertexLabelBody,
} from './schema';
import type { GraphSession } from './session';
import type {
  AuthKind,
  BatchInput,
  BatchOptions,
  EdgeBatchOptions,
  ElementKind,
  ElementFold,
  FetchPageOptions,
  FoldedPage,
  GraphInfo,
  GraphMode,
  GraphReadMode,
  KeyRange,
  Page,
  PagesOptions,
  RawBatch,
  RawPage,
  Schema,
  SchemaInput,
  SchemaList,
  ServerVersions,
  Task,
  WaitForTaskOptions,
} from './types';
import { usesGraphspaces } from './version';

export * from './types';

export interface ConnectOptions extends HttpOptions {
  /** Graph name, e.g. `hugegraph`. */
  readonly graph: string;
  /** Graphspace, used from server 1.7.0 on. @default 'DEFAULT' */
  readonly graphspace?: string;
}

const COMPLETED_TASK = new Set(['success', 'failed', 'cancelled']);
const CLEAR_CONFIRM = "I'm sure to delete all data";

const ARRAY_KEY: Record<ElementKind, 'vertices' | 'edges'> = { vertex: 'vertices', edge: 'edges' };

/** Largest batch the server accepts by default (`batch.max_vertices_per_batch`, `batch.max_edges_per_batch`). */
export const MAX_BATCH_SIZE = 500;

/** The smallest split size the server accepts for shards (400 "The split-size must be >= 1048576 bytes"). */
export const MIN_SPLIT_SIZE = 1024 * 1024;

function asObject(text: string, what: string): JsonObject {
  try {
    return parseLosslessObject(text, { numbers: 'exact' });
  } catch (cause) {
    throw new HugeGraphProtocolError(`Unexpected ${what} from HugeGraph: ${text.slice(0, 200)}`, undefined, { cause });
  }
}

function stringField(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new HugeGraphProtocolError(`HugeGraph ${what} has no string '${key}'`);
  return v;
}

/**
 * Drops elements the server repeats. HugeGraph 1.5.0 (RocksDB) label queries with `limit` >= 500
 * send the last element of every internal batch of 500 twice: once more right after itself, in the
 * same page or as the first element of the next page. A repeat is byte-identical to the element
 * before it; distinct elements never are (their ids differ).
 */
export function dropRepeats(elements: string[], afterId: string | null): { elements: string[]; dropped: number } {
  return dropRepeatsOf(elements, afterId, elementIdRaw, (a, b) => a === b);
}

/** {@link dropRepeats} for elements as bytes (views of the answer). */
export function dropRepeatedBytes(elements: Buffer[], afterId: string | null): { elements: Buffer[]; dropped: number } {
  return dropRepeatsOf(elements, afterId, elementIdOfBytes, (a, b) => a.equals(b));
}

/** Raw JSON id of an element given as bytes: read in place when it comes first, as the server writes it. */
function elementIdOfBytes(element: Buffer): string | undefined {
  return leadingIdBytes(element) ?? elementIdRaw(element.toString('utf8'));
}

function dropRepeatsOf<T>(elements: T[], afterId: string | null, idOf: (e: T) => string | undefined, same: (a: T, b: T) => boolean): { elements: T[]; dropped: number } {
  let out: T[] | undefined;
  for (let k = 0; k < elements.length; k++) {
    const e = elements[k] as T;
    const repeat = k === 0 ? afterId !== null && idOf(e) === afterId : same(e, elements[k - 1] as T);
    if (repeat) out ??= elements.slice(0, k);
    else out?.push(e);
  }
  return out ? { elements: out, dropped: elements.length - out.length } : { elements, dropped: 0 };
}

/** A copy of `text` that shares no memory with the string it was sliced from. */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit <= 0) throw new HugeGraphUsageError(`Page size must be a positive integer, not ${limit}`);
}

/** A fold that keeps nothing: what a count needs (a folded page says how many elements it had). */
const NOTHING: ElementFold<undefined> = { start: () => undefined, add: () => undefined };

/** One page's elements folded as they come, repeats dropped as {@link dropRepeatsOf} drops them. */
class PageFolding<T> {
  private value: T;
  private previous: Buffer | undefined;
  private last: Buffer | undefined;
  private elements = 0;
  private dropped = 0;

  constructor(
    private readonly fold: ElementFold<T>,
    private readonly afterId: string | null,
  ) {
    this.value = fold.start();
  }

  add(element: Buffer): void {
    const repeat = this.previous === undefined ? this.afterId !== null && elementIdOfBytes(element) === this.afterId : element.equals(this.previous);
    this.previous = element;
    if (repeat) {
      this.dropped++;
      return;
    }
    this.last = element;
    this.elements++;
    this.value = this.fold.add(this.value, element);
  }

  result(nextPage: string | null): FoldedPage<T> {
    const lastId = this.last === undefined ? null : (elementIdOfBytes(this.last) ?? null);
    return { value: this.value, elements: this.elements, nextPage, lastId, duplicatesDropped: this.dropped };
  }
}

function isRawBatch(input: BatchInput): input is RawBatch {
  return typeof input === 'object' && 'json' in input;
}

export class HugeGraphClient implements GraphSession {
  /** `core` version reported by `GET /versions`, e.g. `1.5.0`. */
  readonly serverVersion: string;
  readonly versions: ServerVersions;
  readonly graph: string;
  readonly graphspace: string;
  /** Path of the graph root (`G`) below the base URL. */
  readonly graphPath: string;
  private readonly http: HugeGraphHttp;
  /** nextPage token → lastId of the page that returned it (bounded), for dropping boundary repeats. */
  private readonly lastIdByToken: Map<string, string>;
  /** Every request of this client is abandoned when it aborts (see {@link withSignal}). */
  private readonly signal?: AbortSignal;

  private constructor(http: HugeGraphHttp, versions: ServerVersions, graph: string, graphspace: string, lastIdByToken = new Map<string, string>(), signal?: AbortSignal) {
    this.http = http;
    this.lastIdByToken = lastIdByToken;
    this.signal = signal;
    this.versions = versions;
    this.serverVersion = versions.core;
    this.graph = graph;
    this.graphspace = graphspace;
    this.graphPath = usesGraphspaces(versions.core) ? `/graphspaces/${encodeURIComponent(graphspace)}/graphs/${encodeURIComponent(graph)}` : `/graphs/${encodeURIComponent(graph)}`;
  }

  /** Detects the server version (`GET /versions`, no auth needed) and returns a client for `graph`. */
  static async connect(options: ConnectOptions): Promise<HugeGraphClient> {
    if (!options.graph) throw new HugeGraphUsageError('A graph name is required');
    const http = new HugeGraphHttp(options);
    try {
      const versions = await HugeGraphClient.fetchVersions(http);
      return new HugeGraphClient(http, versions, options.graph, options.graphspace ?? 'DEFAULT');
    } catch (err) {
      await http.close();
      throw err;
    }
  }

  /**
   * The graphs of a server (of a graph space from 1.7.0) that these credentials may read:
   * `GET /graphs` (`/graphspaces/<gs>/graphs`), sorted by name.
   */
  static async listGraphs(options: Omit<ConnectOptions, 'graph'>): Promise<string[]> {
    const http = new HugeGraphHttp(options);
    try {
      const versions = await HugeGraphClient.fetchVersions(http);
      const path = usesGraphspaces(versions.core) ? `/graphspaces/${encodeURIComponent(options.graphspace ?? 'DEFAULT')}/graphs` : '/graphs';
      const graphs = asObject((await http.request({ method: 'GET', path, idempotent: true })).text(), `answer to GET ${path}`)['graphs'];
      if (!Array.isArray(graphs) || !graphs.every((g) => typeof g === 'string')) throw new HugeGraphProtocolError(`GET ${path} gave no list of graph names`);
      return [...(graphs as string[])].sort();
    } finally {
      await http.close();
    }
  }

  /**
   * The graph spaces of a server that these credentials may list (`GET /graphspaces`), DEFAULT
   * always among them, sorted; `[]` before 1.7.0, which has none. A 1.7.0 server without PD (one
   * store, RocksDB) lists none at all although its graphs are in DEFAULT (docs/server-facts.md).
   */
  static async listGraphSpaces(options: Omit<ConnectOptions, 'graph' | 'graphspace'>): Promise<string[]> {
    const http = new HugeGraphHttp(options);
    try {
      const versions = await HugeGraphClient.fetchVersions(http);
      if (!usesGraphspaces(versions.core)) return [];
      const path = '/graphspaces';
      const spaces = asObject((await http.request({ method: 'GET', path, idempotent: true })).text(), `answer to GET ${path}`)['graphSpaces'];
      if (!Array.isArray(spaces) || !spaces.every((s) => typeof s === 'string')) throw new HugeGraphProtocolError(`GET ${path} gave no list of graph space names`);
      return [...new Set(['DEFAULT', ...(spaces as string[])])].sort();
    } finally {
      await http.close();
    }
  }

  private static async fetchVersions(http: HugeGraphHttp): Promise<ServerVersions> {
    const req: HttpRequest = { method: 'GET', path: '/versions', idempotent: true };
    let res: HttpResponse;
    try {
      // A refused connection at the very start is a wrong URL or a stopped server: fail at once.
      // Only a busy or failing server is worth the usual retries.
      res = await http.request({ ...req, retry: false });
    } catch (err) {
      if (!(err instanceof HugeGraphBusyError || err instanceof HugeGraphServerError)) throw err;
      res = await http.request(req);
    }
    const body = asObject(res.text(), 'answer to GET /versions');
    const v = body['versions'];
    if (!v || typeof v !== 'object' || Array.isArray(v) || isLosslessNumber(v) || typeof (v as JsonObject)['core'] !== 'string') {
      throw new HugeGraphProtocolError(`GET /versions did not report a core version: ${res.text().slice(0, 200)}`);
    }
    const o = v as JsonObject;
    return {
      core: o['core'] as string,
      api: typeof o['api'] === 'string' ? o['api'] : undefined,
      gremlin: typeof o['gremlin'] === 'string' ? o['gremlin'] : undefined,
    };
  }

  /**
   * This client with every request, retry and wait abandoned once `signal` aborts (then failing
   * with an AbortedError). It shares the connection pool: close the original, not this view.
   */
  withSignal(signal: AbortSignal | undefined): HugeGraphClient {
    return new HugeGraphClient(this.http, this.versions, this.graph, this.graphspace, this.lastIdByToken, signal);
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.http.close();
  }

  /** Every request of the graph goes here, so that it carries this client's signal. */
  private send(req: HttpRequest): Promise<HttpResponse> {
    return this.http.request(this.signal ? { ...req, signal: this.signal } : req);
  }

  private g(path = ''): string {
    return `${this.graphPath}${path}`;
  }

  private async getText(path: string, query?: Record<string, QueryValue>): Promise<HttpResponse> {
    return this.send({ method: 'GET', path, query, idempotent: true });
  }

  private async getObject(path: string, query?: Record<string, QueryValue>): Promise<JsonObject> {
    const res = await this.getText(path, query);
    return asObject(res.text(), `answer to GET ${path}`);
  }

  // ---- graph -------------------------------------------------------------------------------

  /** `GET G`: name and backend. */
  async graphInfo(): Promise<GraphInfo> {
    const o = await this.getObject(this.g());
    return { name: stringField(o, 'name', 'graph info'), backend: stringField(o, 'backend', 'graph info') };
  }

  async getMode(): Promise<GraphMode> {
    return stringField(await this.getObject(this.g('/mode')), 'mode', 'mode') as GraphMode;
  }

  /** `PUT G/mode` with a bare JSON string body. The mode is held in server memory (resets on restart). */
  async setMode(mode: GraphMode): Promise<GraphMode> {
    const res = await this.send({ method: 'PUT', path: this.g('/mode'), body: JSON.stringify(mode), idempotent: true });
    return stringField(asObject(res.text(), 'answer to PUT mode'), 'mode', 'mode') as GraphMode;
  }

  async getReadMode(): Promise<GraphReadMode> {
    return stringField(await this.getObject(this.g('/graph_read_mode')), 'graph_read_mode', 'read mode') as GraphReadMode;
  }

  /** Deletes all schema, data and indexes of the graph (`DELETE G/clear`). */
  async clear(): Promise<void> {
    await this.send({
      method: 'DELETE',
      path: this.g('/clear'),
      query: { confirm_message: CLEAR_CONFIRM },
      idempotent: true,
    });
  }

  // ---- variables ---------------------------------------------------------------------------

  /** `GET G/variables`: the JSON object of every variable, as the server wrote it. */
  /**
   * `GET G/conf`: the text of the graph's properties file (1.0.0 to 1.7.0; admin only where auth
   * is on). 1.7.0 serves it as `application/json` although it is properties text.
   */
  async readGraphConfig(): Promise<string> {
    return (await this.getText(this.g('/conf'))).text();
  }

  async readVariables(): Promise<string> {
    return (await this.getText(this.g('/variables'))).text();
  }

  /**
   * `PUT G/variables/<key>` with `{"data": <value>}`; the value's JSON text is sent as given, so
   * the server picks the same type again (`1.0` a double, `1` an int). Setting a key is idempotent.
   */
  async setVariable(key: string, rawValue: string): Promise<void> {
    await this.send({ method: 'PUT', path: this.g(`/variables/${encodeURIComponent(key)}`), body: `{"data":${rawValue}}`, idempotent: true });
  }

  // ---- auth --------------------------------------------------------------------------------

  /** Where the server keeps one kind of auth object: below the graph before 1.7.0; in the graph space (groups server-wide) from 1.7.0. */
  private authPath(kind: AuthKind, id?: string): string {
    const base = !usesGraphspaces(this.serverVersion) ? `${this.graphPath}/auth/${kind}` : kind === 'groups' ? '/auth/groups' : `/graphspaces/${encodeURIComponent(this.graphspace)}/auth/${kind}`;
    return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
  }

  /** Every auth object of a kind (`GET …/auth/<kind>?limit=-1`), parsed without losing a number. */
  async listAuth(kind: AuthKind): Promise<JsonObject[]> {
    const o = await this.getObject(this.authPath(kind), { limit: -1 });
    const list = o[kind];
    if (!Array.isArray(list)) throw new HugeGraphProtocolError(`GET auth/${kind} gave no '${kind}' list`);
    return list as JsonObject[];
  }

  /** Creates an auth object; the server answers it with the id it chose. */
  async createAuth(kind: AuthKind, body: JsonObject): Promise<JsonObject> {
    const res = await this.send({ method: 'POST', path: this.authPath(kind), body: stringifyLossless(body), idempotent: false });
    return asObject(res.text(), `answer to POST auth/${kind}`);
  }

  /** Changes an auth object's fields (`PUT …/auth/<kind>/<id>`). */
  async updateAuth(kind: AuthKind, id: string, body: JsonObject): Promise<JsonObject> {
    const res = await this.send({ method: 'PUT', path: this.authPath(kind, id), body: stringifyLossless(body), idempotent: true });
    return asObject(res.text(), `answer to PUT auth/${kind}`);
  }

  // ---- schema ------------------------------------------------------------------------------

  private toSchemaList<T extends SchemaElement>(doc: ReturnType<typeof scanDocument>, kind: SchemaKind): SchemaList<T> {
    const arr = doc.arrays[kind];
    if (!arr) throw new HugeGraphProtocolError(`HugeGraph schema answer has no '${kind}' list`);
    return {
      elements: arr.elements.map((e) => asObject(e, `${kind} element`) as T),
      raw: arr.raw,
      rawElements: arr.elements,
    };
  }

  /** `GET G/schema`: all four kinds. Index labels keep the server's `RANGE_*` types here. */
  async getSchema(): Promise<Schema> {
    const res = await this.getText(this.g('/schema'));
    const doc = scanDocument(res.text(), SCHEMA_KINDS);
    return {
      propertykeys: this.toSchemaList<PropertyKey>(doc, 'propertykeys'),
      vertexlabels: this.toSchemaList<VertexLabel>(doc, 'vertexlabels'),
      edgelabels: this.toSchemaList<EdgeLabel>(doc, 'edgelabels'),
      indexlabels: this.toSchemaList<IndexLabel>(doc, 'indexlabels'),
    };
  }

  private async listSchema<T extends SchemaElement>(kind: SchemaKind, names?: readonly string[]): Promise<SchemaList<T>> {
    const res = await this.getText(this.g(`/schema/${kind}`), names ? { names } : undefined);
    return this.toSchemaList<T>(scanDocument(res.text(), [kind]), kind);
  }

  listPropertyKeys(names?: readonly string[]): Promise<SchemaList<PropertyKey>> {
    return this.listSchema('propertykeys', names);
  }

  listVertexLabels(names?: readonly string[]): Promise<SchemaList<VertexLabel>> {
    return this.listSchema('vertexlabels', names);
  }

  listEdgeLabels(names?: readonly string[]): Promise<SchemaList<EdgeLabel>> {
    return this.listSchema('edgelabels', names);
  }

  listIndexLabels(names?: readonly string[]): Promise<SchemaList<IndexLabel>> {
    return this.listSchema('indexlabels', names);
  }

  private async getSchemaElement<T extends SchemaElement>(kind: SchemaKind, name: string): Promise<T> {
    return (await this.getObject(this.g(`/schema/${kind}/${encodeURIComponent(name)}`))) as T;
  }

  /** One vertex label by name (the tools look up a label's id); NotFound when missing. */
  getVertexLabel(name: string): Promise<VertexLabel> {
    return this.getSchemaElement('vertexlabels', name);
  }

  private async postSchema(kind: SchemaKind, body: JsonObject, checkExist: boolean | undefined): Promise<JsonObject> {
    const res = await this.send({
      method: 'POST',
      path: this.g(`/schema/${kind}`),
      body: stringifyLossless(body),
      // With check_exist false an identical element is accepted, so a repeat is harmless.
      idempotent: checkExist === false,
    });
    return asObject(res.text(), `answer to POST schema/${kind}`);
  }

  /** Unwraps `{"<wrapper>": {...}, "task_id": n}` (property keys, index labels) and waits for the task. */
  private async unwrapTask<T>(o: JsonObject, wrapper: string, timeoutMs?: number): Promise<T> {
    const inner = o[wrapper];
    const taskId = o['task_id'];
    if (typeof taskId === 'number' && taskId > 0) await this.waitForTask(taskId, { timeoutMs });
    return (inner && typeof inner === 'object' && !Array.isArray(inner) ? inner : o) as T;
  }

  /** Creates a property key; waits for the task of an OLAP key. Returns the element as created. */
  async createPropertyKey(element: PropertyKey, options: SchemaCreateOptions = {}): Promise<PropertyKey> {
    const o = await this.postSchema('propertykeys', propertyKeyBody(element, options), options.checkExist);
    return this.unwrapTask<PropertyKey>(o, 'property_key');
  }

  async createVertexLabel(element: VertexLabel, options: SchemaCreateOptions = {}): Promise<VertexLabel> {
    return (await this.postSchema('vertexlabels', vertexLabelBody(element, options), options.checkExist)) as VertexLabel;
  }

  /** Drops 1.5+-only fields for older servers and `links` of PARENT labels (see schema.ts). */
  async createEdgeLabel(element: EdgeLabel, options: SchemaCreateOptions = {}): Promise<EdgeLabel> {
    const body = edgeLabelBody(element, options, this.serverVersion);
    return (await this.postSchema('edgelabels', body, options.checkExist)) as EdgeLabel;
  }

  /** Creates an index label (`RANGE_*` sent as `RANGE`) and waits for its index task. */
  async createIndexLabel(element: IndexLabel, options: IndexLabelCreateOptions = {}): Promise<IndexLabel> {
    const o = await this.postSchema('indexlabels', indexLabelBody(element, options), options.checkExist);
    return this.unwrapTask<IndexLabel>(o, 'index_label', options.taskTimeoutMs);
  }

  /** Creates schema in dependency order: property keys, vertex labels, edge labels (parents first), index labels. */
  async createSchema(schema: SchemaInput, options: IndexLabelCreateOptions = {}): Promise<void> {
    for (const e of schema.propertykeys ?? []) await this.createPropertyKey(e, options);
    for (const e of schema.vertexlabels ?? []) await this.createVertexLabel(e, options);
    for (const e of orderEdgeLabels(schema.edgelabels ?? [])) await this.createEdgeLabel(e, options);
    for (const e of schema.indexlabels ?? []) await this.createIndexLabel(e, options);
  }

  // ---- tasks -------------------------------------------------------------------------------

  private async getTask(id: number): Promise<Task> {
    const o = await this.getObject(this.g(`/tasks/${id}`));
    if (typeof o['task_status'] !== 'string') throw new HugeGraphProtocolError(`Task ${id} has no task_status`);
    return o as unknown as Task;
  }

  /** Polls `GET G/tasks/{id}` until the task ends; `failed`/`cancelled` → {@link HugeGraphTaskFailedError}. */
  async waitForTask(id: number, options: WaitForTaskOptions = {}): Promise<Task> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    const deadline = Date.now() + timeoutMs;
    let interval = options.pollIntervalMs ?? 100;
    for (;;) {
      const task = await this.getTask(id);
      if (COMPLETED_TASK.has(task.task_status)) {
        if (task.task_status !== 'success') {
          const result: unknown = task.task_result;
          const text = result === undefined || result === null ? undefined : typeof result === 'string' ? result : stringifyLossless(result);
          throw new HugeGraphTaskFailedError(id, task.task_status, text, task.task_name);
        }
        return task;
      }
      if (Date.now() + interval > deadline) {
        throw new HugeGraphTimeoutError(`HugeGraph task ${id} (${task.task_name ?? task.task_type ?? '?'}) is still ${task.task_status} after ${timeoutMs} ms`);
      }
      await abortableSleep(interval, this.signal);
      interval = Math.min(1000, Math.ceil(interval * 1.5));
    }
  }

  /**
   * Elements per label, counted by the server itself: the `count_vertex` / `count_edge` algorithm
   * job (`POST G/jobs/algorithm/…`), one server-side pass over the kind with nothing sent back but
   * the counts. Hidden labels (`~variables`, `~task`) are left out.
   */
  async countPerLabel(kind: ElementKind, options: WaitForTaskOptions = {}): Promise<Record<string, number>> {
    const res = await this.send({ method: 'POST', path: this.g(`/jobs/algorithm/count_${kind}`), body: '{}', idempotent: true });
    const taskId = asObject(res.text(), `answer to POST jobs/algorithm/count_${kind}`)['task_id'];
    if (typeof taskId !== 'number') throw new HugeGraphProtocolError(`count_${kind} job answer has no task_id`);
    const task = await this.waitForTask(taskId, options);
    const result: unknown = typeof task.task_result === 'string' ? JSON.parse(task.task_result) : task.task_result;
    if (typeof result !== 'object' || result === null) throw new HugeGraphProtocolError(`count_${kind} task ${taskId} gave no counts`);
    return Object.fromEntries(Object.entries(result as Record<string, unknown>).filter(([label, n]) => label !== '*' && !label.startsWith('~') && typeof n === 'number')) as Record<string, number>;
  }

  // ---- data --------------------------------------------------------------------------------

  private pageOf(res: HttpResponse, kind: ElementKind, afterId?: string | null): Page {
    const scanned = scanPage(res.text(), ARRAY_KEY[kind]);
    const { elements, dropped } = dropRepeats(scanned.elements, afterId ?? null);
    const last = elements[elements.length - 1];
    return {
      elements,
      nextPage: scanned.page,
      bytes: res.bytes,
      lastId: last === undefined ? null : (elementIdRaw(last) ?? null),
      duplicatesDropped: dropped,
    };
  }

  private rawPageOf(res: HttpResponse, kind: ElementKind, afterId?: string | null): RawPage {
    const scanned = scanPageBytes(res.body, ARRAY_KEY[kind]);
    const { elements, dropped } = dropRepeatedBytes(scanned.elements, afterId ?? null);
    const last = elements[elements.length - 1];
    return {
      elements,
      nextPage: scanned.page,
      bytes: res.bytes,
      lastId: last === undefined ? null : (elementIdOfBytes(last) ?? null),
      duplicatesDropped: dropped,
    };
  }

  /**
   * One page of `GET G/graph/vertices|edges?label=…&page=…&limit=…`. `page` null or '' asks for the
   * first page. Used by a backup step that resumes from a saved cursor.
   */
  fetchPage(kind: ElementKind, label: string | undefined, page: string | null, limit: number, options: FetchPageOptions = {}): Promise<Page> {
    return this.fetchPageAs(kind, label, page, limit, options, (res, afterId) => this.pageOf(res, kind, afterId));
  }

  /** {@link fetchPage} with the elements as views of the answer's bytes, never decoded. */
  fetchRawPage(kind: ElementKind, label: string | undefined, page: string | null, limit: number, options: FetchPageOptions = {}): Promise<RawPage> {
    return this.fetchPageAs(kind, label, page, limit, options, (res, afterId) => this.rawPageOf(res, kind, afterId));
  }

  private async fetchPageAs<P extends Page<unknown>>(
    kind: ElementKind,
    label: string | undefined,
    page: string | null,
    limit: number,
    options: FetchPageOptions,
    parse: (res: HttpResponse, afterId: string | null | undefined) => P,
  ): Promise<P> {
    checkLimit(limit);
    const res = await this.getText(this.g(`/graph/${ARRAY_KEY[kind]}`), { label, page: page ?? '', limit });
    const result = parse(res, this.afterIdOf(page, options));
    this.remember(result.nextPage, result.lastId);
    return result;
  }

  /**
   * {@link fetchRawPage}, streamed: the page's elements are folded into a value as the answer
   * arrives, so reading it holds one element at a time, not the page (what a count needs, at any
   * page size). Repeats are dropped as {@link fetchPage} drops them.
   */
  async foldPage<T>(kind: ElementKind, label: string | undefined, page: string | null, limit: number, fold: ElementFold<T>, options: FetchPageOptions = {}): Promise<FoldedPage<T>> {
    checkLimit(limit);
    const afterId = this.afterIdOf(page, options) ?? null;
    const req: HttpRequest = { method: 'GET', path: this.g(`/graph/${ARRAY_KEY[kind]}`), query: { label, page: page ?? '', limit }, idempotent: true };
    const result = await this.http.requestStreaming(this.signal ? { ...req, signal: this.signal } : req, async (body) => {
      const folding = new PageFolding(fold, afterId);
      const scanner = new PageStreamScanner(ARRAY_KEY[kind], (element) => folding.add(element));
      for await (const chunk of body) scanner.push(chunk);
      return folding.result(scanner.end().page);
    });
    this.remember(result.nextPage, result.lastId);
    return result;
  }

  /** Without an explicit afterId, the lastId of the page that handed out this token, if this client fetched it (a cursor resumed from another process must pass afterId itself). */
  private afterIdOf(page: string | null, options: FetchPageOptions): string | null | undefined {
    return options.afterId !== undefined ? options.afterId : page ? this.lastIdByToken.get(page) : undefined;
  }

  private remember(nextPage: string | null, lastId: string | null): void {
    if (!nextPage || lastId === null) return;
    // Copies, not slices: a slice of the page's text (key or value) keeps the whole page alive.
    this.lastIdByToken.set(detached(nextPage), detached(lastId));
    if (this.lastIdByToken.size > 64) this.lastIdByToken.delete(this.lastIdByToken.keys().next().value as string);
  }

  /**
   * `GET G/traversers/vertices|edges/shards?split_size=`: the table cut into ranges of about
   * `splitSize` bytes of storage (the server's estimate; ≥ 1 MiB). Edges are split on the OUT-edge
   * table, so every edge lies in exactly one range.
   */
  async shards(kind: ElementKind, splitSize: number): Promise<KeyRange[]> {
    if (!Number.isInteger(splitSize) || splitSize < MIN_SPLIT_SIZE) throw new HugeGraphUsageError(`The split size must be a whole number ≥ ${MIN_SPLIT_SIZE} bytes, not ${splitSize}`);
    const o = await this.getObject(this.g(`/traversers/${ARRAY_KEY[kind]}/shards`), { split_size: splitSize });
    const shards = o['shards'];
    if (!Array.isArray(shards)) throw new HugeGraphProtocolError("HugeGraph shards answer has no 'shards' list");
    return shards.map((s, i) => {
      if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new HugeGraphProtocolError(`HugeGraph shard ${i} is not an object`);
      const x = s as JsonObject;
      return { start: stringField(x, 'start', `shard ${i}`), end: stringField(x, 'end', `shard ${i}`) };
    });
  }

  /**
   * One page of `GET G/traversers/vertices|edges/scan?start=&end=&page=&page_limit=` over a key
   * range: every element once, in key order, whatever its label. `page` null asks for the first page;
   * the answer's `nextPage` is null after the last one.
   */
  scanRawPage(kind: ElementKind, range: KeyRange, page: string | null, limit: number): Promise<RawPage> {
    checkLimit(limit);
    return this.getText(this.g(`/traversers/${ARRAY_KEY[kind]}/scan`), { start: range.start, end: range.end, page: page ?? '', page_limit: limit }).then((res) => this.rawPageOf(res, kind, null));
  }

  /** Every page of a label in order, until the server's `page` is null; repeats are dropped across pages too. */
  pages(kind: ElementKind, label: string | undefined, options: PagesOptions): AsyncIterableIterator<Page> {
    return this.eachPage(options, (page, afterId) => this.fetchPage(kind, label, page, options.pageSize, { afterId }));
  }

  /** {@link pages}, each folded as it arrives ({@link foldPage}). */
  foldPages<T>(kind: ElementKind, label: string | undefined, fold: ElementFold<T>, options: PagesOptions): AsyncIterableIterator<FoldedPage<T>> {
    return this.eachPage(options, (page, afterId) => this.foldPage(kind, label, page, options.pageSize, fold, { afterId }));
  }

  private async *eachPage<P extends { nextPage: string | null; lastId: string | null }>(
    options: PagesOptions,
    fetch: (page: string | null, afterId: string | null | undefined) => Promise<P>,
  ): AsyncIterableIterator<P> {
    let page: string | null = options.startPage ?? null;
    let afterId: string | null | undefined = options.afterId;
    for (;;) {
      const p = await fetch(page, afterId);
      yield p;
      if (p.nextPage === null || p.nextPage === '') return;
      page = p.nextPage;
      if (p.lastId !== null) afterId = p.lastId;
    }
  }

  /** Number of elements of a label, by paging through it (for tests and verification); one element in memory at a time. */
  async count(kind: ElementKind, label: string | undefined, options: { pageSize?: number } = {}): Promise<number> {
    let n = 0;
    for await (const p of this.foldPages(kind, label, NOTHING, { pageSize: options.pageSize ?? 10_000 })) n += p.elements;
    return n;
  }

  /** Raw JSON text of one vertex, by its raw JSON id (`123` or `"1:marko"`); NotFound when missing. */
  async getVertex(rawId: string): Promise<string> {
    const res = await this.getText(this.g(`/graph/vertices/${encodeURIComponent(rawId)}`));
    return res.text();
  }

  private batchBody(input: BatchInput, what: string): { body: string | Uint8Array; count: number } {
    let count: number;
    let body: string | Uint8Array;
    if (typeof input === 'string') {
      count = scanArray(input).length;
      body = input;
    } else if (isRawBatch(input)) {
      ({ json: body, count } = input);
    } else {
      count = input.length;
      body = joinRawArray(input);
    }
    if (count === 0) throw new HugeGraphUsageError(`No ${what} to create`);
    if (count > MAX_BATCH_SIZE) {
      throw new HugeGraphUsageError(`${count} ${what} in one batch; HugeGraph accepts at most ${MAX_BATCH_SIZE}`, 'split the batch');
    }
    return { body, count };
  }

  private async postBatch(kind: ElementKind, input: BatchInput, query: Record<string, QueryValue> | undefined, idempotent: boolean): Promise<string[]> {
    const { body, count } = this.batchBody(input, ARRAY_KEY[kind]);
    const res = await this.send({
      method: 'POST',
      path: this.g(`/graph/${ARRAY_KEY[kind]}/batch`),
      query,
      body,
      gzip: true,
      idempotent,
    });
    const ids = scanArray(res.text());
    if (ids.length !== count) {
      throw new HugeGraphProtocolError(`Sent ${count} ${ARRAY_KEY[kind]} but HugeGraph answered with ${ids.length} ids`);
    }
    return ids;
  }

  /**
   * `POST G/graph/vertices/batch` (gzip body with `requestGzipLevel`): at most 500 vertices, as one
   * JSON array text, as raw element texts, or as the bytes of an array with its element count.
   * Returns each created id's raw JSON text (`123`, `"1:marko"`).
   */
  createVertices(input: BatchInput, options: BatchOptions = {}): Promise<string[]> {
    return this.postBatch('vertex', input, undefined, options.idempotent ?? true);
  }

  /** `POST G/graph/edges/batch?check_vertex=`; edges need `outVLabel` and `inVLabel`. Returns raw edge ids. */
  createEdges(input: BatchInput, options: EdgeBatchOptions = {}): Promise<string[]> {
    return this.postBatch('edge', input, { check_vertex: options.checkVertex ?? true }, options.idempotent ?? true);
  }
}
