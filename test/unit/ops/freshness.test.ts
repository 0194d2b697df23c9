import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createManifest, serializeManifest } from '../../../functions/format';
import { checkFreshness, freshnessMetricData } from '../../../functions/ops/freshness';
import { openStorage } from '../../../functions/storage/open';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-freshness-'));
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A complete backup (its manifest) started at `startedAt`, or an incomplete one (a data file only). */
async function backup(graph: string, id: string, startedAt: string, complete = true): Promise<void> {
  const storage = openStorage(root);
  if (!complete) return storage.put(`${graph}/${id}/vertices-0001-00001.zip`, 'x');
  const manifest = createManifest({
    tool: { name: 'hgbr', version: '0' },
    backupId: id,
    graph,
    graphspace: null,
    server: { version: '1.5.0', backend: 'rocksdb' },
    modes: { graphMode: 'NONE', readMode: 'ALL' },
    startedAt,
    finishedAt: startedAt,
    files: [],
  });
  await storage.put(`${graph}/${id}/manifest.json`, serializeManifest(manifest));
}

describe('the backup freshness check', () => {
  it('measures from the start of the newest complete backup, passing over incomplete ones', async () => {
    await backup('g', '20261201T020000Z-aaaa', '2026-12-01T02:00:00.000Z');
    await backup('g', '20261202T020000Z-bbbb', '2026-12-02T02:00:00.000Z');
    await backup('g', '20261203T020000Z-cccc', '2026-12-03T02:00:00.000Z', false);
    const [check] = await checkFreshness([{ location: root, graph: 'g', maxAgeMinutes: 2160 }], openStorage, new Date('2026-12-03T03:30:00.000Z'));
    expect(check).toMatchObject({ newestBackupId: '20261202T020000Z-bbbb', ageMinutes: 25.5 * 60 });
    expect(freshnessMetricData(check ? [check] : [], new Date())).toEqual([
      expect.objectContaining({ MetricName: 'BackupAgeMinutes', Value: 1530, Dimensions: [{ Name: 'BackupFolder', Value: `${root}/g` }] }),
    ]);
  });

  it('reports a graph with no complete backup as far too old, so that a schedule that never produced one alarms', async () => {
    const checks = await checkFreshness([{ location: root, graph: 'never', maxAgeMinutes: 60 }], openStorage, new Date());
    expect(checks[0]?.ageMinutes).toBeUndefined();
    expect(freshnessMetricData(checks, new Date())[0]?.Value).toBe(600);
  });

  it('keeps a graph whose backups cannot be listed out of the metric, with the error', async () => {
    const checks = await checkFreshness([{ location: 's3://', graph: 'g', maxAgeMinutes: 60 }], openStorage, new Date());
    expect(checks[0]?.error).toBeDefined();
    expect(freshnessMetricData(checks, new Date())).toEqual([]);
  });
});
