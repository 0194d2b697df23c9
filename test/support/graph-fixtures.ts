/**
 * A small graph that exercises everything backup/restore must carry: every vertex id strategy
 * (AUTOMATIC, PRIMARY_KEY with a string and a numeric key, CUSTOMIZE_STRING, CUSTOMIZE_NUMBER with
 * values above 2^53, CUSTOMIZE_UUID), every data type, LIST and SET cardinalities, an edge label
 * with sort keys and MULTIPLE frequency, every index type, and optionally labels without a label
 * index.
 *
 * Elements are built as JSON text with stringifyLossless, so LONG values and ids above 2^53 are
 * sent exactly.
 */
import type { HugeGraphClient } from '../../functions/hugegraph/client';
import type { EdgeLabel, IndexLabel, PropertyKey, VertexLabel } from '../../functions/hugegraph/schema';
import { LosslessNumber, rawJson, stringifyLossless } from '../../functions/json/lossless';

export interface FixtureOptions {
  /** Also create `v_nolabelidx` and `e_nolabelidx` with `enable_label_index: false`. @default false */
  readonly withoutLabelIndex?: boolean;
}

/** A LONG value above 2^53 (JSON.parse would round it). */
export const BIG_LONG = '1234567890123456789';
/** CUSTOMIZE_NUMBER ids, two of them above 2^53 and the largest long. */
export const CUSTOM_NUMBER_IDS = ['1', '9007199254740993', '9223372036854775807'] as const;
/** Ids of `v_nolabelidx` (CUSTOMIZE_NUMBER too: vertex ids are unique across labels). */
export const NO_LABEL_INDEX_IDS = ['101', '102', '103'] as const;
export const CUSTOM_STRING_IDS = ['alpha', 'béta:"quoted"', '中文-id'] as const;
export const CUSTOM_UUID_IDS = ['835e1153-9281-4957-8691-cf79258e90eb', '00000000-0000-0000-0000-000000000001'] as const;
/** TEXT with non-ASCII, an emoji, quotes, a backslash and a control character. */
export const TRICKY_TEXT = 'héllo 世界 🌍 "q" \\ back\ttab';

export const propertyKeys: PropertyKey[] = [
  { name: 'name', data_type: 'TEXT', cardinality: 'SINGLE' },
  { name: 'p_bool', data_type: 'BOOLEAN', cardinality: 'SINGLE' },
  { name: 'p_byte', data_type: 'BYTE', cardinality: 'SINGLE' },
  { name: 'p_int', data_type: 'INT', cardinality: 'SINGLE' },
  { name: 'p_long', data_type: 'LONG', cardinality: 'SINGLE' },
  { name: 'p_float', data_type: 'FLOAT', cardinality: 'SINGLE' },
  { name: 'p_double', data_type: 'DOUBLE', cardinality: 'SINGLE' },
  { name: 'p_text', data_type: 'TEXT', cardinality: 'SINGLE' },
  { name: 'p_blob', data_type: 'BLOB', cardinality: 'SINGLE' },
  { name: 'p_date', data_type: 'DATE', cardinality: 'SINGLE' },
  { name: 'p_uuid', data_type: 'UUID', cardinality: 'SINGLE' },
  { name: 'p_list', data_type: 'TEXT', cardinality: 'LIST' },
  { name: 'p_set', data_type: 'INT', cardinality: 'SET' },
  { name: 'code', data_type: 'LONG', cardinality: 'SINGLE' },
  { name: 'seq', data_type: 'INT', cardinality: 'SINGLE' },
];

const ALL_TYPES = ['p_bool', 'p_byte', 'p_int', 'p_long', 'p_float', 'p_double', 'p_text', 'p_blob', 'p_date', 'p_uuid', 'p_list', 'p_set'];

export const vertexLabels: VertexLabel[] = [
  { name: 'v_auto', id_strategy: 'AUTOMATIC', properties: ['name', ...ALL_TYPES], nullable_keys: ALL_TYPES },
  { name: 'v_pk_str', id_strategy: 'PRIMARY_KEY', properties: ['name', 'p_int'], primary_keys: ['name'], nullable_keys: ['p_int'] },
  { name: 'v_pk_num', id_strategy: 'PRIMARY_KEY', properties: ['code', 'name'], primary_keys: ['code'], nullable_keys: ['name'] },
  { name: 'v_cust_str', id_strategy: 'CUSTOMIZE_STRING', properties: ['name'], nullable_keys: ['name'] },
  { name: 'v_cust_num', id_strategy: 'CUSTOMIZE_NUMBER', properties: ['name', 'p_long'], nullable_keys: ['name', 'p_long'] },
  { name: 'v_cust_uuid', id_strategy: 'CUSTOMIZE_UUID', properties: ['name'], nullable_keys: ['name'] },
];

export const edgeLabels: EdgeLabel[] = [
  { name: 'e_knows', source_label: 'v_auto', target_label: 'v_auto', frequency: 'SINGLE', properties: ['p_double', 'p_date'], nullable_keys: ['p_date'] },
  {
    name: 'e_rated',
    source_label: 'v_pk_str',
    target_label: 'v_cust_num',
    frequency: 'MULTIPLE',
    properties: ['seq', 'p_text'],
    sort_keys: ['seq'],
    nullable_keys: ['p_text'],
  },
  { name: 'e_link', source_label: 'v_cust_str', target_label: 'v_cust_uuid', properties: ['name'], nullable_keys: ['name'] },
  { name: 'e_owns', source_label: 'v_pk_num', target_label: 'v_auto', properties: [] },
];

export const indexLabels: IndexLabel[] = [
  { name: 'ix_auto_name', base_type: 'VERTEX_LABEL', base_value: 'v_auto', index_type: 'SECONDARY', fields: ['name'] },
  { name: 'ix_auto_int', base_type: 'VERTEX_LABEL', base_value: 'v_auto', index_type: 'RANGE', fields: ['p_int'] },
  { name: 'ix_auto_text', base_type: 'VERTEX_LABEL', base_value: 'v_auto', index_type: 'SEARCH', fields: ['p_text'] },
  { name: 'ix_auto_shard', base_type: 'VERTEX_LABEL', base_value: 'v_auto', index_type: 'SHARD', fields: ['p_bool', 'p_double'] },
  { name: 'ix_custstr_name', base_type: 'VERTEX_LABEL', base_value: 'v_cust_str', index_type: 'UNIQUE', fields: ['name'] },
  { name: 'ix_knows_double', base_type: 'EDGE_LABEL', base_value: 'e_knows', index_type: 'RANGE', fields: ['p_double'] },
  { name: 'ix_rated_text', base_type: 'EDGE_LABEL', base_value: 'e_rated', index_type: 'SECONDARY', fields: ['p_text'] },
];

const noLabelIndexVertex: VertexLabel = {
  name: 'v_nolabelidx',
  id_strategy: 'CUSTOMIZE_NUMBER',
  properties: ['name'],
  nullable_keys: ['name'],
  enable_label_index: false,
};
const noLabelIndexEdge: EdgeLabel = {
  name: 'e_nolabelidx',
  source_label: 'v_nolabelidx',
  target_label: 'v_nolabelidx',
  properties: [],
  enable_label_index: false,
};

/** The fixture's schema (what createFixtureSchema creates). */
export function fixtureSchema(options: FixtureOptions = {}): {
  propertykeys: PropertyKey[];
  vertexlabels: VertexLabel[];
  edgelabels: EdgeLabel[];
  indexlabels: IndexLabel[];
} {
  return {
    propertykeys: propertyKeys,
    vertexlabels: options.withoutLabelIndex ? [...vertexLabels, noLabelIndexVertex] : vertexLabels,
    edgelabels: options.withoutLabelIndex ? [...edgeLabels, noLabelIndexEdge] : edgeLabels,
    indexlabels: indexLabels,
  };
}

/** Creates the schema in NONE mode (ids generated by the server). */
export async function createFixtureSchema(client: HugeGraphClient, options: FixtureOptions = {}): Promise<void> {
  await client.createSchema(fixtureSchema(options));
}

export interface FixtureCounts {
  readonly vertices: Record<string, number>;
  readonly edges: Record<string, number>;
}

/** Per-label element counts after loadFixtureData with the same options. */
export function expectedCounts(options: LoadOptions = {}): FixtureCounts {
  const extra = options.extraVertices ?? 0;
  const vertices: Record<string, number> = {
    v_auto: 3 + extra,
    v_pk_str: 3,
    v_pk_num: 2,
    v_cust_str: CUSTOM_STRING_IDS.length,
    v_cust_num: CUSTOM_NUMBER_IDS.length,
    v_cust_uuid: CUSTOM_UUID_IDS.length,
  };
  const edges: Record<string, number> = { e_knows: 2, e_rated: 4, e_link: 2, e_owns: 2 };
  if (options.withoutLabelIndex) {
    vertices['v_nolabelidx'] = NO_LABEL_INDEX_IDS.length;
    edges['e_nolabelidx'] = 2;
  }
  return { vertices, edges };
}

/** The count of one label; a label the fixture does not have is a mistake in the test. */
export function countOf(counts: Record<string, number>, label: string): number {
  const count = counts[label];
  if (count === undefined) throw new Error(`the fixture has no label ${label}`);
  return count;
}

export interface LoadOptions extends FixtureOptions {
  /** More plain `v_auto` vertices (for paging tests). @default 0 */
  readonly extraVertices?: number;
}

export interface LoadedFixture {
  readonly counts: FixtureCounts;
  /** Raw JSON ids of the three fully-typed `v_auto` vertices, as the server returned them. */
  readonly autoIds: string[];
}

function v(label: string, properties: Record<string, unknown>, id?: string | LosslessNumber): string {
  return stringifyLossless(id === undefined ? { label, properties } : { id, label, properties });
}

function e(label: string, outV: string, outVLabel: string, inV: string, inVLabel: string, properties: Record<string, unknown> = {}): string {
  return stringifyLossless({ label, outV: rawJson(outV), outVLabel, inV: rawJson(inV), inVLabel, properties });
}

async function inBatches(items: string[], size: number, send: (batch: string[]) => Promise<string[]>): Promise<string[]> {
  const ids: string[] = [];
  for (let k = 0; k < items.length; k += size) ids.push(...(await send(items.slice(k, k + size))));
  return ids;
}

/** Loads the fixture's data (graph in NONE mode, schema from createFixtureSchema with the same options). */
export async function loadFixtureData(client: HugeGraphClient, options: LoadOptions = {}): Promise<LoadedFixture> {
  const full = {
    name: 'full',
    p_bool: true,
    p_byte: 7,
    p_int: 2147483647,
    p_long: new LosslessNumber(BIG_LONG),
    p_float: 3.5,
    p_double: 0.1,
    p_text: TRICKY_TEXT,
    p_blob: 'AQID/w==',
    p_date: '2024-02-29 13:45:01.123',
    p_uuid: '835e1153-9281-4957-8691-cf79258e90eb',
    p_list: ['b', 'a', 'b'],
    p_set: [3, 1, 2],
  };
  const autos = [
    v('v_auto', full),
    v('v_auto', { name: 'negative', p_bool: false, p_byte: -128, p_int: -5, p_long: new LosslessNumber('-9223372036854775808'), p_double: -1.5e-300 }),
    v('v_auto', { name: 'sparse', p_text: '' }),
  ];
  const autoIds = await client.createVertices(autos);
  const extra = options.extraVertices ?? 0;
  const extras: string[] = [];
  for (let k = 0; k < extra; k++) extras.push(v('v_auto', { name: `extra-${k}`, p_int: k, p_double: k / 7 }));
  await inBatches(extras, 500, (b) => client.createVertices(b));

  const pkStrIds = await client.createVertices([v('v_pk_str', { name: 'marko', p_int: 29 }), v('v_pk_str', { name: 'vadas:with>sep`tick', p_int: 27 }), v('v_pk_str', { name: 'ünïcødé' })]);
  const pkNumIds = await client.createVertices([v('v_pk_num', { code: 42, name: 'small' }), v('v_pk_num', { code: new LosslessNumber('9007199254740993'), name: 'big' })]);
  await client.createVertices(CUSTOM_STRING_IDS.map((id, k) => v('v_cust_str', { name: `s${k}` }, id)));
  await client.createVertices(CUSTOM_NUMBER_IDS.map((id, k) => v('v_cust_num', { name: `n${k}`, p_long: new LosslessNumber(id) }, new LosslessNumber(id))));
  await client.createVertices(CUSTOM_UUID_IDS.map((id, k) => v('v_cust_uuid', { name: `u${k}` }, id)));

  const [a0, a1, a2] = autoIds as [string, string, string];
  const [s0, s1] = pkStrIds as [string, string, string];
  const [n0, n1] = pkNumIds as [string, string];
  const str = (id: string): string => JSON.stringify(id);
  await client.createEdges([e('e_knows', a0, 'v_auto', a1, 'v_auto', { p_double: 0.5, p_date: '2020-01-01 00:00:00.000' }), e('e_knows', a1, 'v_auto', a2, 'v_auto', { p_double: 1e21 })], {
    checkVertex: true,
  });
  await client.createEdges(
    [
      e('e_rated', s0, 'v_pk_str', CUSTOM_NUMBER_IDS[1], 'v_cust_num', { seq: 1, p_text: 'first' }),
      e('e_rated', s0, 'v_pk_str', CUSTOM_NUMBER_IDS[1], 'v_cust_num', { seq: 2, p_text: TRICKY_TEXT }),
      e('e_rated', s0, 'v_pk_str', CUSTOM_NUMBER_IDS[2], 'v_cust_num', { seq: 1 }),
      e('e_rated', s1, 'v_pk_str', CUSTOM_NUMBER_IDS[0], 'v_cust_num', { seq: -7, p_text: 'x' }),
    ],
    { checkVertex: true },
  );
  await client.createEdges(
    [
      e('e_link', str(CUSTOM_STRING_IDS[0]), 'v_cust_str', str(CUSTOM_UUID_IDS[0]), 'v_cust_uuid', { name: 'l0' }),
      e('e_link', str(CUSTOM_STRING_IDS[1]), 'v_cust_str', str(CUSTOM_UUID_IDS[1]), 'v_cust_uuid'),
    ],
    // check_vertex=true looks a UUID endpoint up as a string id and answers 400 "Invalid vertex id".
    { checkVertex: false },
  );
  await client.createEdges([e('e_owns', n0, 'v_pk_num', a0, 'v_auto'), e('e_owns', n1, 'v_pk_num', a2, 'v_auto')], { checkVertex: true });

  if (options.withoutLabelIndex) {
    // Number ids are global across labels: these must not collide with v_cust_num's.
    await client.createVertices(NO_LABEL_INDEX_IDS.map((id) => v('v_nolabelidx', { name: `x${id}` }, new LosslessNumber(id))));
    const [x0, x1, x2] = NO_LABEL_INDEX_IDS;
    await client.createEdges([e('e_nolabelidx', x0, 'v_nolabelidx', x1, 'v_nolabelidx'), e('e_nolabelidx', x1, 'v_nolabelidx', x2, 'v_nolabelidx')], {
      checkVertex: true,
    });
  }
  return { counts: expectedCounts(options), autoIds };
}
