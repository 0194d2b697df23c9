/**
 * Schema element types (as `GET G/schema` returns them) and the pure rules that turn a GET
 * element into a create body for a given target (docs/hugegraph-api.md §2.2 to §2.4 and §3.2).
 */
import { isJsonNumber, type JsonObject, type JsonValue } from '../json/lossless';
import { HugeGraphUsageError } from './errors';
import { versionAtLeast } from './version';

export type SchemaKind = 'propertykeys' | 'vertexlabels' | 'edgelabels' | 'indexlabels';
export const SCHEMA_KINDS: readonly SchemaKind[] = ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'];

export type DataType = 'OBJECT' | 'BOOLEAN' | 'BYTE' | 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'TEXT' | 'BLOB' | 'DATE' | 'UUID';
export type Cardinality = 'SINGLE' | 'LIST' | 'SET';
export type IdStrategy = 'DEFAULT' | 'AUTOMATIC' | 'PRIMARY_KEY' | 'CUSTOMIZE_STRING' | 'CUSTOMIZE_NUMBER' | 'CUSTOMIZE_UUID';
export type Frequency = 'DEFAULT' | 'SINGLE' | 'MULTIPLE';
export type IndexType = 'SECONDARY' | 'RANGE' | 'RANGE_INT' | 'RANGE_FLOAT' | 'RANGE_LONG' | 'RANGE_DOUBLE' | 'SEARCH' | 'SHARD' | 'UNIQUE';

/**
 * Fields common to the four kinds. Elements are parsed with `numbers: 'exact'`, so ids are plain
 * numbers (schema ids are small counters); any number a JS number cannot hold stays lossless.
 * Unknown fields of newer servers are kept as they are.
 */
export interface SchemaElement extends JsonObject {
  id?: number;
  name: string;
  status?: string;
  user_data?: JsonObject;
}

export interface PropertyKey extends SchemaElement {
  data_type?: DataType;
  cardinality?: Cardinality;
  aggregate_type?: string;
  write_type?: string;
  properties?: string[];
}

export interface VertexLabel extends SchemaElement {
  id_strategy?: IdStrategy;
  primary_keys?: string[];
  nullable_keys?: string[];
  index_labels?: string[];
  properties?: string[];
  ttl?: number;
  ttl_start_time?: string;
  enable_label_index?: boolean;
}

export interface EdgeLabel extends SchemaElement {
  /** 1.5.0+: NORMAL, PARENT or SUB. */
  edgelabel_type?: 'NORMAL' | 'PARENT' | 'SUB';
  parent_label?: string;
  /** 1.5.0+: `[{"<source>":"<target>"}]`. */
  links?: Record<string, string>[];
  source_label?: string;
  target_label?: string;
  frequency?: Frequency;
  sort_keys?: string[];
  nullable_keys?: string[];
  index_labels?: string[];
  properties?: string[];
  ttl?: number;
  ttl_start_time?: string;
  enable_label_index?: boolean;
}

export interface IndexLabel extends SchemaElement {
  base_type: 'VERTEX_LABEL' | 'EDGE_LABEL';
  base_value: string;
  index_type: IndexType;
  fields?: string[];
  rebuild?: boolean;
}

export interface SchemaCreateOptions {
  /**
   * Send the element's `id`. Only allowed, and then required, when the graph is in RESTORING mode
   * (§3.2); in every other mode ids are generated and must be left out. @default false
   */
  readonly keepId?: boolean;
  /**
   * The server's `check_exist`: true rejects an existing name (AlreadyExists); false accepts an
   * existing element with the same definition and returns it. @default true
   */
  readonly checkExist?: boolean;
}

export interface IndexLabelCreateOptions extends SchemaCreateOptions {
  /** Build the index over existing data (a task). With false the label is usable at once. @default true */
  readonly rebuild?: boolean;
  /** How long to wait for the index task. @default 300000 */
  readonly taskTimeoutMs?: number;
}

/** Fields the server writes in GET output but rejects (or ignores) in a create body. */
const OUTPUT_ONLY = ['status', 'index_labels'];
/** Edge-label fields that servers older than 1.5.0 reject as unknown. */
const EDGE_FIELDS_SINCE_1_5 = ['edgelabel_type', 'parent_label', 'links'];

function baseBody(element: SchemaElement, kind: string, options: SchemaCreateOptions): JsonObject {
  if (typeof element.name !== 'string' || element.name === '') {
    throw new HugeGraphUsageError(`A ${kind} needs a name`);
  }
  const body: JsonObject = { ...element };
  for (const f of OUTPUT_ONLY) delete body[f];
  delete body['check_exist'];
  if (options.keepId) {
    const id = element.id as JsonValue | undefined;
    if (!isJsonNumber(id) || Number(id) <= 0) {
      throw new HugeGraphUsageError(`The ${kind} '${element.name}' has no positive id to keep`, 'RESTORING mode needs the original schema ids');
    }
  } else {
    delete body['id'];
  }
  if (options.checkExist !== undefined) body['check_exist'] = options.checkExist;
  return body;
}

export function propertyKeyBody(element: PropertyKey, options: SchemaCreateOptions): JsonObject {
  return baseBody(element, 'property key', options);
}

export function vertexLabelBody(element: VertexLabel, options: SchemaCreateOptions): JsonObject {
  const body = baseBody(element, 'vertex label', options);
  if (body['ttl_start_time'] !== undefined && !(Number(body['ttl'] ?? 0) > 0)) delete body['ttl_start_time'];
  return body;
}

/**
 * Edge label body for a server of version `target`. To servers older than 1.5.0 the 1.5+ fields
 * are dropped (NORMAL labels only; PARENT and SUB labels cannot exist there). To 1.5.0+ a PARENT
 * label is sent without `links` (the server rejects them; subs register their links).
 */
export function edgeLabelBody(element: EdgeLabel, options: SchemaCreateOptions, target: string): JsonObject {
  const body = baseBody(element, 'edge label', options);
  const type = element.edgelabel_type ?? 'NORMAL';
  if (!versionAtLeast(target, '1.5.0')) {
    if (type !== 'NORMAL') {
      throw new HugeGraphUsageError(`The edge label '${element.name}' is a ${type} label; HugeGraph ${target} has no parent/sub edge labels`, 'restore into a 1.5.0 or newer server');
    }
    for (const f of EDGE_FIELDS_SINCE_1_5) delete body[f];
  } else if (type === 'PARENT') {
    delete body['links'];
  }
  if (body['ttl_start_time'] !== undefined && !(Number(body['ttl'] ?? 0) > 0)) delete body['ttl_start_time'];
  return body;
}

/** Index label body: `RANGE_INT/LONG/FLOAT/DOUBLE` (as `GET G/schema` shows them) become `RANGE`. */
export function indexLabelBody(element: IndexLabel, options: IndexLabelCreateOptions): JsonObject {
  const body = baseBody(element, 'index label', options);
  if (typeof body['index_type'] === 'string' && body['index_type'].startsWith('RANGE_')) body['index_type'] = 'RANGE';
  if (options.rebuild !== undefined) body['rebuild'] = options.rebuild;
  return body;
}

/** Orders edge labels so that PARENT labels come before the labels that name them. */
export function orderEdgeLabels<T extends EdgeLabel>(labels: readonly T[]): T[] {
  const parents = labels.filter((l) => l.edgelabel_type === 'PARENT');
  const rest = labels.filter((l) => l.edgelabel_type !== 'PARENT');
  return [...parents, ...rest];
}
