/**
 * Cancellation against a real HugeGraph server: a backup of a large label stopped midway (Ctrl-C
 * in the CLI, the deadline of a Lambda invocation) ends within seconds, long before the label
 * would, and leaves nothing that could pass for a backup.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkflowAbortedError } from '../../cli/errors';
import { localRuntime } from '../../cli/local-runtime';
import { runBackupLocally } from '../../cli/workflows';
import { AbortedError } from '../../functions/abort';
import { listBackups } from '../../functions/backup/catalog';
import { BACKUP_STEPS } from '../../functions/backup/handlers';
import { backupLockKey } from '../../functions/backup/layout';
import type { BackupRequest, ExportCursor, ExportWork } from '../../functions/backup/types';
import { mapWithConcurrency } from '../../functions/concurrency';
import { HugeGraphClient } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { MESSAGES, type Message } from '../../functions/workflow/messages';
import { bindSteps, withSignal } from '../../functions/workflow/runtime';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { RecordedMessages } from '../support/recorded-messages';

jest.setTimeout(300_000);

/** Large enough that exporting it takes many times longer than stopping must. */
const VERTICES = 60_000;
const PAGE_SIZE = 1000;

let hugegraph: HugeGraphServer;
let client: HugeGraphClient;
let folder: string;

beforeAll(async () => {
  hugegraph = await startHugeGraph();
  client = await HugeGraphClient.connect({ url: hugegraph.url, graph: 'hugegraph' });
  await client.createSchema({
    propertykeys: [
      { name: 'name', data_type: 'TEXT', cardinality: 'SINGLE' },
      { name: 'n', data_type: 'INT', cardinality: 'SINGLE' },
    ],
    vertexlabels: [{ name: 'big', id_strategy: 'AUTOMATIC', properties: ['name', 'n'] }],
  });
  const batches = Array.from({ length: VERTICES / 500 }, (_, b) =>
    Array.from({ length: 500 }, (_, k) => JSON.stringify({ label: 'big', properties: { name: `vertex ${'x'.repeat(80)} ${b * 500 + k}`, n: b * 500 + k } })),
  );
  await mapWithConcurrency(batches, 4, (batch) => client.createVertices(batch));
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-cancel-'));
});

afterAll(async () => {
  await client?.close();
  await hugegraph?.stop();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

function request(location: string): BackupRequest {
  return { server: { url: hugegraph.url, graph: 'hugegraph' }, location, labels: ['big'], pageSize: PAGE_SIZE };
}

/** Nothing that could pass for a backup, no work files, and the lock free for the next run. */
async function expectNothingLeft(root: string): Promise<void> {
  const storage = openStorage(root);
  expect(await listBackups(storage, { graph: 'hugegraph' })).toEqual([]);
  expect(await storage.head(backupLockKey({ graph: 'hugegraph' }))).toBeUndefined();
}

/**
 * A sink that records the messages and aborts `controller` with `reason` once the first page is
 * exported: the run is stopped midway through the label, as a person or a deadline would.
 */
function stopAtFirstPage(controller: AbortController, reason: string) {
  const recorded = new RecordedMessages();
  let stoppedAt = 0;
  const notify = (message: Message) => {
    recorded.notify(message);
    if (MESSAGES.pageExported.is(message) && stoppedAt === 0) {
      stoppedAt = Date.now();
      controller.abort(new AbortedError(reason));
    }
  };
  return {
    notify,
    msSinceStop: () => Date.now() - stoppedAt,
    exported: () => recorded.dataOf(MESSAGES.pageExported).reduce((n, page) => n + page.elements, 0),
  };
}

it('loaded a label of the size the tests need', async () => {
  expect(await client.count('vertex', 'big', { pageSize: 20_000 })).toBe(VERTICES);
});

it('Ctrl-C during a label export stops the backup within seconds and removes what it wrote', async () => {
  const root = path.join(folder, 'ctrl-c');
  const controller = new AbortController();
  const stop = stopAtFirstPage(controller, 'stopped by SIGINT');
  const runtime = localRuntime({ notify: stop.notify });
  try {
    await expect(runBackupLocally(runtime, request(root), controller.signal)).rejects.toBeInstanceOf(WorkflowAbortedError);
    expect(stop.msSinceStop()).toBeLessThan(3000);
    expect(stop.exported()).toBeLessThan(VERTICES / 10);
    await expectNothingLeft(root);
  } finally {
    await runtime.close();
  }
});

it('a Lambda deadline during a label export stops the step within seconds; the Catch path then cleans up', async () => {
  const root = path.join(folder, 'deadline');
  const deadline = new AbortController();
  const stop = stopAtFirstPage(deadline, 'the Lambda invocation was about to time out');
  // The invocation's deadline arrives while the export is under way; its time budget is far off.
  const runtime = localRuntime({ notify: stop.notify, budgetMs: 15 * 60_000 });
  try {
    const steps = bindSteps(BACKUP_STEPS, runtime);
    const plan = await steps.plan({ request: request(root), executionId: 'arn:aws:states:eu-central-1:111111111111:execution:Backup:deadline' });
    const work = (JSON.parse(fs.readFileSync(path.join(plan.items.bucket, plan.items.key), 'utf8')) as ExportWork[])[0];
    if (!work) throw new Error('the plan has no work item');
    const cursor: ExportCursor = { page: '', lastId: '', fileSeq: 1, elements: 0, done: false };
    const invocation = bindSteps(BACKUP_STEPS, withSignal(runtime, deadline.signal));
    const failure = await invocation.exportChunk({ job: plan.job, work, cursor }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'AbortedError', message: 'the Lambda invocation was about to time out' });
    expect(stop.msSinceStop()).toBeLessThan(3000);
    expect(stop.exported()).toBeLessThan(VERTICES / 10);

    // What the state machine's Catch runs next, in a fresh invocation.
    await steps.abort({ job: plan.job });
    await expectNothingLeft(root);
  } finally {
    await runtime.close();
  }
});
