import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExecutionAlreadyExists, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import type { ApiConfig } from '../../../functions/api/config';
import { apiConfigFromEnv } from '../../../functions/api/config';
import type { ApiEvent } from '../../../functions/api/http';
import type { ApiDeps } from '../../../functions/api/restores';
import { handleApiRequest } from '../../../functions/api/router';
import { createManifest, serializeManifest, type ManifestFile } from '../../../functions/format';
import { LocalStorage } from '../../../functions/storage/local';
import type { BackupStorage } from '../../../functions/storage/storage';

const ROOT = 's3://hgbr-backups/backups';
const MACHINE = 'arn:aws:states:eu-central-1:111111111111:stateMachine:Restore';
const config: ApiConfig = {
  restoreStateMachineArn: MACHINE,
  backupRoot: ROOT,
  stateLocation: ROOT,
  targets: [
    { url: 'http://hg-a:8080', graph: 'hugegraph' },
    { url: 'http://hg-b:8080', graph: 'hugegraph' },
    { url: 'http://hg-b:8080', graph: 'copy' },
  ],
};

type Call = { name: string; input: any };

/** Step Functions stubbed at the SDK boundary: `send()` answers each command by its class name. */
function stubSfn(answers: Record<string, (input: any) => unknown>) {
  const calls: Call[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: unknown }) {
      const name = command.constructor.name;
      calls.push({ name, input: command.input });
      const answer = answers[name];
      if (!answer) throw new Error(`unexpected ${name}`);
      return answer(command.input);
    },
  } as unknown as Pick<SFNClient, 'send'>;
  return { client, calls };
}

let dir: string;
let storage: BackupStorage;

/**
 * A local folder that reports another root, as the S3 storage of the bucket would: its own methods
 * keep the folder (overriding `root` on the object itself made them write below ./s3:/… instead).
 */
function reportingRoot(local: LocalStorage, root: string): BackupStorage {
  return new Proxy(local, {
    get: (target, name) => {
      if (name === 'root') return root;
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as BackupStorage;
}

/** The bucket's backup root, served from a local folder but reporting the S3 root (as S3Storage would). */
function storageFor(location: string): BackupStorage {
  if (location !== ROOT) throw new Error(`unexpected storage ${location}`);
  return storage;
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-api-'));
  storage = reportingRoot(new LocalStorage(dir), ROOT);
  await writeBackup('hugegraph', '20261120T020000Z-aaaa', 10, 5);
  await writeBackup('hugegraph', '20261121T020000Z-bbbb', 12, 6);
  await storage.put('hugegraph/20261122T020000Z-cccc/vertices-0001-00001.zip', 'partial'); // interrupted: no manifest
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function writeBackup(graph: string, backupId: string, vertices: number, edges: number, graphspace?: string): Promise<void> {
  const file = (name: string, type: ManifestFile['type'], elements = 1, label?: string): ManifestFile => ({
    name,
    type,
    elements,
    bytes: 100,
    sha256: 'a'.repeat(64),
    compressed: true,
    ...(label ? { label } : {}),
  });
  const day = backupId.slice(6, 8);
  const manifest = createManifest({
    tool: { name: 'hgbr', version: '0.1.0' },
    backupId,
    graph,
    graphspace: graphspace ?? null,
    server: { version: '1.5.0', backend: 'rocksdb' },
    modes: { graphMode: 'NONE', readMode: 'ALL' },
    startedAt: `2026-11-${day}T02:00:00.000Z`,
    finishedAt: `2026-11-${day}T02:10:00.000Z`,
    files: [
      file('propertykeys.zip', 'propertykeys'),
      file('vertexlabels.zip', 'vertexlabels'),
      file('edgelabels.zip', 'edgelabels'),
      file('indexlabels.zip', 'indexlabels'),
      file('vertices-0001-00001.zip', 'vertices', vertices, 'person'),
      file('edges-0001-00001.zip', 'edges', edges, 'knows'),
    ],
  });
  await storage.put(`${graphspace ? `_graphspaces/${graphspace}/` : ''}${graph}/${backupId}/manifest.json`, serializeManifest(manifest));
}

function deps(sfn: Pick<SFNClient, 'send'>): ApiDeps {
  return { config, sfn, storage: storageFor, now: () => new Date('2026-11-24T21:56:00Z') };
}

function post(body: unknown): ApiEvent {
  return { resource: '/restores', httpMethod: 'POST', body: JSON.stringify(body), requestContext: { domainName: 'api.example.com', path: '/v1/restores', requestId: 'req-1' } };
}

async function call(sfn: Pick<SFNClient, 'send'>, event: ApiEvent) {
  const logged: Record<string, unknown>[] = [];
  const response = await handleApiRequest(deps(sfn), event, (entry) => logged.push(entry));
  return { status: response.statusCode, body: JSON.parse(response.body), logged };
}

const started = (input: any) => ({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() });
const notStarted = () => {
  throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
};

describe('POST /restores', () => {
  it('starts the newest complete backup, named by the restore id, and answers 202 with the status URL', async () => {
    const sfn = stubSfn({ DescribeExecutionCommand: notStarted, StartExecutionCommand: started });
    const { status, body } = await call(
      sfn.client,
      post({ graph: 'hugegraph', backupId: 'latest', target: { url: 'http://hg-b:8080/', graph: 'copy' }, mode: 'RESTORING', restoreId: 'nightly-check-1' }),
    );

    expect(status).toBe(202);
    expect(body).toEqual({
      restoreId: 'nightly-check-1',
      executionArn: 'arn:aws:states:eu-central-1:111111111111:execution:Restore:nightly-check-1',
      statusUrl: 'https://api.example.com/v1/restores/nightly-check-1',
      source: `${ROOT}/hugegraph/20261121T020000Z-bbbb`,
    });
    expect(sfn.calls.map((c) => c.name)).toEqual(['DescribeExecutionCommand', 'StartExecutionCommand']);
    const start = sfn.calls[1]?.input;
    expect(start.stateMachineArn).toBe(MACHINE);
    expect(start.name).toBe('nightly-check-1');
    expect(JSON.parse(start.input)).toEqual({
      source: `${ROOT}/hugegraph/20261121T020000Z-bbbb`,
      target: { url: 'http://hg-b:8080', graph: 'copy' },
      mode: 'RESTORING',
      stateLocation: ROOT,
      restoreId: 'nightly-check-1',
      apiRequest: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('accepts the backup by its location, and takes the restore id from an Idempotency-Key header', async () => {
    const sfn = stubSfn({ DescribeExecutionCommand: notStarted, StartExecutionCommand: started });
    const body = {
      backup: `${ROOT}/hugegraph/20261120T020000Z-aaaa`,
      target: { url: 'http://hg-a:8080', graph: 'hugegraph' },
      mode: 'MERGING',
      verifyTarget: true,
      types: ['schema', 'variables'],
      authConflict: 'skip',
      preflightRead: false,
    };
    const plain = await call(sfn.client, { ...post(body), headers: { 'Idempotency-Key': 'job-42' } });
    const uuid = await call(sfn.client, { ...post(body), headers: { 'idempotency-key': 'key with spaces/and slashes' } });
    expect([plain.status, plain.body.restoreId]).toEqual([202, 'job-42']);
    expect(uuid.body.restoreId).toMatch(/^k-[0-9a-f]{40}$/);
    expect(JSON.parse(sfn.calls[1]?.input.input)).toMatchObject({
      source: `${ROOT}/hugegraph/20261120T020000Z-aaaa`,
      verifyTarget: true,
      types: ['schema', 'variables'],
      authConflict: 'skip',
      preflightRead: false,
    });
  });

  it('accepts a backup of a graph of another graph space by its location, below _graphspaces/<gs>/', async () => {
    await writeBackup('hugegraph', '20261123T020000Z-dddd', 3, 1, 'gs1');
    const sfn = stubSfn({ DescribeExecutionCommand: notStarted, StartExecutionCommand: started });
    const backup = `${ROOT}/_graphspaces/gs1/hugegraph/20261123T020000Z-dddd`;
    const { status } = await call(sfn.client, { ...post({ backup, target: { url: 'http://hg-a:8080', graph: 'hugegraph' }, mode: 'MERGING' }), headers: { 'Idempotency-Key': 'gs-1' } });
    expect(status).toBe(202);
    expect(JSON.parse(sfn.calls[1]?.input.input)).toMatchObject({ source: backup });
  });

  it('refuses a request with neither a restore id nor an Idempotency-Key (400): a retry would start a second restore', async () => {
    const sfn = stubSfn({});
    const { status, body } = await call(sfn.client, post({ graph: 'hugegraph', backupId: 'latest', target: { url: 'http://hg-a:8080', graph: 'hugegraph' }, mode: 'RESTORING' }));
    expect(status).toBe(400);
    expect(body.error.message).toContain('Idempotency-Key');
    expect(sfn.calls).toEqual([]);
  });

  it('refuses a backup without manifest (422), a missing one (404), and one outside the root (400), before starting anything', async () => {
    const sfn = stubSfn({ DescribeExecutionCommand: notStarted });
    const target = { url: 'http://hg-a:8080', graph: 'hugegraph' };
    const restoreId = 'r1';
    const incomplete = await call(sfn.client, post({ graph: 'hugegraph', backupId: '20261122T020000Z-cccc', target, mode: 'RESTORING', restoreId }));
    const missing = await call(sfn.client, post({ graph: 'hugegraph', backupId: '20261123T020000Z-dddd', target, mode: 'RESTORING', restoreId }));
    const outside = await call(sfn.client, post({ backup: 's3://other-bucket/backups/hugegraph/20261120T020000Z-aaaa', target, mode: 'RESTORING', restoreId }));
    const none = await call(sfn.client, post({ graph: 'nothing', backupId: 'latest', target, mode: 'RESTORING', restoreId }));
    expect([incomplete, missing, outside, none].map((r) => [r.status, r.body.error.code])).toEqual([
      [422, 'IncompleteBackup'],
      [404, 'BackupNotFound'],
      [400, 'BackupOutsideRoot'],
      [404, 'BackupNotFound'],
    ]);
    expect(sfn.calls.filter((c) => c.name === 'StartExecutionCommand')).toEqual([]);
  });

  it('restores only into an allowed target, and asks for the URL when the graph name is ambiguous', async () => {
    const sfn = stubSfn({ DescribeExecutionCommand: notStarted });
    const body = { graph: 'hugegraph', backupId: 'latest', mode: 'RESTORING', restoreId: 'r1' };
    const foreign = await call(sfn.client, post({ ...body, target: { url: 'http://evil:8080', graph: 'hugegraph' } }));
    const ambiguous = await call(sfn.client, post({ ...body, target: { graph: 'hugegraph' } }));
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('TargetNotAllowed');
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.code).toBe('AmbiguousTarget');
    expect(sfn.calls.filter((c) => c.name === 'StartExecutionCommand')).toEqual([]);
  });

  it('lists every problem of a malformed request in one 400', async () => {
    const { status, body } = await call(
      stubSfn({}).client,
      post({
        backupId: 'yesterday',
        target: { graph: '1bad', url: 'ftp://x' },
        mode: 'restoring',
        restoreId: 'no spaces',
        verifyTarget: 'yes',
        types: ['edge'],
        authConflict: 'merge',
        preflightRead: 'no',
        extra: 1,
      }),
    );
    expect(status).toBe(400);
    expect(body.error.details.problems).toEqual([
      'unknown field extra',
      'graph must be a graph name (or give backup)',
      'backupId must be a backup id such as 20261124T215600Z-3f9a, or "latest"',
      'target.graph must be a graph name',
      'target.url must be an http(s) URL',
      'mode must be one of RESTORING, MERGING',
      'restoreId must be 1 to 80 letters, digits, "-" or "_", starting with a letter or digit',
      'verifyTarget must be true or false',
      'types must list one or more of schema, vertices, edges, variables, auth',
      'authConflict must be one of stop, skip, overwrite',
      'preflightRead must be true or false',
    ]);
  });

  it('answers a retried request with the execution it started, even after latest moved on, and refuses the id for a different request (409)', async () => {
    let existingInput = '';
    const sfn = stubSfn({
      StartExecutionCommand: (input) => {
        if (existingInput) throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
        existingInput = input.input;
        return started(input);
      },
      DescribeExecutionCommand: () => {
        if (!existingInput) notStarted();
        return { status: 'SUCCEEDED', input: existingInput };
      },
    });
    const request = { graph: 'hugegraph', backupId: 'latest', target: { url: 'http://hg-a:8080', graph: 'hugegraph' }, mode: 'RESTORING', restoreId: 'r1' };
    const first = await call(sfn.client, post(request));
    expect(first.status).toBe(202);
    await writeBackup('hugegraph', '20261123T020000Z-eeee', 20, 10); // latest is another backup now
    const retried = await call(sfn.client, post(request));
    expect([retried.status, retried.body.status, retried.body.source]).toEqual([200, 'SUCCEEDED', first.body.source]);
    const other = await call(sfn.client, post({ ...request, mode: 'MERGING' }));
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('RestoreIdInUse');
    expect(sfn.calls.filter((c) => c.name === 'StartExecutionCommand')).toHaveLength(1);
  });

  it('answers a request that raced another under the same id as a retry when it is the same request', async () => {
    let input = '';
    const sfn = stubSfn({
      DescribeExecutionCommand: () => {
        if (!input) notStarted();
        return { status: 'RUNNING', input };
      },
      StartExecutionCommand: (started) => {
        input = started.input; // the other request got there first, with the same body
        throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
      },
    });
    const raced = await call(sfn.client, post({ graph: 'hugegraph', backupId: 'latest', target: { url: 'http://hg-a:8080', graph: 'hugegraph' }, mode: 'RESTORING', restoreId: 'r2' }));
    expect([raced.status, raced.body.status]).toEqual([202, 'RUNNING']);
  });

  it('answers 500 with the request id, and logs the cause, when Step Functions fails', async () => {
    const sfn = stubSfn({
      DescribeExecutionCommand: notStarted,
      StartExecutionCommand: () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
    });
    const { status, body, logged } = await call(
      sfn.client,
      post({ graph: 'hugegraph', backupId: 'latest', target: { url: 'http://hg-a:8080', graph: 'hugegraph' }, mode: 'RESTORING', restoreId: 'r1' }),
    );
    expect(status).toBe(500);
    expect(body.error.message).toContain('req-1');
    expect(body.error.message).not.toContain('Rate exceeded');
    expect(logged).toEqual([expect.objectContaining({ level: 'ERROR', error: 'ThrottlingException', detail: 'Rate exceeded' })]);
  });
});

describe('GET /restores/{id}', () => {
  const get = (id: string): ApiEvent => ({ resource: '/restores/{id}', httpMethod: 'GET', pathParameters: { id } });
  const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 22, 0, s));

  it('reports status, the request, and progress per phase with file counts of the running map', async () => {
    const sfn = stubSfn({
      DescribeExecutionCommand: () => ({
        status: 'RUNNING',
        startDate: at(0),
        input: JSON.stringify({ source: `${ROOT}/hugegraph/20261120T020000Z-aaaa`, target: { url: 'http://hg-a:8080', graph: 'hugegraph' }, mode: 'RESTORING' }),
      }),
      GetExecutionHistoryCommand: () => ({
        events: [
          { type: 'TaskStateEntered', timestamp: at(1), stateEnteredEventDetails: { name: 'Plan' } },
          { type: 'TaskStateExited', timestamp: at(2), stateExitedEventDetails: { name: 'Plan' } },
          { type: 'TaskStateEntered', timestamp: at(3), stateEnteredEventDetails: { name: 'Prepare' } },
          { type: 'TaskStateExited', timestamp: at(4), stateExitedEventDetails: { name: 'Prepare' } },
          { type: 'MapStateEntered', timestamp: at(5), stateEnteredEventDetails: { name: 'RestoreVertices' } },
          { type: 'MapRunStarted', timestamp: at(6), mapRunStartedEventDetails: { mapRunArn: 'arn:map-run-1' } },
        ],
      }),
      DescribeMapRunCommand: (input) => {
        expect(input.mapRunArn).toBe('arn:map-run-1');
        return { itemCounts: { total: 40, succeeded: 30, failed: 0, running: 4, pending: 6, timedOut: 0, aborted: 0 } };
      },
    });
    const { status, body } = await call(sfn.client, get('r1'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ restoreId: 'r1', status: 'RUNNING', mode: 'RESTORING', phase: 'RestoreVertices', target: { graph: 'hugegraph' } });
    expect(body.phases.map((p: any) => [p.name, p.status])).toEqual([
      ['Plan', 'succeeded'],
      ['Prepare', 'succeeded'],
      ['RestoreVertices', 'running'],
      ['RestoreEdges', 'pending'],
      ['Verify', 'pending'],
      ['Finish', 'pending'],
    ]);
    expect(body.phases[2].files).toEqual({ total: 40, succeeded: 30, failed: 0, running: 4, pending: 6 });
    expect(body.phases[2].mapRunArn).toBeUndefined();
    expect(sfn.calls.find((c) => c.name === 'GetExecutionHistoryCommand')?.input.includeExecutionData).toBe(false);
  });

  it('shows where a failed restore failed, that the mode was reset, and its error', async () => {
    const sfn = stubSfn({
      DescribeExecutionCommand: () => ({ status: 'FAILED', startDate: at(0), stopDate: at(9), error: 'MergeConflictError', cause: 'vertex label person differs', input: '{}' }),
      GetExecutionHistoryCommand: () => ({
        events: [
          { type: 'TaskStateEntered', timestamp: at(1), stateEnteredEventDetails: { name: 'Plan' } },
          { type: 'TaskStateExited', timestamp: at(2), stateExitedEventDetails: { name: 'Plan' } },
          { type: 'TaskStateEntered', timestamp: at(3), stateEnteredEventDetails: { name: 'Prepare' } },
          { type: 'TaskStateEntered', timestamp: at(4), stateEnteredEventDetails: { name: 'ResetMode' } },
          { type: 'TaskStateExited', timestamp: at(5), stateExitedEventDetails: { name: 'ResetMode' } },
        ],
      }),
    });
    const { body } = await call(sfn.client, get('r2'));
    expect(body.error).toEqual({ error: 'MergeConflictError', cause: 'vertex label person differs' });
    expect(body.phases.map((p: any) => [p.name, p.status])).toEqual([
      ['Plan', 'succeeded'],
      ['Prepare', 'failed'],
      ['RestoreVertices', 'pending'],
      ['RestoreEdges', 'pending'],
      ['Verify', 'pending'],
      ['Finish', 'pending'],
      ['ResetMode', 'succeeded'],
    ]);
  });

  it('answers 404 for an unknown restore and 400 for an id that cannot be one', async () => {
    const sfn = stubSfn({
      DescribeExecutionCommand: () => {
        throw new ExecutionDoesNotExist({ message: 'no', $metadata: {} });
      },
    });
    expect((await call(sfn.client, get('nope'))).status).toBe(404);
    expect((await call(sfn.client, get('../etc'))).status).toBe(400);
  });
});

describe('GET /backups', () => {
  it('lists complete backups with counts, oldest first; incomplete ones are left out', async () => {
    const { status, body } = await call(stubSfn({}).client, { resource: '/backups', httpMethod: 'GET', queryStringParameters: { graph: 'hugegraph' } });
    expect(status).toBe(200);
    expect(body.backups.map((b: any) => [b.backupId, b.vertices, b.edges, b.location])).toEqual([
      ['20261120T020000Z-aaaa', 10, 5, `${ROOT}/hugegraph/20261120T020000Z-aaaa`],
      ['20261121T020000Z-bbbb', 12, 6, `${ROOT}/hugegraph/20261121T020000Z-bbbb`],
    ]);
  });

  it('lists a graph of another graph space apart: below _graphspaces/<gs>/, named by graphspace', async () => {
    await writeBackup('hugegraph', '20261123T020000Z-dddd', 3, 1, 'gs1');
    const inSpace = await call(stubSfn({}).client, { resource: '/backups', httpMethod: 'GET', queryStringParameters: { graph: 'hugegraph', graphspace: 'gs1' } });
    expect(inSpace.body.backups.map((b: any) => [b.graphspace, b.backupId, b.location])).toEqual([['gs1', '20261123T020000Z-dddd', `${ROOT}/_graphspaces/gs1/hugegraph/20261123T020000Z-dddd`]]);
    const all = await call(stubSfn({}).client, { resource: '/backups', httpMethod: 'GET' });
    expect(all.body.backups.map((b: any) => b.backupId)).toEqual(['20261120T020000Z-aaaa', '20261121T020000Z-bbbb', '20261123T020000Z-dddd']);
    expect((await call(stubSfn({}).client, { resource: '/backups', httpMethod: 'GET', queryStringParameters: { graphspace: 'gs1' } })).status).toBe(400);
  });
});

describe('the API configuration', () => {
  it('reports every missing variable at once', () => {
    expect(() => apiConfigFromEnv({ RESTORE_TARGETS: '{' })).toThrow(
      /RESTORE_STATE_MACHINE_ARN is not set; BACKUP_ROOT is not set; RESTORE_STATE_LOCATION is not set; RESTORE_TARGETS is not a JSON array/,
    );
  });
});
