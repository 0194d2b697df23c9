/**
 * HugeGraphClient against a real HugeGraph server (RocksDB backend), plus a second server with
 * authentication on.
 */
import { HugeGraphClient, type Schema } from '../../functions/hugegraph/client';
import { HugeGraphAlreadyExistsError, HugeGraphBadRequestError, HugeGraphNotFoundError, HugeGraphUnauthorizedError, HugeGraphUsageError } from '../../functions/hugegraph/errors';
import { compareVersions } from '../../functions/hugegraph/version';
import { isLosslessNumber, LosslessNumber, parseLosslessObject, stringifyLossless } from '../../functions/json/lossless';
import { editObjectMembers, getMemberRaw } from '../../functions/json/scan';
import { BIG_LONG, createFixtureSchema, CUSTOM_NUMBER_IDS, expectedCounts, fixtureSchema, loadFixtureData, TRICKY_TEXT } from '../support/graph-fixtures';
import { startHugeGraph } from '../support/hugegraph-server';

// Starting a server takes 10-30 s; set here because a project-level testTimeout is not applied.
jest.setTimeout(180_000);

type Server = Awaited<ReturnType<typeof startHugeGraph>>;

interface Dump {
  vertices: Record<string, string[]>;
  edges: Record<string, string[]>;
}

/** Every element of every label, raw, sorted per label. */
async function dumpAll(client: HugeGraphClient, schema: Schema, pageSize = 1000): Promise<Dump> {
  const dump: Dump = { vertices: {}, edges: {} };
  for (const l of schema.vertexlabels.elements) {
    const all: string[] = [];
    for await (const p of client.pages('vertex', l.name, { pageSize })) all.push(...p.elements);
    dump.vertices[l.name] = all.sort();
  }
  for (const l of schema.edgelabels.elements) {
    const all: string[] = [];
    for await (const p of client.pages('edge', l.name, { pageSize })) all.push(...p.elements);
    dump.edges[l.name] = all.sort();
  }
  return dump;
}

function countsOf(dump: Dump): { vertices: Record<string, number>; edges: Record<string, number> } {
  const map = (r: Record<string, string[]>): Record<string, number> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.length]));
  return { vertices: map(dump.vertices), edges: map(dump.edges) };
}

/**
 * Schema without volatile parts, for comparing two graphs' schema. Without ids (MERGING generates
 * new ones) the name lists that are sets are sorted: the server lists them in property-key id order.
 */
function schemaShape(schema: Schema, withIds = true): unknown {
  const SETS = ['properties', 'nullable_keys', 'index_labels'];
  const strip = (e: Record<string, unknown>): string => {
    const { user_data: _u, status: _s, ...rest } = e;
    if (!withIds) {
      delete rest['id'];
      for (const k of SETS) if (Array.isArray(rest[k])) rest[k] = [...(rest[k] as string[])].sort();
    }
    return stringifyLossless(rest);
  };
  return {
    propertykeys: schema.propertykeys.elements.map(strip).sort(),
    vertexlabels: schema.vertexlabels.elements.map(strip).sort(),
    edgelabels: schema.edgelabels.elements.map(strip).sort(),
    indexlabels: schema.indexlabels.elements.map(strip).sort(),
  };
}

async function chunks<T>(items: T[], size: number, fn: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let k = 0; k < items.length; k += size) await fn(items.slice(k, k + size));
}

describe('HugeGraphClient (real server)', () => {
  let server: Server;
  let client: HugeGraphClient;

  beforeAll(async () => {
    server = await startHugeGraph({ backend: 'rocksdb' });
    client = await HugeGraphClient.connect({ url: server.url, graph: 'hugegraph', retry: { maxAttempts: 3 } });
  });

  afterAll(async () => {
    await client?.setMode('NONE').catch(() => undefined);
    await client?.close();
    await server?.stop();
  });

  describe('server and graph', () => {
    it('detects the version from GET /versions and picks the path prefix', async () => {
      expect(client.serverVersion).toBe(server.version);
      expect(client.versions.api).toMatch(/^0\.\d+/);
      const expected = compareVersions(server.version, '1.7.0') >= 0 ? '/graphspaces/DEFAULT/graphs/hugegraph' : '/graphs/hugegraph';
      expect(client.graphPath).toBe(expected);
    });

    it('reads the graph info', async () => {
      await expect(client.graphInfo()).resolves.toEqual({ name: 'hugegraph', backend: 'rocksdb' });
    });

    it('gets and sets the graph mode, and reads the read mode', async () => {
      expect(await client.getMode()).toBe('NONE');
      for (const mode of ['RESTORING', 'MERGING', 'LOADING', 'NONE'] as const) {
        await expect(client.setMode(mode)).resolves.toBe(mode);
        await expect(client.getMode()).resolves.toBe(mode);
      }
      expect(await client.getReadMode()).toBe('OLTP_ONLY');
    });

    it('maps a missing graph to NotFound', async () => {
      const other = await HugeGraphClient.connect({ url: server.url, graph: 'no_such_graph' });
      try {
        await expect(other.graphInfo()).rejects.toBeInstanceOf(HugeGraphNotFoundError);
      } finally {
        await other.close();
      }
    });
  });

  describe('schema', () => {
    let original: Schema;

    beforeAll(async () => {
      await client.setMode('NONE');
      await client.clear();
      await createFixtureSchema(client, { withoutLabelIndex: true });
      original = await client.getSchema();
    });

    it('creates every kind in NONE mode with generated ids', () => {
      const s = fixtureSchema({ withoutLabelIndex: true });
      expect(original.propertykeys.elements.map((e) => e.name).sort()).toEqual(s.propertykeys.map((e) => e.name).sort());
      expect(original.vertexlabels.elements).toHaveLength(s.vertexlabels.length);
      expect(original.edgelabels.elements).toHaveLength(s.edgelabels.length);
      expect(original.indexlabels.elements).toHaveLength(s.indexlabels.length);
      expect(original.propertykeys.elements.every((e) => typeof e.id === 'number' && e.id > 0)).toBe(true);
      // Index tasks have finished: every index label is CREATED.
      expect(original.indexlabels.elements.map((e) => e.status)).toEqual(original.indexlabels.elements.map(() => 'CREATED'));
    });

    it('returns the raw text of each kind next to the parsed elements', () => {
      for (const kind of ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'] as const) {
        const list = original[kind];
        expect(list.raw.startsWith('[')).toBe(true);
        expect(list.raw).toBe(`[${list.rawElements.join(',')}]`);
        expect(list.rawElements.map((e) => parseLosslessObject(e, { numbers: 'exact' }))).toEqual(list.elements);
      }
      // GET G/schema shows the concrete range type; the per-kind list maps it back to RANGE.
      const range = original.indexlabels.elements.find((e) => e.name === 'ix_auto_int');
      expect(range?.index_type).toBe('RANGE_INT');
    });

    it('lists each kind and gets one element by name', async () => {
      expect((await client.listPropertyKeys()).elements).toHaveLength(original.propertykeys.elements.length);
      expect((await client.listVertexLabels(['v_auto'])).elements.map((e) => e.name)).toEqual(['v_auto']);
      expect((await client.listEdgeLabels()).elements).toHaveLength(original.edgelabels.elements.length);
      const ranges = (await client.listIndexLabels(['ix_auto_int'])).elements;
      expect(ranges[0]?.index_type).toBe('RANGE');
      expect((await client.getVertexLabel('v_pk_num')).primary_keys).toEqual(['code']);
      expect((await client.listEdgeLabels(['e_rated'])).elements[0]?.sort_keys).toEqual(['seq']);
      expect((await client.listPropertyKeys(['p_long'])).elements[0]?.data_type).toBe('LONG');
      expect((await client.listIndexLabels(['ix_custstr_name'])).elements[0]?.index_type).toBe('UNIQUE');
    });

    it('raises NotFound for a missing label and AlreadyExists for a taken name', async () => {
      await expect(client.getVertexLabel('nope')).rejects.toBeInstanceOf(HugeGraphNotFoundError);
      await expect(client.getVertexLabel('nope')).rejects.toMatchObject({
        status: 404,
        exception: expect.stringContaining('NotFoundException'),
        serverMessage: expect.stringContaining("'nope'"),
        method: 'GET',
      });
      const err = await client.createPropertyKey({ name: 'p_int', data_type: 'INT' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HugeGraphAlreadyExistsError);
      expect(err).toMatchObject({ status: 400, serverMessage: expect.stringContaining('has existed'), code: 'HugeGraphAlreadyExistsError' });
    });

    it('accepts an identical existing element with checkExist false, and rejects a different one', async () => {
      const pk = await client.createPropertyKey({ name: 'p_int', data_type: 'INT', cardinality: 'SINGLE' }, { checkExist: false });
      expect(pk.id).toBe(original.propertykeys.elements.find((e) => e.name === 'p_int')?.id);
      const vl = original.vertexlabels.elements.find((e) => e.name === 'v_auto');
      await expect(client.createVertexLabel(vl!, { checkExist: false })).resolves.toMatchObject({ name: 'v_auto' });
      await expect(client.createPropertyKey({ name: 'p_int', data_type: 'LONG' }, { checkExist: false })).rejects.toBeInstanceOf(HugeGraphAlreadyExistsError);
    });

    it('refuses schema ids outside RESTORING mode', async () => {
      await expect(client.createPropertyKey({ id: 99, name: 'with_id', data_type: 'INT' }, { keepId: true })).rejects.toMatchObject({
        constructor: HugeGraphBadRequestError,
        serverMessage: expect.stringContaining('RESTORING'),
      });
    });

    it('creates every kind in MERGING mode without ids, idempotently with checkExist false', async () => {
      await client.clear();
      await client.setMode('MERGING');
      try {
        const input = {
          propertykeys: original.propertykeys.elements,
          vertexlabels: original.vertexlabels.elements,
          edgelabels: original.edgelabels.elements,
          indexlabels: original.indexlabels.elements,
        };
        await client.createSchema(input, { checkExist: false });
        await client.createSchema(input, { checkExist: false });
        expect(schemaShape(await client.getSchema(), false)).toEqual(schemaShape(original, false));
      } finally {
        await client.setMode('NONE');
      }
    });

    it('creates every kind in RESTORING mode with the original ids', async () => {
      await client.clear();
      await client.setMode('RESTORING');
      try {
        // Without an id RESTORING refuses a new element.
        await expect(client.createPropertyKey({ name: 'no_id', data_type: 'INT' })).rejects.toMatchObject({
          constructor: HugeGraphBadRequestError,
          serverMessage: expect.stringContaining('schema id'),
        });
        // Shuffled ids (reverse order) prove they are taken from the input, not regenerated.
        const rev = <T>(xs: readonly T[]): T[] => [...xs].reverse();
        await client.createSchema(
          {
            propertykeys: rev(original.propertykeys.elements),
            vertexlabels: rev(original.vertexlabels.elements),
            edgelabels: rev(original.edgelabels.elements),
            indexlabels: rev(original.indexlabels.elements),
          },
          { keepId: true },
        );
        const restored = await client.getSchema();
        expect(schemaShape(restored)).toEqual(schemaShape(original));
        // user_data (incl. ~create_time) travels with the element.
        const a = original.vertexlabels.elements.find((e) => e.name === 'v_auto');
        const b = restored.vertexlabels.elements.find((e) => e.name === 'v_auto');
        expect(b?.user_data).toEqual(a?.user_data);
      } finally {
        await client.setMode('NONE');
      }
    });

    it('waits for a task and reports an unknown task as NotFound', async () => {
      const il = await client.createIndexLabel({ name: 'ix_pkstr_int', base_type: 'VERTEX_LABEL', base_value: 'v_pk_str', index_type: 'RANGE', fields: ['p_int'] }, { taskTimeoutMs: 60_000 });
      expect(il.name).toBe('ix_pkstr_int');
      expect((await client.listIndexLabels(['ix_pkstr_int'])).elements[0]?.status).toBe('CREATED');
      await expect(client.waitForTask(987654321)).rejects.toBeInstanceOf(HugeGraphNotFoundError);
    });
  });

  describe('data', () => {
    const extraVertices = 530;
    let schema: Schema;
    let before: Dump;

    beforeAll(async () => {
      await client.setMode('NONE');
      await client.clear();
      await createFixtureSchema(client);
      await loadFixtureData(client, { extraVertices });
      schema = await client.getSchema();
      before = await dumpAll(client, schema);
    });

    it('pages every label and counts what was written', async () => {
      expect(countsOf(before)).toEqual(expectedCounts({ extraVertices }));
      await expect(client.count('vertex', 'v_auto', { pageSize: 100 })).resolves.toBe(3 + extraVertices);
      await expect(client.count('edge', 'e_rated')).resolves.toBe(4);
    });

    it('walks several small pages without loss or duplicates, and resumes from a cursor', async () => {
      const seen: string[] = [];
      const tokens: (string | null)[] = [];
      for await (const p of client.pages('vertex', 'v_auto', { pageSize: 37 })) {
        expect(p.elements.length).toBeLessThanOrEqual(37);
        expect(p.bytes).toBeGreaterThan(0);
        seen.push(...p.elements);
        tokens.push(p.nextPage);
      }
      expect(tokens.length).toBeGreaterThanOrEqual(Math.ceil((3 + extraVertices) / 37));
      expect(tokens[tokens.length - 1]).toBeNull();
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(before.vertices['v_auto']);

      // Resume from the third page's cursor: the rest equals the tail of a full walk.
      const cursor = tokens[1]!;
      const rest: string[] = [];
      for await (const p of client.pages('vertex', 'v_auto', { pageSize: 37, startPage: cursor })) rest.push(...p.elements);
      expect(rest).toEqual(seen.slice(74));
      const single = await client.fetchPage('vertex', 'v_auto', cursor, 37);
      expect(single.elements).toEqual(seen.slice(74, 111));
    });

    it('drops the repeats that label paging sends when limit >= 500', async () => {
      // HugeGraph 1.5.0 repeats the last element of every internal batch of 500 (same page or
      // first of the next page); the client drops them, so counts stay right at any page size.
      for (const pageSize of [499, 500, 501, 1000, 5000]) {
        const all: string[] = [];
        let dropped = 0;
        for await (const p of client.pages('vertex', 'v_auto', { pageSize })) {
          all.push(...p.elements);
          dropped += p.duplicatesDropped;
        }
        expect({ pageSize, total: all.length, unique: new Set(all).size }).toEqual({ pageSize, total: 3 + extraVertices, unique: 3 + extraVertices });
        if (pageSize < 500) expect(dropped).toBe(0);
      }
      // Resuming with a cursor and the previous page's lastId drops a repeat at the page boundary.
      const first = await client.fetchPage('vertex', 'v_auto', null, 500);
      const second = await client.fetchPage('vertex', 'v_auto', first.nextPage, 500, { afterId: first.lastId });
      expect(new Set([...first.elements, ...second.elements]).size).toBe(first.elements.length + second.elements.length);
    });

    it('keeps ids and LONG values above 2^53 byte-exact, numbers as numbers and strings as strings', () => {
      const full = before.vertices['v_auto']!.find((e) => e.includes('"name":"full"'))!;
      const id = getMemberRaw(full, 'id')!;
      expect(id).toMatch(/^\d{16,19}$/);
      expect(BigInt(id) > 2n ** 53n).toBe(true);
      expect(full).toContain(`"p_long":${BIG_LONG}`);
      const parsed = parseLosslessObject(full);
      expect(isLosslessNumber(parsed['id'])).toBe(true);
      expect(stringifyLossless(parsed)).toBe(full);
      expect((parsed['properties'] as Record<string, unknown>)['p_text']).toBe(TRICKY_TEXT);
      const neg = before.vertices['v_auto']!.find((e) => e.includes('"name":"negative"'))!;
      expect(neg).toContain('"p_long":-9223372036854775808');
      const nums = before.vertices['v_cust_num']!.map((e) => getMemberRaw(e, 'id'));
      expect(nums.sort()).toEqual([...CUSTOM_NUMBER_IDS].sort());
      const pk = before.vertices['v_pk_str']!.map((e) => getMemberRaw(e, 'id')!);
      expect(pk.every((x) => x.startsWith('"'))).toBe(true);
    });

    it('reads a single vertex by raw id', async () => {
      const full = before.vertices['v_auto']!.find((e) => e.includes('"name":"full"'))!;
      await expect(client.getVertex(getMemberRaw(full, 'id')!)).resolves.toBe(full);
      await expect(client.getVertex('12345')).rejects.toBeInstanceOf(HugeGraphNotFoundError);
    });

    it('maps bad input to BadRequest and refuses oversized batches before sending', async () => {
      await expect(client.createVertices(['{"label":"v_auto","properties":{"no_such_key":1}}'])).rejects.toBeInstanceOf(HugeGraphBadRequestError);
      // An undefined label is a 400 "Undefined vertex label" on write and list; the client calls it NotFound.
      await expect(client.createVertices(['{"label":"no_such_label","properties":{}}'])).rejects.toMatchObject({
        constructor: HugeGraphNotFoundError,
        status: 400,
        serverMessage: expect.stringContaining('no_such_label'),
      });
      await expect(client.pages('edge', 'no_such_label', { pageSize: 10 }).next()).rejects.toMatchObject({
        constructor: HugeGraphNotFoundError,
        serverMessage: expect.stringContaining('no_such_label'),
      });
      const many = Array.from({ length: 501 }, (_, k) => `{"label":"v_pk_str","properties":{"name":"m${k}"}}`);
      await expect(client.createVertices(many)).rejects.toBeInstanceOf(HugeGraphUsageError);
      await expect(client.createVertices([])).rejects.toBeInstanceOf(HugeGraphUsageError);
    });

    it('creates a full batch of 500 (gzip body) from raw texts or one array text, returning raw ids', async () => {
      const batch = Array.from({ length: 500 }, (_, k) => `{"label":"v_pk_str","properties":{"name":"batch-${k}","p_int":${k}}}`);
      const ids = await client.createVertices(batch);
      expect(ids).toHaveLength(500);
      expect(ids[0]).toMatch(/^"\d+:batch-0"$/);
      const more = await client.createVertices(`[${batch.slice(0, 2).join(',')}]`);
      expect(more).toEqual(ids.slice(0, 2));
      const edges = await client.createEdges([`{"label":"e_rated","outV":${ids[0]},"outVLabel":"v_pk_str","inV":${CUSTOM_NUMBER_IDS[0]},"inVLabel":"v_cust_num","properties":{"seq":5}}`], {
        checkVertex: true,
      });
      expect(edges).toHaveLength(1);
      expect(edges[0]).toMatch(/^".*batch-0.*"$/);
      await expect(client.count('vertex', 'v_pk_str')).resolves.toBe(3 + 500);
    });

    it('restores a dump faithfully in RESTORING mode: AUTOMATIC ids above 2^53 written back exactly', async () => {
      const current = await dumpAll(client, schema);
      const strategies = new Map(schema.vertexlabels.elements.map((l) => [l.name, l.id_strategy]));

      await client.clear();
      await client.setMode('RESTORING');
      try {
        await client.createSchema(
          {
            propertykeys: schema.propertykeys.elements,
            vertexlabels: schema.vertexlabels.elements,
            edgelabels: schema.edgelabels.elements,
            indexlabels: schema.indexlabels.elements,
          },
          { keepId: true },
        );
        for (const [label, elements] of Object.entries(current.vertices)) {
          // PRIMARY_KEY ids are rejected in every mode: the server recomputes them.
          const body = strategies.get(label) === 'PRIMARY_KEY' ? elements.map((e) => editObjectMembers(e, { remove: ['id'] })) : elements;
          await chunks(body, 500, (b) => client.createVertices(b));
        }
        for (const elements of Object.values(current.edges)) {
          await chunks(elements, 500, (b) => client.createEdges(b, { checkVertex: false }));
        }
      } finally {
        await client.setMode('NONE');
      }
      const after = await dumpAll(client, await client.getSchema());
      expect(after).toEqual(current);
    });

    it('rejects an AUTOMATIC id in NONE mode and a string id for an AUTOMATIC label in RESTORING mode', async () => {
      const id = new LosslessNumber('1208794584776818688');
      const v = stringifyLossless({ id, label: 'v_auto', properties: { name: 'x' } });
      await expect(client.createVertices([v])).rejects.toMatchObject({ constructor: HugeGraphBadRequestError });
      await client.setMode('RESTORING');
      try {
        await expect(client.createVertices([v])).resolves.toEqual(['1208794584776818688']);
        const asString = stringifyLossless({ id: '1208794584776818689', label: 'v_auto', properties: { name: 'y' } });
        await expect(client.createVertices([asString])).rejects.toBeInstanceOf(HugeGraphBadRequestError);
      } finally {
        await client.setMode('NONE');
      }
      await expect(client.getVertex('1208794584776818688')).resolves.toContain('"id":1208794584776818688');
    });
  });
});

describe('HugeGraphClient with authentication on', () => {
  const password = 'hgbr-test-pw';
  let server: Server;

  beforeAll(async () => {
    server = await startHugeGraph({ backend: 'rocksdb', auth: { password } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('detects the version without credentials but gets 401 for graph calls', async () => {
    const anon = await HugeGraphClient.connect({ url: server.url, graph: 'hugegraph' });
    try {
      expect(anon.serverVersion).toBe(server.version);
      const err = await anon.graphInfo().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HugeGraphUnauthorizedError);
      expect(err).toMatchObject({ status: 401, code: 'HugeGraphUnauthorizedError' });
    } finally {
      await anon.close();
    }
  });

  it('gets 401 with a wrong password', async () => {
    const wrong = await HugeGraphClient.connect({ url: server.url, graph: 'hugegraph', username: 'admin', password: 'wrong' });
    try {
      await expect(wrong.getMode()).rejects.toBeInstanceOf(HugeGraphUnauthorizedError);
    } finally {
      await wrong.close();
    }
  });

  it('works with the admin credentials', async () => {
    const admin = await HugeGraphClient.connect({ url: server.url, graph: 'hugegraph', username: 'admin', password });
    try {
      await expect(admin.graphInfo()).resolves.toMatchObject({ name: 'hugegraph' });
      await expect(admin.setMode('RESTORING')).resolves.toBe('RESTORING');
      await expect(admin.setMode('NONE')).resolves.toBe('NONE');
      await admin.createPropertyKey({ name: 'auth_pk', data_type: 'TEXT' });
      await expect(admin.listPropertyKeys(['auth_pk'])).resolves.toMatchObject({ elements: [{ name: 'auth_pk' }] });
    } finally {
      await admin.close();
    }
  });
});
