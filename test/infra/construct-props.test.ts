/**
 * HugeGraphBackup as a library: the overrides a consumer may give (Lambda settings, concurrency,
 * an existing bucket and key) land where they should, and props that conflict are reported all at
 * once, at synth time.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_SCHEDULED_SERVER_WAIT, HugeGraphBackup, type HugeGraphBackupProps, RESTORE_PLAN_MEMORY_MB } from '../../infra';
import { APP_CONTEXT } from '../../infra/workflows/synth';
import { joined } from './app-fixture';

const GRAPH = { url: 'https://hugegraph.internal:8443', graph: 'hugegraph', schedule: 'rate(1 day)' };

function synth(props: (stack: Stack) => HugeGraphBackupProps): { stack: Stack; system: HugeGraphBackup; template: Template } {
  const app = new App({ context: { ...APP_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Consumer');
  const system = new HugeGraphBackup(stack, 'Backups', props(stack));
  return { stack, system, template: Template.fromStack(stack) };
}

function problemsOf(props: (stack: Stack) => HugeGraphBackupProps): string[] {
  try {
    synth(props);
  } catch (error) {
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^\s*- /, ''));
  }
  throw new Error('the props were accepted');
}

type Fn = {
  Properties: {
    Handler: string;
    MemorySize?: number;
    Timeout?: number;
    TracingConfig?: { Mode: string };
    ReservedConcurrentExecutions?: number;
    Environment?: { Variables?: Record<string, unknown> };
  };
};

function functionsOf(template: Template): Fn[] {
  return Object.values(template.findResources('AWS::Lambda::Function')) as Fn[];
}

describe('Lambda overrides', () => {
  it('apply to every function, the worker overrides to the export and restore-files workers only', () => {
    const { template } = synth(() => ({
      graphs: [GRAPH],
      lambdaFunctionProps: { memorySize: 768, tracing: lambda.Tracing.PASS_THROUGH },
      workerFunctionProps: { memorySize: 3008, timeout: Duration.minutes(12), reservedConcurrentExecutions: 20 },
    }));
    const byHandler = Object.fromEntries(functionsOf(template).map((f) => [f.Properties.Handler, f.Properties]));
    expect(byHandler['index.exportChunk']).toMatchObject({ MemorySize: 3008, Timeout: 720, ReservedConcurrentExecutions: 20, TracingConfig: { Mode: 'PassThrough' } });
    expect(byHandler['index.restoreFiles']).toMatchObject({ MemorySize: 3008, Timeout: 720, ReservedConcurrentExecutions: 20 });
    expect(byHandler['index.plan']).toMatchObject({ MemorySize: 768, Timeout: 900, TracingConfig: { Mode: 'PassThrough' } });
    expect(byHandler['index.plan']?.ReservedConcurrentExecutions).toBeUndefined();
    expect(byHandler['index.handler']).toMatchObject({ MemorySize: 768, Timeout: 29 });
  });

  it('leave the defaults alone when not given: 512 MB, workers 1024 MB, the restore plan one vCPU, 15 minutes, X-Ray on', () => {
    const { template } = synth(() => ({ graphs: [GRAPH] }));
    const byHandler = Object.fromEntries(functionsOf(template).map((f) => [f.Properties.Handler, f.Properties]));
    expect(byHandler['index.exportChunk']).toMatchObject({ MemorySize: 1024, Timeout: 900 });
    expect(byHandler['index.finalize']).toMatchObject({ MemorySize: 512, Timeout: 900 });
    expect(byHandler['index.finalize']?.TracingConfig).toEqual({ Mode: 'Active' });
    // The restore plan reads every data file before the first write: CPU-bound, so a full vCPU.
    const plans = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, f]) => (f as Fn).Properties.Handler === 'index.plan');
    expect(Object.fromEntries(plans.map(([id, f]) => [id.replace(/^Backups(\w+?PlanFunction).*$/, '$1'), (f as Fn).Properties.MemorySize]))).toEqual({
      BackupPlanFunction: 512,
      RestorePlanFunction: RESTORE_PLAN_MEMORY_MB,
    });
    expect(RESTORE_PLAN_MEMORY_MB).toBe(1769);
  });
});

describe('concurrency', () => {
  it('sets the items a backup exports at once (and the ranges its schedules ask for), the files and files per child of a restore, and the batches of API restores', () => {
    const { template } = synth(() => ({ graphs: [GRAPH], concurrency: { exports: 8, files: 16, filesPerBatch: 2, batchesPerFile: 5 } }));
    const definitions = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((m: any) => JSON.stringify(m.Properties.DefinitionString));
    const backup = definitions.find((d) => d.includes('ExportChunk')) as string;
    const restore = definitions.find((d) => d.includes('RestoreVertices')) as string;
    expect(backup.match(/\\"MaxConcurrency\\":(\d+)/g)).toEqual(['\\"MaxConcurrency\\":8']);
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(JSON.stringify(schedule.Properties.Target.Input)).toContain('\\"workers\\":8');
    expect(restore.match(/\\"MaxConcurrency\\":(\d+)/g)).toEqual(['\\"MaxConcurrency\\":16', '\\"MaxConcurrency\\":16']);
    expect(restore).toContain('\\"MaxItemsPerBatch\\":2');
    const api = functionsOf(template).find((f) => f.Properties.Handler === 'index.handler');
    expect(api?.Properties.Environment?.Variables).toMatchObject({ RESTORE_BATCH_CONCURRENCY: '5' });
  });
});

describe('what a scheduled backup holds', () => {
  it('passes types and checkWrites to the state machine input, and refuses a type it does not know', () => {
    const { template } = synth(() => ({ graphs: [{ ...GRAPH, types: ['schema', 'variables'], checkWrites: true }] }));
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as any;
    const input = JSON.stringify(schedule.Properties.Target.Input);
    expect(input).toContain('\\"types\\":[\\"schema\\",\\"variables\\"]');
    expect(input).toContain('\\"checkWrites\\":true');
    expect(problemsOf(() => ({ graphs: [{ ...GRAPH, types: ['schema', 'widgets' as 'schema'] }] }))).toEqual([
      'graphs[0].types must list one or more of schema, vertices, edges, variables, auth, config',
    ]);
  });
});

describe('a scheduled backup that cannot reach its server', () => {
  /** The wait in the schedule's input (a Fn::Join around the bucket's name). */
  const waitOf = (template: Template) => JSON.parse(joined((Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as any).Properties.Target.Input)).waitForServer;

  it('waits for it by default (3 more tries, 5 minutes apart), as long as the graph says, or not at all', () => {
    expect(waitOf(synth(() => ({ graphs: [GRAPH] })).template)).toEqual({ attempts: 3, delaySeconds: 300 });
    expect(DEFAULT_SCHEDULED_SERVER_WAIT).toEqual({ attempts: 3, delaySeconds: 300 });
    expect(waitOf(synth(() => ({ graphs: [{ ...GRAPH, waitForServer: { attempts: 6, delaySeconds: 120 } }] })).template)).toEqual({ attempts: 6, delaySeconds: 120 });
    expect(waitOf(synth(() => ({ graphs: [{ ...GRAPH, waitForServer: { attempts: 0, delaySeconds: 1 } }] })).template)).toEqual({ attempts: 0, delaySeconds: 1 });
  });

  it('refuses a wait out of bounds, or on a graph with no schedule', () => {
    expect(problemsOf(() => ({ graphs: [{ ...GRAPH, waitForServer: { attempts: 101, delaySeconds: 0 } }] }))).toEqual([
      'graphs[0].waitForServer: attempts must be a whole number from 0 to 100',
      'graphs[0].waitForServer: delaySeconds must be a whole number from 1 to 3600',
    ]);
    expect(problemsOf(() => ({ graphs: [{ ...GRAPH, waitForServer: { attempts: 7, delaySeconds: 3600 } }] }))).toEqual([
      'graphs[0].waitForServer: attempts × delaySeconds must be at most 21600 s (6 hours) in all, got 25200 s',
    ]);
    const { schedule: _none, ...unscheduled } = GRAPH;
    expect(problemsOf(() => ({ graphs: [{ ...unscheduled, waitForServer: { attempts: 1, delaySeconds: 60 } }] }))).toEqual(['graphs[0].waitForServer given without a schedule']);
  });
});

describe('an existing bucket and key', () => {
  it('keep the backups: no bucket is made, and the roles are granted that bucket and that key', () => {
    const { system, template } = synth((stack) => ({
      graphs: [GRAPH],
      existingBucket: s3.Bucket.fromBucketName(stack, 'Theirs', 'platform-backups'),
      dataKey: kms.Key.fromKeyArn(stack, 'TheirKey', 'arn:aws:kms:eu-central-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    }));
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::KMS::Key', 1); // the ops key only
    expect(system.backupBucket).toBeUndefined();
    expect(system.backupRoot).toBe('s3://platform-backups/backups');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Resource: { 'Fn::Join': ['', [Match.stringLikeRegexp('^arn:'), Match.anyValue(), ':s3:::platform-backups/backups/*']] } }),
          Match.objectLike({ Action: 'kms:GenerateDataKey', Resource: 'arn:aws:kms:eu-central-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }),
        ]),
      },
    });
  });

  it('take the bucket\u2019s own key when it has one', () => {
    const { system } = synth((stack) => {
      const key = new kms.Key(stack, 'BucketKey');
      return { graphs: [GRAPH], existingBucket: new s3.Bucket(stack, 'Own', { encryption: s3.BucketEncryption.KMS, encryptionKey: key }) };
    });
    expect(system.dataKey).toBe(system.bucket.encryptionKey);
  });
});

describe('backups an attacker or a mistake cannot remove', () => {
  const lockOf = (template: Template) => (Object.values(template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } }))[0] as any).Properties;

  it('lock every object version by default, GOVERNANCE, for the longest keep window of the graphs', () => {
    const { template } = synth(() => ({
      graphs: [
        { ...GRAPH, schedule: 'cron(0 2 * * ? *)', keep: 14 },
        { url: 'https://other.internal', graph: 'weekly', schedule: 'cron(0 3 ? * SUN *)', keep: 5 },
      ],
    }));
    expect(lockOf(template)).toMatchObject({ ObjectLockEnabled: true, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 35 } } } });
  });

  it('lock at least a week, and not at all when asked', () => {
    expect(lockOf(synth(() => ({ graphs: [{ ...GRAPH, keep: 2 }] })).template).ObjectLockConfiguration.Rule.DefaultRetention.Days).toBe(7);
    const off = lockOf(synth(() => ({ graphs: [GRAPH], bucket: { objectLock: false } })).template);
    expect(off.ObjectLockEnabled).toBeFalsy();
    expect(off.ObjectLockConfiguration).toBeUndefined();
  });

  it('refuse a lock longer than the backups are kept at all', () => {
    expect(problemsOf(() => ({ graphs: [{ ...GRAPH, keep: 400 }], bucket: { expireAfterDays: 365 } }))).toEqual([
      expect.stringContaining('expireAfterDays (365) is shorter than the Object Lock period (400)'),
    ]);
  });

  it('replicate to a bucket of another account, with its key, without replicating deletes', () => {
    const { template } = synth((stack) => ({
      graphs: [GRAPH],
      bucket: {
        replication: {
          destination: s3.Bucket.fromBucketAttributes(stack, 'Replica', { bucketName: 'dr-backups', account: '333333333333', region: 'eu-west-1' }),
          destinationKey: kms.Key.fromKeyArn(stack, 'ReplicaKey', 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
        },
      },
    }));
    const rule = lockOf(template).ReplicationConfiguration.Rules[0];
    expect(rule).toMatchObject({
      Status: 'Enabled',
      DeleteMarkerReplication: { Status: 'Disabled' },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
      Destination: {
        Account: '333333333333',
        AccessControlTranslation: { Owner: 'Destination' },
        EncryptionConfiguration: { ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p.Properties.Roles).includes('ReplicationRole')) as any[];
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat()));
    expect(actions.sort()).toEqual(
      [
        'kms:Decrypt',
        'kms:Encrypt',
        's3:GetObjectVersionAcl',
        's3:GetObjectVersionForReplication',
        's3:GetObjectVersionTagging',
        's3:GetReplicationConfiguration',
        's3:ListBucket',
        's3:ObjectOwnerOverrideToBucketOwner',
        's3:ReplicateObject',
        's3:ReplicateTags',
      ].sort(),
    );
  });
});

describe('credentials', () => {
  it("come from a graph's own secret where given, else from its server's new secret", () => {
    const { system, template } = synth((stack) => ({
      graphs: [
        { ...GRAPH, credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'Own', 'team-a/hugegraph') },
        { url: 'https://other.internal', graph: 'social' },
        { url: 'https://other.internal', graph: 'users' },
      ],
    }));
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(system.secrets.map((s) => [s.url, s.graph ?? '(every graph)'])).toEqual([
      [GRAPH.url, 'hugegraph'],
      ['https://other.internal', '(every graph)'],
    ]);
  });

  it("refuse two servers' graphs of one name: their backups would share a folder, a lock and the retention", () => {
    expect(problemsOf(() => ({ graphs: [GRAPH, { ...GRAPH, url: 'https://hugegraph-2.internal' }] }))).toEqual([
      expect.stringContaining('graph "hugegraph" is also backed up from https://hugegraph.internal:8443'),
    ]);
  });

  it('refuse them in one graph space, and let same-named graphs of two graph spaces be: their folders differ', () => {
    const other = { ...GRAPH, url: 'https://hugegraph-2.internal' };
    expect(
      problemsOf(() => ({
        graphs: [
          { ...GRAPH, graphspace: 'gs1' },
          { ...other, graphspace: 'gs1' },
        ],
      })),
    ).toEqual([
      expect.stringContaining('graph "hugegraph" of graph space "gs1" is also backed up from https://hugegraph.internal:8443; both would share the folder <prefix>/_graphspaces/gs1/hugegraph/'),
    ]);
    expect(problemsOf(() => ({ graphs: [GRAPH, { ...other, graphspace: 'gs1' }] }))).toEqual([]);
    // DEFAULT named or not is one folder: <prefix>/hugegraph/.
    expect(problemsOf(() => ({ graphs: [GRAPH, { ...other, graphspace: 'DEFAULT' }] }))).toHaveLength(1);
  });
});

describe('the network', () => {
  it('refuses a plain http:// server outside a VPC: the credentials would cross the network in clear', () => {
    expect(problemsOf(() => ({ graphs: [{ url: 'http://hugegraph.internal:8080', graph: 'hugegraph' }], restoreTargets: [{ url: 'HTTP://staging.internal:8080', graph: 'g' }] }))).toEqual([
      expect.stringMatching(/^graphs\[0\]\.url "http:\/\/hugegraph.internal:8080" is plain http:\/\/ and the Lambdas run outside a VPC/),
      expect.stringMatching(/^restoreTargets\[0\]\.url "HTTP:\/\/staging.internal:8080" is plain http:\/\//),
    ]);
  });

  it('puts the Lambdas that talk to HugeGraph into the VPC, and adds endpoints for S3, Secrets Manager, Step Functions and CloudWatch when asked', () => {
    const { template } = synth((stack) => ({
      graphs: [{ url: 'http://hugegraph.internal:8080', graph: 'hugegraph' }],
      network: { vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'graphs', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }), endpoints: true },
    }));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] } });
    const interfaces = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })) as any[];
    expect(interfaces.map((e) => JSON.stringify(e.Properties.ServiceName).match(/\.(secretsmanager|states|monitoring)"/)?.[1]).sort()).toEqual(['monitoring', 'secretsmanager', 'states']);
    for (const endpoint of interfaces) expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
  });

  it('adds no endpoints by default', () => {
    const { template } = synth((stack) => ({
      graphs: [GRAPH],
      network: { vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'graphs', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) },
    }));
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});

describe('conflicting props', () => {
  it('are all reported in one error at synth, each naming the prop', () => {
    const problems = problemsOf((stack) => ({
      graphs: [{ url: 'hugegraph.internal:8080', graph: 'hugegraph', schedule: 'daily' }],
      existingBucket: s3.Bucket.fromBucketName(stack, 'Theirs', 'platform-backups'),
      bucket: { expireAfterDays: 30 },
      crossAccountReaders: ['arn:aws:iam::222222222222:role/reader'],
      lambdaFunctionProps: { memorySize: 64, timeout: Duration.minutes(20) },
      workerFunctionProps: { reservedConcurrentExecutions: 2 },
      concurrency: { exports: 20_000, files: 0 },
    }));
    expect(problems).toEqual([
      'graphs[0].url "hugegraph.internal:8080" must start with http:// or https://',
      'graphs[0].schedule must be cron(…), rate(…) or at(…)',
      expect.stringContaining('existingBucket and bucket settings exclude each other'),
      expect.stringContaining('existingBucket and crossAccountReaders exclude each other'),
      expect.stringContaining('existingBucket needs dataKey'),
      'lambdaFunctionProps.memorySize must be 128 to 10240 MB',
      expect.stringContaining('lambdaFunctionProps.timeout must be 30 seconds to 15 minutes'),
      expect.stringContaining('reservedConcurrentExecutions of the workers (2) is below the concurrency asked for (20000)'),
      'concurrency.exports must be a whole number from 1 to 10000',
      'concurrency.files must be a whole number from 1 to 10000',
    ]);
  });

  it('include the bucket settings\u2019 own problems in the same error', () => {
    expect(problemsOf(() => ({ prefix: '/backups/', bucket: { transitionAfterDays: 30, expireAfterDays: 10 }, concurrency: { filesPerBatch: 0 } }))).toEqual([
      'prefix "/backups/" must be a key prefix without leading or trailing slash',
      'expireAfterDays (10) must be more than transitionAfterDays (30)',
      'concurrency.filesPerBatch must be a whole number from 1 to 100',
    ]);
  });
});
