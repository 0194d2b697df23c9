/**
 * The synthetic graph of the benchmark: four vertex labels, one per id strategy (PRIMARY_KEY,
 * CUSTOMIZE_NUMBER with ids above 2^53, CUSTOMIZE_STRING, AUTOMATIC), four edge labels between them,
 * realistic properties (TEXT, INT, LONG above 2^53, DOUBLE, DATE, a LIST) and one range index.
 *
 * Elements are generated as JSON text (no object model, no JSON.stringify of whole elements) and
 * loaded through the batch API, 500 per request, with a bounded number of requests in flight.
 * Edge endpoints are chosen so that no two edges of a label share (out, label, in): every
 * generated edge is a distinct element on the server, and the totals are exact.
 */
import type { HugeGraphClient, SchemaInput } from '../functions/hugegraph';

export interface GraphSize {
  /** Short name used in the report: small, large, or the element count. */
  readonly name: string;
  readonly vertices: number;
  readonly edges: number;
  /** Shares of the edge labels. @default EDGE_SHARES */
  readonly edgeShares?: Readonly<Record<EdgeLabelName, number>>;
}

/** A graph whose largest label (knows) holds about 63% of its elements: one label, many workers. */
export function skewedSize(total: number, name: string): GraphSize {
  return { ...sizeFromTotal(total, name, 0.7), edgeShares: { knows: 0.9, owns: 0.04, uses: 0.03, emitted: 0.03 } };
}

export interface LoadedGraph {
  readonly vertices: Record<string, number>;
  readonly edges: Record<string, number>;
  readonly total: number;
  readonly loadMs: number;
}

export const BENCH_SCHEMA: SchemaInput = {
  propertykeys: [
    { name: 'uid', data_type: 'TEXT', cardinality: 'SINGLE' },
    { name: 'name', data_type: 'TEXT', cardinality: 'SINGLE' },
    { name: 'age', data_type: 'INT', cardinality: 'SINGLE' },
    { name: 'score', data_type: 'DOUBLE', cardinality: 'SINGLE' },
    { name: 'born', data_type: 'DATE', cardinality: 'SINGLE' },
    { name: 'bio', data_type: 'TEXT', cardinality: 'SINGLE' },
    { name: 'tags', data_type: 'TEXT', cardinality: 'LIST' },
    { name: 'balance', data_type: 'LONG', cardinality: 'SINGLE' },
    { name: 'opened', data_type: 'DATE', cardinality: 'SINGLE' },
    { name: 'model', data_type: 'TEXT', cardinality: 'SINGLE' },
    { name: 'firmware', data_type: 'INT', cardinality: 'SINGLE' },
    { name: 'kind', data_type: 'TEXT', cardinality: 'SINGLE' },
    { name: 'ts', data_type: 'LONG', cardinality: 'SINGLE' },
    { name: 'value', data_type: 'DOUBLE', cardinality: 'SINGLE' },
    { name: 'codes', data_type: 'INT', cardinality: 'LIST' },
    { name: 'weight', data_type: 'DOUBLE', cardinality: 'SINGLE' },
    { name: 'since', data_type: 'DATE', cardinality: 'SINGLE' },
    { name: 'count', data_type: 'INT', cardinality: 'SINGLE' },
  ],
  vertexlabels: [
    {
      name: 'person',
      id_strategy: 'PRIMARY_KEY',
      primary_keys: ['uid'],
      properties: ['uid', 'name', 'age', 'score', 'born', 'bio', 'tags'],
      nullable_keys: ['bio', 'tags'],
    },
    { name: 'account', id_strategy: 'CUSTOMIZE_NUMBER', properties: ['name', 'balance', 'opened'] },
    { name: 'device', id_strategy: 'CUSTOMIZE_STRING', properties: ['model', 'firmware', 'tags'], nullable_keys: ['tags'] },
    { name: 'event', id_strategy: 'AUTOMATIC', properties: ['kind', 'ts', 'value', 'codes'] },
  ],
  edgelabels: [
    { name: 'knows', source_label: 'person', target_label: 'person', properties: ['weight', 'since'] },
    { name: 'owns', source_label: 'person', target_label: 'account', properties: ['since', 'weight'] },
    { name: 'uses', source_label: 'account', target_label: 'device', properties: ['count', 'since'] },
    { name: 'emitted', source_label: 'device', target_label: 'event', properties: ['ts'] },
  ],
  indexlabels: [{ name: 'personByAge', base_type: 'VERTEX_LABEL', base_value: 'person', index_type: 'RANGE', fields: ['age'] }],
};

/** Share of the vertices and of the edges each label gets. */
const VERTEX_SHARES = { person: 0.4, account: 0.2, device: 0.1, event: 0.3 } as const;
const EDGE_SHARES = { knows: 0.4, owns: 0.2, uses: 0.15, emitted: 0.25 } as const;
type VertexLabelName = keyof typeof VERTEX_SHARES;
type EdgeLabelName = keyof typeof EDGE_SHARES;

/** Fraction of all elements that are edges when a size is given as one total. */
export const DEFAULT_EDGE_SHARE = 0.6;

export function sizeFromTotal(total: number, name: string, edgeShare = DEFAULT_EDGE_SHARE): GraphSize {
  const edges = Math.round(total * edgeShare);
  return { name, vertices: total - edges, edges };
}

function split<K extends string>(n: number, shares: Record<K, number>): Record<K, number> {
  const keys = Object.keys(shares) as K[];
  const out = {} as Record<K, number>;
  let left = n;
  keys.forEach((k, i) => {
    const v = i === keys.length - 1 ? left : Math.floor(n * shares[k]);
    out[k] = v;
    left -= v;
  });
  return out;
}

/** The element counts per label for a size (each vertex label gets at least 2 vertices). */
export function plan(size: GraphSize): { vertices: Record<VertexLabelName, number>; edges: Record<EdgeLabelName, number> } {
  const vertices = split(Math.max(size.vertices, 8), VERTEX_SHARES);
  for (const k of Object.keys(vertices) as VertexLabelName[]) vertices[k] = Math.max(vertices[k], 2);
  const edges = split(size.edges, size.edgeShares ?? EDGE_SHARES);
  // An edge label holds at most |out| x |in| distinct pairs (|P| x (|P|-1) for knows).
  const cap: Record<EdgeLabelName, number> = {
    knows: vertices.person * (vertices.person - 1),
    owns: vertices.person * vertices.account,
    uses: vertices.account * vertices.device,
    emitted: vertices.device * vertices.event,
  };
  for (const k of Object.keys(edges) as EdgeLabelName[]) {
    if (edges[k] > cap[k]) throw new Error(`${size.edges} edges need more vertices than ${size.vertices} (label ${k} holds at most ${cap[k]})`);
  }
  return { vertices, edges };
}

// ---- deterministic pseudo-random values ------------------------------------------------------

function mix(i: number, salt: number): number {
  let x = (i ^ (salt * 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

const WORDS = [
  'graph',
  'vertex',
  'edge',
  'backup',
  'restore',
  'river',
  'mountain',
  'café',
  'naïve',
  'über',
  'coöperate',
  'data',
  'stream',
  'north',
  'south',
  'lambda',
  'bucket',
  'zebra',
  'quartz',
  '图数据库',
  'データ',
  'señor',
  'façade',
  'a "quoted" word',
  'tab\there',
  'back\\slash',
  'emoji 🌍',
  'kilo',
  'mega',
  'giga',
];
const NAMES = ['Ada', 'Grace', 'Linus', 'Barbara', 'Edsger', 'Donald', 'Frances', 'Ken', 'Dennis', 'Margaret', 'Niklaus', 'Søren', 'Zoë', 'José', '李雷'];
const MODELS = ['rpi-4b', 'esp32-c3', 'nrf52840', 'stm32h7', 'jetson-nano', 'imx8m'];
const KINDS = ['click', 'view', 'purchase', 'login', 'logout', 'error', 'heartbeat'];

const q = (s: string): string => JSON.stringify(s);

function words(i: number, salt: number, n: number): string {
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(WORDS[mix(i * 31 + k, salt) % WORDS.length] as string);
  return out.join(' ');
}

function date(i: number, salt: number): string {
  // 1970 … 2033, millisecond precision, in HugeGraph's default date format.
  const d = new Date((mix(i, salt) % 2_000_000_000) * 1000 + (mix(i, salt + 1) % 1000));
  return q(d.toISOString().replace('T', ' ').replace('Z', ''));
}

function double(i: number, salt: number): string {
  const v = (mix(i, salt) / 0xffffffff) * 1000 - 100;
  return String(Math.round(v * 1e6) / 1e6);
}

/** A LONG text, above 2^53 for one element in three (JSON.parse would round those). */
function long(i: number, salt: number): string {
  const hi = BigInt(mix(i, salt) % 0x7fffffff);
  const lo = BigInt(mix(i, salt + 7));
  const v = i % 3 === 0 ? (hi << 32n) | lo : BigInt(mix(i, salt) % 1_000_000_000) - 500_000_000n;
  return v.toString();
}

/** CUSTOMIZE_NUMBER ids start above 2^53. */
const ACCOUNT_BASE = 9007199254740993n;
export const accountId = (i: number): string => (ACCOUNT_BASE + BigInt(i)).toString();
export const deviceId = (i: number): string => q(`dev-${i.toString(36)}-${MODELS[i % MODELS.length]}`);
const personUid = (i: number): string => `p${i.toString().padStart(9, '0')}`;

function personVertex(i: number): string {
  const bio = i % 5 === 4 ? '' : `,"bio":${q(`${NAMES[i % NAMES.length]} likes ${words(i, 3, 6 + (i % 10))}.`)}`;
  const tags = i % 4 === 3 ? '' : `,"tags":[${q(words(i, 4, 1))},${q(words(i, 5, 1))}${i % 2 ? `,${q(words(i, 6, 1))}` : ''}]`;
  return (
    `{"label":"person","properties":{"uid":${q(personUid(i))},"name":${q(`${NAMES[i % NAMES.length]} ${words(i, 1, 1)}`)},` +
    `"age":${18 + (mix(i, 2) % 70)},"score":${double(i, 7)},"born":${date(i, 8)}${bio}${tags}}}`
  );
}

function accountVertex(i: number): string {
  return `{"id":${accountId(i)},"label":"account","properties":{"name":${q(`acct ${words(i, 11, 2)}`)},"balance":${long(i, 12)},"opened":${date(i, 13)}}}`;
}

function deviceVertex(i: number): string {
  const tags = i % 3 === 0 ? '' : `,"tags":[${q(words(i, 21, 1))}]`;
  return `{"id":${deviceId(i)},"label":"device","properties":{"model":${q(MODELS[mix(i, 22) % MODELS.length] as string)},"firmware":${mix(i, 23) % 100000}${tags}}}`;
}

function eventVertex(i: number): string {
  const codes: number[] = [];
  for (let k = 0; k <= i % 4; k++) codes.push(mix(i * 5 + k, 33) % 1000);
  return `{"label":"event","properties":{"kind":${q(KINDS[i % KINDS.length] as string)},"ts":${long(i, 31)},"value":${double(i, 32)},"codes":[${codes.join(',')}]}}`;
}

/** Edge e of a label between sets of sizes nOut and nIn: each out vertex gets distinct in vertices. */
function pair(e: number, nOut: number, nIn: number, distinctFromOut: boolean): [number, number] {
  const out = e % nOut;
  const k = Math.floor(e / nOut);
  const inn = distinctFromOut ? (out + 1 + k) % nIn : (out + k) % nIn;
  return [out, inn];
}

function edge(label: string, outV: string, outVLabel: string, inV: string, inVLabel: string, properties: string): string {
  return `{"label":"${label}","outV":${outV},"outVLabel":"${outVLabel}","inV":${inV},"inVLabel":"${inVLabel}","properties":{${properties}}}`;
}

export interface LoadOptions {
  /** Batch requests in flight. @default 4 */
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}

/**
 * Creates the schema and loads the graph into an empty graph. Returns the element counts per label
 * (what the server holds afterwards) and the load time.
 */
export async function loadGraph(client: HugeGraphClient, size: GraphSize, options: LoadOptions = {}): Promise<LoadedGraph> {
  const counts = plan(size);
  const concurrency = options.concurrency ?? 4;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  await client.createSchema(BENCH_SCHEMA);
  const personLabelId = String((await client.getVertexLabel('person')).id);
  const personId = (i: number): string => q(`${personLabelId}:${personUid(i)}`);

  const inFlight = new Set<Promise<unknown>>();
  let failure: unknown;
  const submit = async (work: () => Promise<unknown>): Promise<void> => {
    if (failure !== undefined) throw failure;
    const p = work().then(
      () => undefined,
      (error: unknown) => {
        failure ??= error;
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };
  const drain = async (): Promise<void> => {
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  };
  const batches = async (n: number, make: (i: number) => string, send: (batch: string[]) => Promise<unknown>): Promise<void> => {
    for (let start = 0; start < n; start += 500) {
      const batch: string[] = [];
      for (let i = start; i < Math.min(n, start + 500); i++) batch.push(make(i));
      await submit(() => send(batch));
    }
  };

  const v = counts.vertices;
  await batches(v.person, personVertex, (b) => client.createVertices(b));
  await batches(v.account, accountVertex, (b) => client.createVertices(b));
  await batches(v.device, deviceVertex, (b) => client.createVertices(b));
  // AUTOMATIC ids come from the server: keep them (raw JSON numbers) for the `emitted` edges.
  const eventIds: string[] = new Array<string>(v.event);
  for (let start = 0; start < v.event; start += 500) {
    const batch: string[] = [];
    for (let i = start; i < Math.min(v.event, start + 500); i++) batch.push(eventVertex(i));
    const at = start;
    await submit(async () => {
      const ids = await client.createVertices(batch, { idempotent: false });
      for (const [k, id] of ids.entries()) eventIds[at + k] = id;
    });
  }
  await drain();
  log(
    `  loaded ${Object.values(v)
      .reduce((a, b) => a + b, 0)
      .toLocaleString('en')} vertices in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const e = counts.edges;
  const edgeBatch = (b: string[]) => client.createEdges(b, { checkVertex: false });
  await batches(
    e.knows,
    (i) => {
      const [o, n] = pair(i, v.person, v.person, true);
      return edge('knows', personId(o), 'person', personId(n), 'person', `"weight":${double(i, 41)},"since":${date(i, 42)}`);
    },
    edgeBatch,
  );
  await batches(
    e.owns,
    (i) => {
      const [o, n] = pair(i, v.person, v.account, false);
      return edge('owns', personId(o), 'person', accountId(n), 'account', `"since":${date(i, 51)},"weight":${double(i, 52)}`);
    },
    edgeBatch,
  );
  await batches(
    e.uses,
    (i) => {
      const [o, n] = pair(i, v.account, v.device, false);
      return edge('uses', accountId(o), 'account', deviceId(n), 'device', `"count":${mix(i, 61) % 10000},"since":${date(i, 62)}`);
    },
    edgeBatch,
  );
  await batches(
    e.emitted,
    (i) => {
      const [o, n] = pair(i, v.device, v.event, false);
      return edge('emitted', deviceId(o), 'device', eventIds[n] as string, 'event', `"ts":${long(i, 71)}`);
    },
    edgeBatch,
  );
  await drain();
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const total = sum(counts.vertices) + sum(counts.edges);
  const loadMs = Date.now() - started;
  log(`  loaded ${total.toLocaleString('en')} elements in ${(loadMs / 1000).toFixed(1)} s (${Math.round(total / (loadMs / 1000)).toLocaleString('en')} elements/s)`);
  return { vertices: { ...counts.vertices }, edges: { ...counts.edges }, total, loadMs };
}
