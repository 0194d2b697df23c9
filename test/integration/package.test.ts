/**
 * hgbr as a platform team installs it: `npm pack` (which builds the package), the tarball
 * installed offline into fresh folders outside the repository, then
 * - a CDK app in TypeScript imports the construct, type-checks against the package's declarations
 *   and `cdk synth`s a stack with a VPC and two graphs: the Lambdas deploy the package's prebuilt
 *   bundles, whatever the app's own lock file and layout;
 * - a CLI-only install (production dependencies: no aws-cdk-lib, no tsx) runs `hgbr --help` and
 *   a real backup of a real HugeGraph, and writes nothing into the installed package;
 * - the installed CLI on a Node.js older than 22 says which Node it needs and exits 2.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { LAMBDA_ENTRIES } from '../../infra/lambda/bundles';
import { writeConsumerApp } from '../support/consumer-app';
import { nodeBinaryOfMajor } from '../support/deployed-stack';
import { createFixtureSchema, expectedCounts, loadFixtureData } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { HugeGraphClient } from '../../functions/hugegraph';

const execFileAsync = promisify(execFile);

/** Runs a command; a failure carries its output, so a type error in the consumer app is readable. */
async function run(file: string, args: string[], options: { cwd: string; maxBuffer?: number }): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(file, args, { ...options, encoding: 'utf8' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(file)} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}
const REPO = path.resolve(__dirname, '..', '..');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const CDK = path.join(REPO, 'node_modules', 'aws-cdk', 'bin', 'cdk');

let work: string;
let tarball: string;
let hugegraph: HugeGraphServer;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-package-'));
  const [packed, server] = await Promise.all([run('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }), startHugeGraph()]);
  hugegraph = server;
  tarball = path.join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename as string);
});

afterAll(async () => {
  await hugegraph?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A folder with the tarball installed (plus `extra` packages) by `npm ci --offline`. */
async function install(name: string, extra: string[]): Promise<string> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  writeConsumerApp(dir, REPO, tarball, extra);
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir });
  return dir;
}

/** Every file below `dir` with its size and modification time. */
function snapshot(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .map((f) => {
      const stat = fs.statSync(path.join(dir, f));
      return `${f} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

const CONSUMER_APP = `
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HugeGraphBackup, type HugeGraphBackupProps } from 'hgbr';

const app = new App();
const stack = new Stack(app, 'PlatformBackups');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'graphs', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
const props: HugeGraphBackupProps = {
  graphs: [
    { url: 'http://hugegraph-a.internal:8080', graph: 'hugegraph', schedule: 'cron(0 2 * * ? *)', keep: 7 },
    { url: 'https://hugegraph-b.internal', graph: 'social', schedule: 'rate(12 hours)' },
  ],
  network: { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } },
  workerFunctionProps: { memorySize: 2048, timeout: Duration.minutes(10), tracing: lambda.Tracing.ACTIVE },
  concurrency: { exports: 6, files: 8 },
};
new HugeGraphBackup(stack, 'Backups', props);
app.synth();
`;

describe('the construct, from the installed package in a CDK app of its own', () => {
  it('type-checks, synthesizes with a VPC and two graphs, and deploys the package\u2019s prebuilt bundles', async () => {
    const app = await install('cdk-app', ['aws-cdk-lib', 'constructs']);
    fs.writeFileSync(path.join(app, 'app.ts'), CONSUMER_APP);
    fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: 'node app.js' }));
    await run(process.execPath, [TSC, '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck', 'app.ts'], { cwd: app });
    await run(process.execPath, [CDK, 'synth', '--no-notices', '--quiet', '--output', 'cdk.out'], { cwd: app });

    const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'PlatformBackups.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as { Type: string; Properties: any; Metadata?: Record<string, string> }[];
    expect(resources.filter((r) => r.Type === 'AWS::Scheduler::Schedule')).toHaveLength(2);
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:asset:path']);
    expect(functions.length).toBeGreaterThanOrEqual(13);
    const installed = path.join(app, 'node_modules', 'hgbr', 'dist', 'lambda-bundles');
    const bundles = new Map(LAMBDA_ENTRIES.map((entry) => [fs.readFileSync(path.join(installed, entry, 'index.js'), 'utf8'), entry]));
    const deployed = new Set<string>();
    for (const fn of functions) {
      const code = fs.readFileSync(path.join(app, 'cdk.out', fn.Metadata?.['aws:asset:path'] as string, 'index.js'), 'utf8');
      const entry = bundles.get(code);
      expect({ handler: fn.Properties.Handler, bundle: entry !== undefined }).toEqual({ handler: fn.Properties.Handler, bundle: true });
      deployed.add(entry as string);
    }
    expect([...deployed].sort()).toEqual([...LAMBDA_ENTRIES].sort());
    const talking = functions.filter((fn) => fn.Properties.Environment?.Variables?.HUGEGRAPH_SECRET_ARN);
    for (const fn of talking) expect(fn.Properties.VpcConfig?.SubnetIds).toHaveLength(2);
    const workers = functions.filter((fn) => /^index\.(exportChunk|restoreFiles)$/.test(fn.Properties.Handler));
    expect(workers.map((fn) => [fn.Properties.MemorySize, fn.Properties.Timeout, fn.Properties.TracingConfig?.Mode])).toEqual([
      [2048, 600, 'Active'],
      [2048, 600, 'Active'],
    ]);
  });
});

describe('the CLI, installed with production dependencies only', () => {
  let cli: string;
  let hgbr: string;

  beforeAll(async () => {
    cli = await install('cli-only', []);
    hgbr = path.join(cli, 'node_modules', '.bin', 'hgbr');
  });

  it('has neither aws-cdk-lib nor tsx to lean on', () => {
    const modules = fs.readdirSync(path.join(cli, 'node_modules'));
    expect(modules).not.toContain('aws-cdk-lib');
    expect(modules).not.toContain('tsx');
    expect(modules).not.toContain('esbuild');
  });

  it('prints its help', async () => {
    const { stdout } = await run(hgbr, ['--help'], { cwd: cli });
    expect(stdout).toContain('usage: hgbr <command>');
    for (const command of ['backup', 'restore', 'migrate', 'mode', 'list', 'verify']) expect(stdout).toContain(`  ${command} `);
  });

  it('backs up a real graph and verifies the backup, writing nothing into the installed package', async () => {
    const client = await HugeGraphClient.connect({ url: hugegraph.url, graph: 'hugegraph' });
    try {
      await createFixtureSchema(client);
      await loadFixtureData(client);
    } finally {
      await client.close();
    }
    const installed = path.join(cli, 'node_modules', 'hgbr');
    const before = snapshot(installed);
    const root = path.join(work, 'backups');
    const backup = await run(hgbr, ['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', root, '--json'], { cwd: cli });
    const summary = JSON.parse(backup.stdout);
    expect(summary).toMatchObject({ ok: true, ...expectedCounts() });
    const verified = await run(hgbr, ['verify', '--from', path.join(root, 'hugegraph', summary.backupId), '--json'], { cwd: cli });
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
    expect(snapshot(installed)).toEqual(before);
  });

  it('says which Node.js it needs and exits 2 on Node.js 20', async () => {
    const node20 = nodeBinaryOfMajor(20);
    const result = await execFileAsync(node20, [hgbr, '--help'], { cwd: cli }).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toMatch(/^hgbr: needs Node\.js 22 or newer; this is Node\.js 20\./);
  });
});

it('the package holds the build and the docs, not the sources or the tests', () => {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  expect(files).toContain('package/dist/cli/main.js');
  expect(files).toContain('package/dist/infra/index.d.ts');
  expect(files).toContain('package/dist/cli/generated/state-machines.json');
  for (const entry of LAMBDA_ENTRIES) expect(files).toContain(`package/dist/lambda-bundles/${entry}/index.js`);
  expect(files.filter((f) => /^package\/(functions|infra|cli|test|bench|scripts)\//.test(f))).toEqual([]);
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});
