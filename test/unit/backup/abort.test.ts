import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { abortBackup } from '../../../functions/backup/abort';
import { backupLockKey, manifestKey } from '../../../functions/backup/layout';
import type { WorkflowRuntime } from '../../../functions/workflow/runtime';
import type { BackupJob } from '../../../functions/backup/types';
import { openStorage } from '../../../functions/storage/open';
import type { BackupStorage } from '../../../functions/storage/storage';
import { fakeRuntime } from '../../support/fakes';

let root: string;
let storage: BackupStorage;
const job: BackupJob = { backupId: '20261125T120000Z-abcd', location: '', server: { url: 'http://x', graph: 'g' }, pageSize: 10, elementsPerFile: 10, compressionLevel: 1, readPath: 'scan' };

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-abort-'));
  storage = openStorage(root);
  await storage.put(`g/${job.backupId}/vertices-0001-00001.zip`, 'data');
  await storage.put(`g/${job.backupId}/_hgbr/plan.json`, '{}');
  await storage.put(backupLockKey({ graph: 'g' }), JSON.stringify({ runId: job.backupId }));
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const runtime = (): WorkflowRuntime => fakeRuntime({ storage: () => storage });

describe('abortBackup', () => {
  it('removes every file of a run that never wrote its manifest, and releases the lock', async () => {
    await abortBackup(runtime(), { ...job, location: root });
    expect(await storage.head(`g/${job.backupId}/vertices-0001-00001.zip`)).toBeUndefined();
    expect(await storage.head(backupLockKey({ graph: 'g' }))).toBeUndefined();
  });

  it('keeps a backup whose manifest was written (a failure after the commit), removing only its work files', async () => {
    await storage.put(manifestKey({ graph: 'g' }, job.backupId), '{}');
    await abortBackup(runtime(), { ...job, location: root });
    expect(await storage.head(manifestKey({ graph: 'g' }, job.backupId))).toBeDefined();
    expect(await storage.head(`g/${job.backupId}/vertices-0001-00001.zip`)).toBeDefined();
    expect(await storage.head(`g/${job.backupId}/_hgbr/plan.json`)).toBeUndefined();
    expect(await storage.head(backupLockKey({ graph: 'g' }))).toBeUndefined();
  });
});
