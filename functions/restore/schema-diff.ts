/**
 * Comparing a backup's schema with a target's, by name (pure). Two elements are identical when
 * every field that shapes the data is equal after the server's defaults are applied; ids, status,
 * `user_data` (creation times) and output-only lists (`index_labels`) never count.
 *
 * This is stricter than the server's own `check_exist: false` test (docs/hugegraph-api.md §2.4), which
 * ignores for instance a vertex label's id strategy and ttl: a label that differs there would
 * accept the create and then reject, or silently change, the backup's data.
 */
import { orderEdgeLabels, type EdgeLabel, type IndexLabel, type PropertyKey, type SchemaElement, type VertexLabel } from '../hugegraph';
import { stringifyLossless } from '../json/lossless';
import type { SchemaConflict } from './errors';
import type { SchemaSet } from './source';

export type SchemaKind = keyof SchemaSet;
export const SCHEMA_KIND_ORDER: readonly SchemaKind[] = ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'];

const KIND_NAMES: Record<SchemaKind, SchemaConflict['kind']> = {
  propertykeys: 'property key',
  vertexlabels: 'vertex label',
  edgelabels: 'edge label',
  indexlabels: 'index label',
};

export type NamesByKind = Record<SchemaKind, string[]>;

export interface SchemaComparison {
  /** In the backup, not on the target. */
  readonly toCreate: NamesByKind;
  /** On both, identical. */
  readonly reused: NamesByKind;
  /** On both, different: one entry per element, naming every differing field. */
  readonly conflicts: SchemaConflict[];
}

export interface CompareOptions {
  /** Also require equal ids (a RESTORING restore resuming into schema it created itself). @default false */
  readonly compareIds?: boolean;
}

/** How one field is compared: a plain value, a list whose order matters, or a set. */
type FieldRule = readonly [field: string, shape: 'value' | 'list' | 'set', normalize?: (element: SchemaElement) => unknown];

const orDefault = (field: string, fallback: unknown) => (e: SchemaElement) => e[field] ?? fallback;

const RULES: Record<SchemaKind, readonly FieldRule[]> = {
  propertykeys: [
    ['data_type', 'value', orDefault('data_type', 'TEXT')],
    ['cardinality', 'value', orDefault('cardinality', 'SINGLE')],
    ['aggregate_type', 'value', orDefault('aggregate_type', 'NONE')],
    ['write_type', 'value', orDefault('write_type', 'OLTP')],
  ],
  vertexlabels: [
    ['id_strategy', 'value', (e) => idStrategy(e as VertexLabel)],
    ['primary_keys', 'list'],
    ['properties', 'set'],
    ['nullable_keys', 'set'],
    ['enable_label_index', 'value', orDefault('enable_label_index', true)],
    ['ttl', 'value', (e) => Number(e['ttl'] ?? 0)],
    ['ttl_start_time', 'value', (e) => (Number(e['ttl'] ?? 0) > 0 ? (e['ttl_start_time'] ?? null) : null)],
  ],
  edgelabels: [
    ['edgelabel_type', 'value', orDefault('edgelabel_type', 'NORMAL')],
    ['parent_label', 'value', (e) => (e['edgelabel_type'] === 'SUB' ? (e['parent_label'] ?? null) : null)],
    // A PARENT label's links are whatever its subs registered, so only its subs' links count.
    ['source_label', 'value', (e) => (e['edgelabel_type'] === 'PARENT' ? null : (e['source_label'] ?? null))],
    ['target_label', 'value', (e) => (e['edgelabel_type'] === 'PARENT' ? null : (e['target_label'] ?? null))],
    ['frequency', 'value', (e) => (e['edgelabel_type'] === 'PARENT' ? null : e['frequency'] === undefined || e['frequency'] === 'DEFAULT' ? 'SINGLE' : e['frequency'])],
    ['sort_keys', 'list'],
    ['properties', 'set'],
    ['nullable_keys', 'set'],
    ['enable_label_index', 'value', (e) => (e['edgelabel_type'] === 'PARENT' ? null : (e['enable_label_index'] ?? true))],
    ['ttl', 'value', (e) => Number(e['ttl'] ?? 0)],
    ['ttl_start_time', 'value', (e) => (Number(e['ttl'] ?? 0) > 0 ? (e['ttl_start_time'] ?? null) : null)],
  ],
  indexlabels: [
    ['base_type', 'value'],
    ['base_value', 'value'],
    // GET /schema shows the concrete RANGE_INT…; the create body and GET /schema/indexlabels say RANGE.
    ['index_type', 'value', (e) => (typeof e['index_type'] === 'string' && e['index_type'].startsWith('RANGE') ? 'RANGE' : (e['index_type'] ?? 'SECONDARY'))],
    ['fields', 'list'],
  ],
};

function idStrategy(label: VertexLabel): string {
  const s = label.id_strategy;
  if (s && s !== 'DEFAULT') return s;
  return (label.primary_keys ?? []).length > 0 ? 'PRIMARY_KEY' : 'AUTOMATIC';
}

function fieldValue(element: SchemaElement, [field, shape, normalize]: FieldRule): unknown {
  const value = normalize ? normalize(element) : element[field];
  if (shape === 'value') return value ?? null;
  const list = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : stringifyLossless(v))) : [];
  return shape === 'set' ? [...new Set(list)].sort() : list;
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return typeof value === 'string' ? value : stringifyLossless(value);
}

/** Every field in which `target` differs from `backup`, as `field: backup X, target Y`. */
export function differences(kind: SchemaKind, backup: SchemaElement, target: SchemaElement, options: CompareOptions = {}): string[] {
  const out: string[] = [];
  if (options.compareIds && Number(backup.id) !== Number(target.id)) out.push(`id: backup ${show(backup.id ?? null)}, target ${show(target.id ?? null)}`);
  for (const rule of RULES[kind]) {
    const a = fieldValue(backup, rule);
    const b = fieldValue(target, rule);
    if (stringifyLossless(a) !== stringifyLossless(b)) out.push(`${rule[0]}: backup ${show(a)}, target ${show(b)}`);
  }
  return out;
}

function emptyNames(): NamesByKind {
  return { propertykeys: [], vertexlabels: [], edgelabels: [], indexlabels: [] };
}

/** Sorts the backup's elements into to-create, reused and conflicting, by name. */
export function compareSchema(backup: SchemaSet, target: SchemaSet, options: CompareOptions = {}): SchemaComparison {
  const toCreate = emptyNames();
  const reused = emptyNames();
  const conflicts: SchemaConflict[] = [];
  for (const kind of SCHEMA_KIND_ORDER) {
    const existing = new Map<string, SchemaElement>(target[kind].map((e) => [e.name, e]));
    for (const element of backup[kind] as SchemaElement[]) {
      const other = existing.get(element.name);
      if (!other) {
        toCreate[kind].push(element.name);
        continue;
      }
      const diff = differences(kind, element, other, options);
      if (diff.length) conflicts.push({ kind: KIND_NAMES[kind], name: element.name, differences: diff });
      else reused[kind].push(element.name);
    }
  }
  return { toCreate, reused, conflicts };
}

export function isEmptySchema(schema: SchemaSet): boolean {
  return SCHEMA_KIND_ORDER.every((kind) => schema[kind].length === 0);
}

/** `3 property keys, 1 vertex label`: what a schema holds, for messages. */
export function describeSchemaSize(schema: SchemaSet): string {
  const parts = SCHEMA_KIND_ORDER.filter((k) => schema[k].length > 0).map((k) => `${schema[k].length} ${KIND_NAMES[k]}${schema[k].length === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'no schema';
}

export type SchemaStep =
  | { readonly kind: 'propertykeys'; readonly element: PropertyKey }
  | { readonly kind: 'vertexlabels'; readonly element: VertexLabel }
  | { readonly kind: 'edgelabels'; readonly element: EdgeLabel }
  | { readonly kind: 'indexlabels'; readonly element: IndexLabel };

/**
 * The order in which a schema can be created: property keys, vertex labels, edge labels with every
 * PARENT before the labels that name it, then index labels (their base labels exist by then).
 */
export function schemaCreationOrder(schema: SchemaSet): SchemaStep[] {
  return [
    ...schema.propertykeys.map((element) => ({ kind: 'propertykeys' as const, element })),
    ...schema.vertexlabels.map((element) => ({ kind: 'vertexlabels' as const, element })),
    ...orderEdgeLabels(schema.edgelabels).map((element) => ({ kind: 'edgelabels' as const, element })),
    ...schema.indexlabels.map((element) => ({ kind: 'indexlabels' as const, element })),
  ];
}

export function kindName(kind: SchemaKind): SchemaConflict['kind'] {
  return KIND_NAMES[kind];
}
