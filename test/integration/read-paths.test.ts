/**
 * Both backup read paths, round trip, on the HugeGraph versions we support: key ranges (`scan`,
 * the default) and label paging (`label`). A backup is restored into the emptied graph and every
 * element must come back byte for byte: ids above 2^53, PRIMARY_KEY text with `:` `>` and a back
 * tick, UUID and string ids, and (scan only) labels without a label index, which label paging
 * cannot list. Every restore also counts the target (--verify-target), those labels included. A
 * key range that fails midway is retried from its cursor with neither a duplicate nor a gap.
 * Ranges cut where the data is (key-ranges.ts) read every element once.
 *
 * Versions: HGBR_TEST_READ_PATH_VERSIONS (default 1.0.0,1.5.0,1.7.0); each starts its own server.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localRuntime, type LocalRuntime } from '../../cli/local-runtime';
import { runBackupLocally, runRestoreLocally } from '../../cli/workflows';
import { readManifest } from '../../functions/backup/catalog';
import type { BackupSummary, ReadPath } from '../../functions/backup/types';
import { balanceRanges } from '../../functions/backup/key-ranges';
import { HugeGraphClient, HugeGraphServerError, type KeyRange, MIN_SPLIT_SIZE } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { dump, type GraphDump } from '../support/graph-dump';
import { createFixtureSchema, expectedCounts, loadFixtureData, NO_LABEL_INDEX_IDS } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';

const VERSIONS = (process.env.HGBR_TEST_READ_PATH_VERSIONS ?? '1.0.0,1.5.0,1.7.0').split(',');
const EXTRA_VERTICES = 2000;
const FIXTURE = { extraVertices: EXTRA_VERTICES, withoutLabelIndex: true } as const;
const UNINDEXED = ['v_nolabelidx', 'e_nolabelidx'];

/** What label paging can read back: every label that has a label index. */
function indexedOnly(d: GraphDump): GraphDump {
  const keep = (o: Record<string, string[]>) => Object.fromEntries(Object.entries(o).filter(([label]) => !UNINDEXED.includes(label)));
  return { schemaIds: d.schemaIds, vertices: keep(d.vertices), edges: keep(d.edges) };
}

/** The graph's elements per label, label paging where a label index exists, vertices by id where none does. */
async function graphContents(client: HugeGraphClient): Promise<{ indexed: GraphDump; unindexed: string[] }> {
  const schema = await client.getSchema();
  const indexedSchema = { ...schema, vertexlabels: { ...schema.vertexlabels, elements: schema.vertexlabels.elements.filter((l) => l.enable_label_index !== false) } };
  const edgeLabels = { ...schema.edgelabels, elements: schema.edgelabels.elements.filter((l) => l.enable_label_index !== false) };
  const indexedClient = Object.assign(Object.create(client), { getSchema: async () => ({ ...indexedSchema, edgelabels: edgeLabels }) }) as HugeGraphClient;
  const indexed = indexedOnly(await dump(indexedClient));
  const unindexed = await Promise.all(NO_LABEL_INDEX_IDS.map((id) => client.getVertex(id).catch(() => `missing ${id}`)));
  return { indexed, unindexed };
}

describe.each(VERSIONS)('HugeGraph %s', (version) => {
  let hugegraph: HugeGraphServer;
  let client: HugeGraphClient;
  let folder: string;
  let original: { indexed: GraphDump; unindexed: string[] };

  beforeAll(async () => {
    hugegraph = await startHugeGraph({ version });
    client = await HugeGraphClient.connect({ url: hugegraph.url, graph: 'hugegraph' });
    await createFixtureSchema(client, FIXTURE);
    await loadFixtureData(client, FIXTURE);
    original = await graphContents(client);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), `hgbr-read-paths-${version}-`));
  });

  afterAll(async () => {
    await client?.close();
    await hugegraph?.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  async function backupAndRestore(readPath: ReadPath, runtime: LocalRuntime = localRuntime()): Promise<BackupSummary> {
    const root = path.join(folder, readPath);
    const server = { url: hugegraph.url, graph: 'hugegraph' };
    // Label paging cannot list labels without a label index: it is given the others.
    const labels = readPath === 'label' ? [...Object.keys(original.indexed.vertices), ...Object.keys(original.indexed.edges)] : undefined;
    try {
      const summary = await runBackupLocally(runtime, { server, location: root, readPath, labels, pageSize: 300, elementsPerFile: 500 });
      await client.clear();
      // --verify-target reads the restored graph back: labels without a label index in one pass over their kind.
      const restored = await runRestoreLocally(runtime, { source: path.join(root, 'hugegraph', summary.backupId), target: server, mode: 'RESTORING', verifyTarget: true });
      expect(restored.countedOnTarget).toBe(true);
      return summary;
    } finally {
      await runtime.close();
    }
  }

  it('key ranges cut where the data is still read every element exactly once (the server takes any byte key as a bound)', async () => {
    const counts = expectedCounts(FIXTURE);
    for (const kind of ['vertex', 'edge'] as const) {
      const shards = await client.shards(kind, MIN_SPLIT_SIZE);
      const probe = async (range: KeyRange, limit: number) => (await client.scanRawPage(kind, range, null, limit)).elements.length;
      const ranges = await balanceRanges(shards, probe, { target: 12, minElements: 8 });
      if (kind === 'vertex') expect(ranges.length).toBeGreaterThan(shards.length); // it cut the extra vertices (the fixture has few edges)
      const ids: string[] = [];
      for (const range of ranges) {
        let inRange = 0;
        let page: string | null = null;
        do {
          const answer = await client.scanRawPage(kind, range, page, 500);
          for (const element of answer.elements) ids.push(element.toString('utf8'));
          inRange += answer.elements.length;
          page = answer.nextPage || null;
        } while (page !== null);
        expect(inRange).toBeGreaterThan(0);
      }
      const total = Object.values(kind === 'vertex' ? counts.vertices : counts.edges).reduce((a, b) => a + b, 0);
      expect({ kind, read: ids.length, distinct: new Set(ids).size }).toEqual({ kind, read: total, distinct: total });
    }
  });

  it('scan: every element of every label comes back byte for byte, labels without a label index included', async () => {
    const summary = await backupAndRestore('scan');
    const counts = expectedCounts(FIXTURE);
    expect({ vertices: summary.vertices, edges: summary.edges }).toEqual(counts);
    // The plan's share of the time (the key ranges probed on the server) is reported apart.
    expect(summary.planMs).toBeGreaterThan(0);
    expect(summary.planMs).toBeLessThanOrEqual(summary.durationMs);
    expect(await graphContents(client)).toEqual(original);
  });

  it('label: every element of the labels it can list comes back byte for byte', async () => {
    const summary = await backupAndRestore('label');
    const { v_nolabelidx: _v, ...vertices } = expectedCounts(FIXTURE).vertices;
    const { e_nolabelidx: _e, ...edges } = expectedCounts(FIXTURE).edges;
    expect({ vertices: summary.vertices, edges: summary.edges }).toEqual({ vertices, edges });
    const restored = await graphContents(client);
    expect(restored.indexed).toEqual(original.indexed);
    expect(restored.unindexed).toEqual(NO_LABEL_INDEX_IDS.map((id) => `missing ${id}`));
  });
});

describe('a key range that fails midway', () => {
  let hugegraph: HugeGraphServer;
  let client: HugeGraphClient;
  let folder: string;

  beforeAll(async () => {
    hugegraph = await startHugeGraph();
    client = await HugeGraphClient.connect({ url: hugegraph.url, graph: 'hugegraph' });
    await createFixtureSchema(client, FIXTURE);
    await loadFixtureData(client, FIXTURE);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-range-retry-'));
  });

  afterAll(async () => {
    await client?.close();
    await hugegraph?.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('is exported again from its cursor, the failed attempt\u2019s files replaced: no duplicate, no gap', async () => {
    const PAGE_SIZE = 200;
    const base = localRuntime();
    const root = path.join(folder, 'root');
    const pagesOfRange = new Map<string, number>();
    let failed = false;
    let storedBeforeFailure: string[] = [];
    const flaky: LocalRuntime = {
      ...base,
      async connect(server) {
        const real = await base.connect(server);
        return Object.assign(Object.create(real), {
          scanRawPage: async (kind: 'vertex' | 'edge', range: KeyRange, page: string | null, limit: number) => {
            // Only the export's pages count (the plan's probes of where the data is read fewer).
            if (limit !== PAGE_SIZE) return real.scanRawPage(kind, range, page, limit);
            // A page of a vertex range fails once, mid-range (its third page or later) and once the
            // attempt has stored a file: the next page is asked for while the current one is still
            // being written, so which page that is depends on timing, not on a fixed number.
            const pages = (pagesOfRange.get(range.start) ?? 0) + 1;
            pagesOfRange.set(range.start, pages);
            const stored = () => {
              // This range's own records (`_hgbr/files/vertex-range-<index>/`), its index from the work list.
              const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' });
              const list = files.find((f) => f.endsWith('_hgbr/items.json'));
              const items = list ? (JSON.parse(fs.readFileSync(path.join(root, list), 'utf8')) as { kind: string; index: number; range?: KeyRange }[]) : [];
              const index = items.find((w) => w.kind === 'vertex' && w.range?.start === range.start)?.index;
              const dir = `_hgbr/files/vertex-range-${String(index).padStart(5, '0')}/`;
              return index === undefined ? [] : files.filter((f) => f.includes(dir) && f.endsWith('.zip.json'));
            };
            if (kind === 'vertex' && pages >= 3 && !failed && stored().length > 0) {
              failed = true;
              storedBeforeFailure = stored();
              throw new HugeGraphServerError(500, { method: 'GET', path: '/traversers/vertices/scan' }, { message: 'injected: the connection broke' });
            }
            return real.scanRawPage(kind, range, page, limit);
          },
        });
      },
    };
    try {
      const summary = await runBackupLocally(flaky, { server: { url: hugegraph.url, graph: 'hugegraph' }, location: root, pageSize: PAGE_SIZE, elementsPerFile: 150, workers: 1 });
      expect(failed).toBe(true);
      expect(storedBeforeFailure.length).toBeGreaterThan(0);
      expect({ vertices: summary.vertices, edges: summary.edges }).toEqual(expectedCounts(FIXTURE));
      const manifest = await readManifest(openStorage(root), { graph: 'hugegraph' }, summary.backupId);
      const names = manifest.files.map((f) => f.name);
      expect(new Set(names).size).toBe(names.length);
      const stored = fs.readdirSync(path.join(root, 'hugegraph', summary.backupId)).filter((f) => f !== 'manifest.json');
      expect(stored.sort()).toEqual([...names].sort());
    } finally {
      await base.close();
    }
  });
});
