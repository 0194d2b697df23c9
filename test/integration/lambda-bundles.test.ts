/**
 * The deployed artefacts run. A stack is synthesized with its Lambdas bundled exactly as `cdk synth`
 * bundles them (infra/lambda/bundles.ts); its state machines are taken from the template and run by
 * the local runner, and every task is answered by its function's bundle, loaded from the cloud
 * assembly in a Node.js process of the Lambda runtime's major, with the function's handler and
 * environment from the template. Nothing of the repository is on that process's module path, so a
 * module missing from a bundle, or a file it reads that is not in it, fails here as on AWS.
 *
 * Real servers: HugeGraph with auth on (credentials from a Secrets Manager stand-in, as the functions
 * read them on AWS), s3proxy for the bucket, and a Step Functions stand-in on 127.0.0.1 that runs
 * the executions the restore API starts.
 */
import { execFileSync } from 'node:child_process';
import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listBackups, verifyBackup } from '../../functions/backup/catalog';
import type { BackupSummary } from '../../functions/backup/types';
import { HugeGraphClient } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { bundleOptions, BUNDLE_FILE, LAMBDA_NODE_MAJOR } from '../../infra/lambda/bundles';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in';
import { waitFor } from '../support/cli';
import { DeployedStepFunctions, nodeBinaryOfMajor, synthesizeStack, type SynthesizedStack } from '../support/deployed-stack';
import { dump } from '../support/graph-dump';
import { createFixtureSchema, expectedCounts, loadFixtureData } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { InvocationError, LambdaHost } from '../support/lambda-host';
import { startS3Server, type S3Server } from '../support/s3-server';

const PASSWORD = 'bundles-pa55word';
const ROTATED = 'rotated-pa55word';
/** What the Secrets Manager stand-in holds. */
let secretPassword = PASSWORD;
const EXTRA_VERTICES = 1500;

let hugegraph: HugeGraphServer;
let s3: S3Server;
let aws: AwsStandIn;
let client: HugeGraphClient;
let stack: SynthesizedStack;
let stepFunctions: DeployedStepFunctions;
let nodeBinary: string;
let backup: BackupSummary;

beforeAll(async () => {
  nodeBinary = nodeBinaryOfMajor(LAMBDA_NODE_MAJOR);
  [hugegraph, s3] = await Promise.all([startHugeGraph({ auth: { password: PASSWORD } }), startS3Server()]);
  Object.assign(process.env, s3.env); // this process reads the work lists (Step Functions' ItemReader) and checks the backup
  client = await HugeGraphClient.connect({ url: hugegraph.url, graph: 'hugegraph', username: 'admin', password: PASSWORD });
  await createFixtureSchema(client);
  await loadFixtureData(client, { extraVertices: EXTRA_VERTICES });
  // HugeGraph serves plain http here, which the construct accepts only inside a VPC.
  const network = (scope: Stack) => ({ network: { vpc: new ec2.Vpc(scope, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'graphs', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) } });
  stack = synthesizeStack({ graphs: [{ url: hugegraph.url, graph: 'hugegraph', schedule: 'rate(1 day)', keep: 3 }], imports: network }, s3.bucket);
  // Every AWS call of the functions goes to the stand-in (AWS_ENDPOINT_URL), S3 to s3proxy.
  const env: Record<string, string> = { ...s3.env };
  stepFunctions = new DeployedStepFunctions(stack, nodeBinary, env);
  aws = await startAwsStandIn({
    ...stepFunctions.actions(),
    'secretsmanager.GetSecretValue': ({ SecretId }) => ({ ARN: SecretId, Name: 'hgbr-credentials', SecretString: JSON.stringify({ username: 'admin', password: secretPassword }) }),
  });
  env.AWS_ENDPOINT_URL = aws.endpoint;
});

afterAll(async () => {
  await stepFunctions?.stop();
  await client?.close();
  await Promise.all([hugegraph?.stop(), s3?.stop(), aws?.close()]);
  stack?.dispose();
});

/** Shows what the functions logged when an expectation fails. */
async function withLogs<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    (error as Error).message += `\n\nfunction logs:\n${stepFunctions.logs().slice(-20_000)}`;
    throw error;
  }
}

function apiEvent(httpMethod: string, resource: string, extra: { body?: unknown; pathParameters?: Record<string, string>; query?: Record<string, string>; headers?: Record<string, string> } = {}) {
  return {
    resource,
    httpMethod,
    headers: extra.headers ?? null,
    pathParameters: extra.pathParameters ?? null,
    queryStringParameters: extra.query ?? null,
    body: extra.body === undefined ? null : JSON.stringify(extra.body),
    isBase64Encoded: false,
    requestContext: { domainName: 'abc123.execute-api.us-east-1.amazonaws.com', path: `/v1${resource}`, requestId: 'req-1', stage: 'v1' },
  };
}

async function callApi(httpMethod: string, resource: string, extra: Parameters<typeof apiEvent>[2] = {}): Promise<{ statusCode: number; body: any }> {
  const api = stepFunctions.host(stepFunctions.functionId('HugeGraphBackupApiFunction'));
  const response = (await api.invoke(apiEvent(httpMethod, resource, extra))) as { statusCode: number; body: string };
  return { statusCode: response.statusCode, body: JSON.parse(response.body) };
}

describe('the synthesized stack', () => {
  it('deploys one bundle per handler file, for the Lambda runtime the bundles target, holding only its code', () => {
    const functions = [...stack.functions.values()];
    expect(functions.length).toBeGreaterThanOrEqual(13);
    expect(new Set(functions.map((f) => f.runtime))).toEqual(new Set([`nodejs${LAMBDA_NODE_MAJOR}.x`]));
    const codeDirs = new Set(functions.map((f) => f.codeDir));
    expect(codeDirs.size).toBe(4);
    for (const dir of codeDirs) {
      expect(fs.readdirSync(dir).sort()).toEqual([BUNDLE_FILE, `${BUNDLE_FILE}.LEGAL.txt`, `${BUNDLE_FILE}.map`].filter((f) => fs.existsSync(path.join(dir, f))).sort());
      expect(fs.readdirSync(dir)).toContain(BUNDLE_FILE);
    }
    expect(execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
  });
});

describe('the backup state machine with its bundles', () => {
  it('runs a scheduled backup end to end, with the credentials from the secret, and the backup is complete', async () => {
    expect(stack.scheduleInputs).toEqual([{ server: { url: hugegraph.url, graph: 'hugegraph' }, location: `s3://${s3.bucket}/backups`, keep: 3, waitForServer: { attempts: 3, delaySeconds: 300 } }]);
    const outcome = await withLogs(() => stepFunctions.run('backup', stack.scheduleInputs[0]));
    expect(outcome).toMatchObject({ status: 'SUCCEEDED' });
    backup = (outcome as { output: BackupSummary }).output;
    const counts = expectedCounts({ extraVertices: EXTRA_VERTICES });
    expect({ vertices: backup.vertices, edges: backup.edges }).toEqual(counts);
    const report = await verifyBackup(openStorage(`s3://${s3.bucket}/backups`), { graph: 'hugegraph' }, backup.backupId);
    expect(report.problems).toEqual([]);
    expect(aws.calls).toContain('secretsmanager.GetSecretValue');
    expect(stepFunctions.logs()).not.toContain(PASSWORD);
  });
});

describe('the restore API and the restore state machine with their bundles', () => {
  it('lists the backup, restores it into the emptied graph, and reports every phase', async () => {
    const listed = await callApi('GET', '/backups', { query: { graph: 'hugegraph' } });
    expect(listed.statusCode).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(backup.backupId);

    const original = await dump(client);
    await client.clear();
    const started = await callApi('POST', '/restores', {
      body: { graph: 'hugegraph', backupId: 'latest', mode: 'RESTORING', target: { graph: 'hugegraph' } },
      headers: { 'Idempotency-Key': 'bundle-restore-1' },
    });
    expect(started.statusCode).toBe(202);
    expect(started.body.restoreId).toBe('bundle-restore-1');
    expect(started.body.source).toBe(`s3://${s3.bucket}/backups/hugegraph/${backup.backupId}`);

    let status: { statusCode: number; body: any } | undefined;
    await withLogs(() =>
      waitFor(
        async () => {
          status = await callApi('GET', '/restores/{id}', { pathParameters: { id: started.body.restoreId } });
          return status.body.status !== 'RUNNING';
        },
        240_000,
        500,
      ),
    );
    expect(status?.body).toMatchObject({ status: 'SUCCEEDED', target: { url: hugegraph.url, graph: 'hugegraph' }, mode: 'RESTORING' });
    expect(status?.body.phases.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual(
      ['Plan', 'Prepare', 'RestoreVertices', 'RestoreEdges', 'Verify', 'Finish'].map((name) => [name, 'succeeded']),
    );
    expect(await dump(client)).toEqual(original);
    expect(await client.getMode()).toBe('NONE');
  });

  it('fails a restore into a graph that holds data by the error name the functions throw, and leaves the mode alone', async () => {
    const started = await callApi('POST', '/restores', { body: { graph: 'hugegraph', backupId: backup.backupId, mode: 'RESTORING', target: { graph: 'hugegraph' }, restoreId: 'bundle-restore-2' } });
    expect(started.statusCode).toBe(202);
    let status: any;
    await waitFor(
      async () => {
        status = (await callApi('GET', '/restores/{id}', { pathParameters: { id: started.body.restoreId } })).body;
        return status.status !== 'RUNNING';
      },
      120_000,
      500,
    );
    expect(status).toMatchObject({ status: 'FAILED', error: { error: 'TargetNotEmptyError' } });
    expect(await client.getMode()).toBe('NONE');
    const backups = await listBackups(openStorage(`s3://${s3.bucket}/backups`), { graph: 'hugegraph' });
    expect(backups.map((b) => b.state)).toEqual(['complete']);
  });
});

describe('a password rotated while the Lambda containers live on', () => {
  it('is read again from the secret after the first 401, and the next backup succeeds; no password reaches a log or a state', async () => {
    const reads = () => aws.calls.filter((c) => c === 'secretsmanager.GetSecretValue').length;
    const before = reads();
    const users = (await (await fetch(`${hugegraph.url}${hugegraph.graphPath()}/auth/users`, { headers: hugegraph.authHeaders() })).json()) as { users: { id: string; user_name: string }[] };
    const admin = users.users.find((u) => u.user_name === 'admin') as { id: string };
    const changed = await fetch(`${hugegraph.url}${hugegraph.graphPath()}/auth/users/${encodeURIComponent(admin.id)}`, {
      method: 'PUT',
      headers: { ...hugegraph.authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ user_password: ROTATED }),
    });
    expect(changed.status).toBe(200);
    secretPassword = ROTATED;

    const outcome = await withLogs(() => stepFunctions.run('backup', stack.scheduleInputs[0]));
    if (outcome.status !== 'SUCCEEDED') throw new Error(`${JSON.stringify(outcome)}\n${stepFunctions.logs().slice(-4000)}`);
    expect(reads()).toBeGreaterThan(before);
    const everything = `${stepFunctions.logs()}\n${JSON.stringify(stepFunctions.history())}`;
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(ROTATED);
  });
});

describe('the harness itself', () => {
  it('fails a bundle that misses a module, as Lambda does (Runtime.ImportModuleError)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-broken-bundle-'));
    try {
      const esbuild = require('esbuild') as typeof import('esbuild');
      esbuild.buildSync({ ...bundleOptions('backup', dir), external: ['undici'] });
      const fn = stack.functions.get(stepFunctions.functionId('HugeGraphBackupBackupPlanFunction'));
      const host = new LambdaHost({ ...(fn as NonNullable<typeof fn>), codeDir: dir }, nodeBinary, {});
      const error = await host.invoke({}).catch((e: unknown) => e);
      await host.stop();
      expect(error).toBeInstanceOf(InvocationError);
      expect((error as InvocationError).name).toBe('Runtime.ImportModuleError');
      expect((error as Error).message).toContain("Cannot find module 'undici'");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
