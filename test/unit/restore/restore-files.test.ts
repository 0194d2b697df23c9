import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MESSAGES } from '../../../functions/workflow/messages';
import type { WorkflowRuntime } from '../../../functions/workflow/runtime';
import { flipByte } from '../../support/damage';
import { fakeGraph, fakeRuntime } from '../../support/fakes';
import { RecordedMessages } from '../../support/recorded-messages';
import { ChecksumMismatchError, encodeDataLine } from '../../../functions/format';
import type { BatchInput, GraphSession } from '../../../functions/hugegraph';
import { scanArray } from '../../../functions/json/scan';
import { doneRecordKey, restoreLockKey } from '../../../functions/restore/layout';
import { FENCE_CHECK_MS, restoreFiles } from '../../../functions/restore/restore-files';
import type { FileItem, RestoreJob } from '../../../functions/restore/types';

const BIG = '1190241039214968832';

/** A client that records batches and how many were in flight at once. */
function fakeClient(options: { failOn?: number; delayMs?: number } = {}) {
  const posted: string[][] = [];
  const bodies: ('stored' | 'elements')[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const post = async (input: BatchInput) => {
    // An array of element texts, or a line's array as stored: recorded the same way.
    const stored = typeof input === 'object' && 'json' in input;
    bodies.push(stored ? 'stored' : 'elements');
    const batch = stored ? scanArray(Buffer.from(input.json).toString('utf8')) : (input as readonly string[]);
    const call = ++calls;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, options.delayMs ?? 5));
    inFlight--;
    if (call === options.failOn) throw new Error(`batch ${call} refused`);
    posted.push([...batch]);
    return batch.map(() => '1');
  };
  const client = fakeGraph({
    getMode: async () => 'RESTORING',
    listVertexLabels: async () => ({
      elements: [
        { id: 7, name: 'person', id_strategy: 'PRIMARY_KEY' },
        { id: 1, name: 'auto', id_strategy: 'AUTOMATIC' },
      ],
      raw: '',
      rawElements: [],
    }),
    createVertices: post,
    createEdges: post,
  });
  return { client, posted, bodies, stats: () => ({ maxInFlight, calls }) };
}

describe('restoreFiles', () => {
  let dir: string;
  let recorded: RecordedMessages;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-restore-files-'));
    recorded = new RecordedMessages();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function setUp(lines: string[][], mode: RestoreJob['mode'] = 'RESTORING', concurrency = 2, label = 'auto') {
    const name = 'vertices-0001-00001';
    const body = lines.map((l) => encodeDataLine('vertices', l)).join('');
    fs.mkdirSync(path.join(dir, 'g', '20261124T215600Z-3f9a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'g', '20261124T215600Z-3f9a', name), body);
    const item: FileItem = {
      name,
      type: 'vertices',
      label,
      elements: lines.flat().length,
      bytes: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    };
    const job: RestoreJob = {
      restoreId: 'r1',
      source: { root: dir, prefix: 'g/20261124T215600Z-3f9a/', hasManifest: true },
      target: { url: 'http://127.0.0.1:8080', graph: 'g' },
      mode,
      stateLocation: dir,
      statePrefix: '_restores/r1/',
      previousMode: 'NONE',
      verifyTarget: false,
      batchConcurrency: concurrency,
    };
    fs.mkdirSync(path.join(dir, '_restores'), { recursive: true });
    fs.writeFileSync(path.join(dir, restoreLockKey(job.target)), JSON.stringify({ runId: 'r1' }));
    return { item, job, file: path.join(dir, 'g', '20261124T215600Z-3f9a', name) };
  }

  function runtime(client: GraphSession): WorkflowRuntime {
    return fakeRuntime({ connect: async () => client, notify: recorded.notify });
  }

  const vertices = (from: number, n: number) => Array.from({ length: n }, (_, k) => `{"id":${BIG.slice(0, -3)}${String(from + k).padStart(3, '0')},"label":"auto","type":"vertex","properties":{}}`);

  it('posts every line as one batch, at most batchConcurrency at once, then records the file as done', async () => {
    const lines = [vertices(0, 3), vertices(3, 2), vertices(5, 4), vertices(9, 1), vertices(10, 2)];
    const { item, job } = setUp(lines, 'RESTORING', 2);
    const fake = fakeClient();
    const result = await restoreFiles(runtime(fake.client), { BatchInput: { job }, Items: [item] });
    expect(result).toEqual({ files: [{ name: item.name, elements: 12, skipped: false }] });
    expect(fake.posted.flat().sort()).toEqual(lines.flat().sort()); // byte-exact, ids above 2^53 included
    expect(fake.stats().maxInFlight).toBe(2);
    expect(recorded.codes()).toEqual([...Array(5).fill(MESSAGES.batchRestored.code), MESSAGES.fileRestored.code]);
    expect(
      recorded
        .dataOf(MESSAGES.batchRestored)
        .map((d) => d.elements)
        .sort(),
    ).toEqual([1, 2, 2, 3, 4]);
    const record = JSON.parse(fs.readFileSync(path.join(dir, doneRecordKey(job.statePrefix, item.name)), 'utf8'));
    expect(record).toMatchObject({ name: item.name, elements: 12, labels: { auto: 12 } });

    const again = await restoreFiles(runtime(fake.client), { BatchInput: { job }, Items: [item] });
    expect(again.files[0]?.skipped).toBe(true);
    expect(fake.stats().calls).toBe(5);
    // AUTOMATIC vertices go unchanged: each line's array is posted as stored, never decoded.
    expect(fake.bodies).toEqual(['stored', 'stored', 'stored', 'stored', 'stored']);
  });

  it('posts the vertices of a PRIMARY_KEY label without their ids, cut out of the bytes', async () => {
    const people = [
      '{"id":"7:marko","label":"person","type":"vertex","properties":{"name":"marko"}}',
      '{"id":"7:中文","label":"person","type":"vertex","properties":{"name":"中文"}}',
      '{"label":"person","id":"7:late","type":"vertex","properties":{"name":"late"}}',
    ];
    const { item, job } = setUp([people], 'RESTORING', 2, 'person');
    const fake = fakeClient();
    await restoreFiles(runtime(fake.client), { BatchInput: { job }, Items: [item] });
    expect(fake.bodies).toEqual(['stored']);
    expect(fake.posted).toEqual([
      [
        '{"label":"person","type":"vertex","properties":{"name":"marko"}}',
        '{"label":"person","type":"vertex","properties":{"name":"中文"}}',
        '{"label":"person","type":"vertex","properties":{"name":"late"}}',
      ],
    ]);
  });

  it('sends nothing of a file whose bytes do not match the manifest', async () => {
    const { item, job, file } = setUp([vertices(0, 3)]);
    flipByte(file, 0x01, 10);
    const fake = fakeClient();
    await expect(restoreFiles(runtime(fake.client), { BatchInput: { job }, Items: [item] })).rejects.toThrow(ChecksumMismatchError);
    expect(fake.stats().calls).toBe(0);
    expect(fs.existsSync(path.join(dir, doneRecordKey(job.statePrefix, item.name)))).toBe(false);
  });

  it('fails a file that holds another number of elements than the manifest says, and records it as not done', async () => {
    // The checksum matches (the manifest itself is wrong): the elements are sent, the file does not count.
    const { item, job } = setUp([vertices(0, 3)]);
    const fake = fakeClient();
    await expect(restoreFiles(runtime(fake.client), { BatchInput: { job }, Items: [{ ...item, elements: 4 }] })).rejects.toThrow(/holds 3 elements, the manifest says 4/);
    expect(fs.existsSync(path.join(dir, doneRecordKey(job.statePrefix, item.name)))).toBe(false);
  });

  it('stops at a failed batch, waits for the batches in flight, and records nothing', async () => {
    const { item, job } = setUp([vertices(0, 1), vertices(1, 1), vertices(2, 1), vertices(3, 1), vertices(4, 1), vertices(5, 1)]);
    const fake = fakeClient({ failOn: 2 });
    await expect(restoreFiles(runtime(fake.client), { BatchInput: { job }, Items: [item] })).rejects.toThrow('batch 2 refused');
    expect(fake.stats().calls).toBeLessThan(6);
    expect(fs.existsSync(path.join(dir, doneRecordKey(job.statePrefix, item.name)))).toBe(false);
  });

  it('refuses to write once the restore no longer holds its lock', async () => {
    const { item, job } = setUp([vertices(0, 1)]);
    fs.writeFileSync(path.join(dir, restoreLockKey(job.target)), JSON.stringify({ runId: 'other' }));
    const fake = fakeClient();
    await expect(restoreFiles(runtime(fake.client), { BatchInput: { job }, Items: [item] })).rejects.toThrow(/restore r1 no longer holds .* \(restore other does\)/);
    expect(fake.stats().calls).toBe(0);
  });

  it('stops between batches once a reset has fenced its lock (a sibling failed), sending nothing more', async () => {
    const { item, job } = setUp([vertices(0, 1), vertices(1, 1), vertices(2, 1), vertices(3, 1), vertices(4, 1), vertices(5, 1)], 'RESTORING', 1);
    const fake = fakeClient();
    // The reset fences the lock while the second batch is being posted.
    const post = fake.client.createVertices;
    let posts = 0;
    const createVertices: typeof post = async (input) => {
      if (++posts === 2) fs.writeFileSync(path.join(dir, restoreLockKey(job.target)), JSON.stringify({ runId: 'r1', resetAt: '2026-11-24T22:00:05Z' }));
      return post(input);
    };
    // A clock a check interval further on each reading, so that every batch checks the lock.
    let now = Date.parse('2026-11-24T22:00:00Z');
    const tick = () => {
      now += FENCE_CHECK_MS;
      return new Date(now);
    };
    const ticking = fakeRuntime({ connect: async () => ({ ...fake.client, createVertices }), now: tick });
    await expect(restoreFiles(ticking, { BatchInput: { job }, Items: [item] })).rejects.toThrow(/no longer holds .* \(its reset began at 2026-11-24T22:00:05Z\)/);
    expect(fake.stats().calls).toBe(2);
  });
});
