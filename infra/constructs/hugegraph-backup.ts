import { Annotations, Aws, Duration, Names, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { API_ENV } from '../../functions/api/config';
import { BACKUP_TYPES, type BackupRequest, READ_PATHS, type ReadPath, type ServerWait, serverWaitProblems } from '../../functions/backup/types';
import { graphFolder, namedGraphspace } from '../../functions/workflow/graph-ref';
import { FRESHNESS_METRICS, MODE_METRICS } from '../../functions/ops/metric-names';
import { BackupWorkflow } from '../workflows/backup-workflow';
import { RestoreWorkflow } from '../workflows/restore-workflow';
import { LOCK_ROOT_ENV } from '../../functions/workflow/environment';
import { BACKUP_TASKS, RESTORE_TASKS } from '../../functions/workflow/task-names';
import type { LambdaEntry } from '../lambda/bundles';
import { handlerFunction } from '../workflows/workflow-functions';
import { executionsArn, mapRunsArn, S3Area } from './access';
import { BackupBucket, bucketProblems, type BackupBucketProps, type ObjectLockOptions } from './backup-bucket';
import { longestInterval } from './schedule-interval';
import { acknowledge, acknowledgeServerless, acknowledgeWildcards, type WildcardAllowance } from './nag';
import { type EndpointSecret, normalizeUrl, SECRETS_ENV } from '../../functions/workflow/secrets';
import { deadLetterQueue, Operations } from './operations';
import { RestoreApi } from './restore-api';

/** A HugeGraph graph: where it is served, and the secret its credentials are in. */
export interface GraphEndpoint {
  /** e.g. `http://hugegraph.internal:8080` */
  readonly url: string;
  readonly graph: string;
  /**
   * Graph space (HugeGraph 1.7.0 and later). Backups of a graph of another graph space than DEFAULT
   * go below `<prefix>/_graphspaces/<graphspace>/<graph>/`. @default none (DEFAULT)
   */
  readonly graphspace?: string;
  /**
   * JSON `{"username": …, "password": …}` for this graph. Each server gets its own secret, never
   * one for all: read by the Lambdas that serve this graph only, again after a 401 (a rotation).
   * @default the secret of the graph's server: one new secret per server URL, to fill in after deployment
   */
  readonly credentials?: secretsmanager.ISecret;
}

/** A graph, or every graph of a server (no `graph`), with the secret holding its credentials. */
export interface EndpointCredentials {
  readonly url: string;
  readonly graph?: string;
  readonly graphspace?: string;
  readonly secret: secretsmanager.ISecret;
}

/** A graph that is backed up, on a schedule or not. */
export interface BackedUpGraph extends GraphEndpoint {
  /** EventBridge Scheduler expression: `cron(0 2 * * ? *)`, `rate(12 hours)` or `at(…)`. @default no schedule */
  readonly schedule?: string;
  /** IANA time zone the cron expression is read in. @default 'UTC' */
  readonly timeZone?: string;
  /** Complete backups kept per graph; older ones are deleted by each backup. @default all */
  readonly keep?: number;
  /** What to back up: `schema`, `vertices`, `edges` (the schema always). @default all */
  readonly types?: BackupRequest['types'];
  /** Only these labels. @default all */
  readonly labels?: string[];
  /** Count every label before and after the export, so the manifest says whether the graph was written meanwhile. @default false */
  readonly checkWrites?: boolean;
  /** Elements per page requested from the server. @default the workflow's (5000) */
  readonly pageSize?: number;
  /** DEFLATE level of the data files, 0 to 9. @default the workflow's (1, the fastest) */
  readonly compressionLevel?: number;
  /** How the backup reads the graph: key ranges (`scan`) or label by label (`label`). @default scan, or label with `labels` */
  readonly readPath?: ReadPath;
  /**
   * A scheduled backup that cannot reach the server at its start (a restart, a failover) tries
   * again `attempts` times, `delaySeconds` apart, before it fails; `{attempts: 0, …}` fails at once.
   * @default {@link DEFAULT_SCHEDULED_SERVER_WAIT}: 3 more tries, 5 minutes apart
   */
  readonly waitForServer?: ServerWait;
}

/**
 * The restore plan's memory: Lambda gives one full vCPU at 1,769 MB, and the plan reads every data
 * file of the backup once before the first write (inflate, SHA-256, every line's shape: ≈ 1.1 s of
 * CPU per million elements measured). At 512 MB (≈ 0.3 vCPU) its 15 minutes would hold ≈ 3.5×
 * fewer elements; CPU-bound work costs about the same GB-seconds at either size.
 */
export const RESTORE_PLAN_MEMORY_MB = 1769;

/** How long a scheduled backup waits for a server it cannot reach: a restart, not an outage. */
export const DEFAULT_SCHEDULED_SERVER_WAIT: ServerWait = { attempts: 3, delaySeconds: 300 };

/** Backups in another account's bucket (a migration target reads them; it writes none). */
export interface BackupSource {
  readonly bucketName: string;
  /** ARN of the KMS key that encrypts the source bucket (an alias does not work for grants). */
  readonly keyArn: string;
  /** @default 'backups' */
  readonly prefix?: string;
  /** The bucket's region, when it is not this stack's (a migration across regions). @default this stack's region */
  readonly region?: string;
}

export interface NetworkOptions {
  readonly vpc: ec2.IVpc;
  /** Subnets of the Lambdas that talk to HugeGraph; they need a route to S3, Secrets Manager, Step Functions, CloudWatch (endpoints or NAT). @default the VPC's private subnets */
  readonly subnets?: ec2.SubnetSelection;
  /** @default one group allowing egress to HTTPS and to the HugeGraph ports only */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * VPC endpoints for what the Lambdas call besides HugeGraph: a gateway endpoint for S3 (free) and
   * interface endpoints for Secrets Manager, Step Functions and CloudWatch (priced per hour and AZ,
   * docs/cost.md), so the subnets need no NAT. Not wanted when the VPC has them or a NAT already.
   * @default false
   */
  readonly endpoints?: boolean;
}

export interface RestoreApiOptions {
  /** @default 5 requests per second */
  readonly rateLimit?: number;
  /** @default 10 */
  readonly burstLimit?: number;
  /** Create the account-wide API Gateway logging role. @default true */
  readonly cloudWatchRole?: boolean;
}

/**
 * Settings of the Lambdas, over the construct's defaults (the settings the construct needs to work,
 * such as the handler, role, log group and network, cannot be overridden).
 */
export interface FunctionOverrides {
  /** @default 512 MB; workers (export, restore files) 1024 MB; the restore plan 1,769 MB (one vCPU: it reads every data file once) */
  readonly memorySize?: number;
  /** At most 15 minutes; the workflow tasks page until little of it is left. @default 15 minutes; API 29 s; clean-ups 5 minutes */
  readonly timeout?: Duration;
  /** X-Ray tracing of the function. @default lambda.Tracing.ACTIVE */
  readonly tracing?: lambda.Tracing;
  /** Concurrent executions reserved for (and capping) each function. @default unreserved */
  readonly reservedConcurrentExecutions?: number;
}

/** How much runs at once; the HugeGraph server's worker threads bound what helps. */
export interface ConcurrencyOptions {
  /**
   * Work items (key ranges, or labels on the label read path) a backup exports at once: its
   * Distributed Map's children. Scheduled backups cut the graph into 8 ranges that hold data per worker and kind. @default 4
   */
  readonly exports?: number;
  /** Files a restore writes at once (Distributed Map children). @default 4 */
  readonly files?: number;
  /** Files each restore child writes, one after the other. @default 1 */
  readonly filesPerBatch?: number;
  /** Element batches each restore child has in flight per file; API-started restores use it. @default 3 */
  readonly batchesPerFile?: number;
}

export interface HugeGraphBackupProps {
  /** Graphs backed up (scheduled when they have a `schedule`); also the default restore targets. @default none */
  readonly graphs?: BackedUpGraph[];
  /** The only graphs restores may write to. @default the `graphs` */
  readonly restoreTargets?: GraphEndpoint[];
  /** Key prefix of the backups in the bucket: backups live at `s3://<bucket>/<prefix>/<graph>/<backupId>/`. @default 'backups' */
  readonly prefix?: string;
  /**
   * Bucket settings: lifecycle, Object Lock, replication, name. Not with `existingBucket`.
   * Object Lock is on unless `objectLock: false`: GOVERNANCE for the graphs' keep window (the
   * longest `keep` × schedule interval, at least 7 days), so neither an attacker with the backup
   * role nor a mistake can remove a backup before retention would.
   * @default see BackupBucketProps
   */
  readonly bucket?: Omit<BackupBucketProps, 'encryptionKey' | 'prefix' | 'crossAccountReaders'>;
  /**
   * A bucket you manage (lifecycle, logging, policy) to keep the backups in, encrypted with
   * `dataKey` or its own `encryptionKey`. Not with `bucket` settings or `crossAccountReaders`,
   * which change the bucket. @default a new bucket (BackupBucket)
   */
  readonly existingBucket?: s3.IBucket;
  /** Encrypts the bucket. Give a key of this stack's account; an imported key's policy is not changed. @default a new key, rotation on (the existing bucket's key with `existingBucket`) */
  readonly dataKey?: kms.IKey;
  /**
   * Restore-only (migration target): restores read backups from this other bucket; no backup
   * workflow and no schedules are created. The local bucket keeps the restores' state.
   * @default none: backups and restores use this construct's bucket
   */
  readonly source?: BackupSource;
  /**
   * Run the Lambdas that talk to HugeGraph in a VPC, where HugeGraph lives. Required for a
   * plain `http://` server: outside a VPC the credentials would cross the network in clear.
   * @default outside any VPC (https:// servers only)
   */
  readonly network?: NetworkOptions;
  /** Roles of other accounts that may read (and decrypt) the backups: a migration target's restore and API roles. @default none */
  readonly crossAccountReaders?: string[];
  /** Fixed role names, so another account's bucket policy can name them before they exist. @default generated names */
  readonly roleNames?: { readonly restore?: string; readonly api?: string };
  /** The restore API; `false` for none. @default an API with default options */
  readonly api?: RestoreApiOptions | false;
  /** @default a new KMS-encrypted topic */
  readonly alarmTopic?: sns.ITopic;
  /** @default no subscription */
  readonly alarmEmail?: string;
  /** Retention of every log group. @default three months */
  readonly logRetention?: logs.RetentionDays;
  /** How often the graph modes are read. @default 15 minutes */
  readonly graphModeCheckInterval?: Duration;
  /** How often the age of every scheduled graph's newest backup is published (also after each backup). @default 15 minutes */
  readonly freshnessCheckInterval?: Duration;
  /** Attempts of the scheduler to start a backup it could not start. @default 3 */
  readonly scheduleRetryAttempts?: number;
  /** @default RemovalPolicy.RETAIN for the bucket and keys */
  readonly removalPolicy?: RemovalPolicy;
  /** Over the defaults of every Lambda. @default the construct's defaults */
  readonly lambdaFunctionProps?: FunctionOverrides;
  /** Over `lambdaFunctionProps` for the workers: the backup export and the restore-files Lambdas. @default `lambdaFunctionProps`, 1024 MB */
  readonly workerFunctionProps?: FunctionOverrides;
  /** @default see ConcurrencyOptions */
  readonly concurrency?: ConcurrencyOptions;
}

const DEFAULT_PREFIX = 'backups';
/** Restores keep locks and work lists below `<prefix>/_restores/` (functions/restore/layout.ts). */
const RESTORES_FOLDER = '_restores';

/**
 * HugeGraph backup and restore on AWS, in one construct: the backup bucket and its key, the
 * backup and restore state machines with their Lambdas, scheduled backups, the restore API, and
 * the operations side (logs, alarms, clean-up rules, graph-mode watch).
 *
 * Minimal use: `new HugeGraphBackup(this, 'Backups', { graphs: [{ url, graph, schedule: 'cron(0 2 * * ? *)' }] })`,
 * then put the HugeGraph credentials into the secret of each server (`secrets`).
 *
 * Least privilege: each role gets the exact actions on the exact prefix it needs (infra/constructs/access.ts);
 * the restore role reads the backup prefix and writes only the restores' state folder.
 */
export class HugeGraphBackup extends Construct {
  /** Where the backups (and the restores' state) are kept. */
  readonly bucket: s3.IBucket;
  /** The bucket this construct made; absent with `existingBucket`. */
  readonly backupBucket?: BackupBucket;
  readonly dataKey: kms.IKey;
  /** Encrypts logs and the alarm topic. */
  readonly opsKey: kms.Key;
  /** The secret of every server (and of each graph given its own), each read only by the Lambdas that serve it. */
  readonly secrets: readonly EndpointCredentials[];
  /** Absent in restore-only mode. */
  readonly backup?: BackupWorkflow;
  readonly restore: RestoreWorkflow;
  readonly api?: RestoreApi;
  readonly operations: Operations;
  readonly schedules: scheduler.Schedule[] = [];
  /** Every Lambda of the construct. */
  readonly functions: lambda.Function[] = [];
  readonly backupRole?: iam.Role;
  readonly restoreRole: iam.Role;
  readonly apiRole?: iam.Role;
  /** Where backups are read from: `s3://bucket/prefix`. */
  readonly backupRoot: string;
  /** Where restores keep their state (always this construct's bucket). */
  readonly stateRoot: string;

  private readonly props: HugeGraphBackupProps;
  private readonly logRetention: logs.RetentionDays;
  private readonly network?: { vpc: ec2.IVpc; subnets?: ec2.SubnetSelection; securityGroups: ec2.ISecurityGroup[] };

  private readonly prefix: string;
  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: HugeGraphBackupProps = {}) {
    super(scope, id);
    this.props = props;
    checkProps(this, props);
    this.prefix = props.prefix ?? DEFAULT_PREFIX;
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const graphs = props.graphs ?? [];
    // By default every backed-up graph is a restore target, with its own secret if it has one.
    const targets = props.restoreTargets ?? graphs.map((g) => ({ ...endpointOf(g), ...(g.credentials ? { credentials: g.credentials } : {}) }));

    this.opsKey = new kms.Key(this, 'OpsKey', { description: 'hgbr: encrypts logs and the alarm topic', enableKeyRotation: true, removalPolicy: this.removalPolicy });
    this.allowServicesToUseOpsKey();
    ({ bucket: this.bucket, backupBucket: this.backupBucket, dataKey: this.dataKey } = this.buildStorage());
    const localArea = new S3Area(this.bucket.bucketArn, this.prefix, this.dataKey.keyArn);
    const sourceArea = props.source ? new S3Area(`arn:${Aws.PARTITION}:s3:::${props.source.bucketName}`, props.source.prefix ?? DEFAULT_PREFIX, props.source.keyArn, props.source.region) : localArea;
    this.backupRoot = props.source ? `s3://${props.source.bucketName}/${props.source.prefix ?? DEFAULT_PREFIX}` : `s3://${this.bucket.bucketName}/${this.prefix}`;
    this.stateRoot = `s3://${this.bucket.bucketName}/${this.prefix}`;

    this.secrets = this.buildSecrets([...graphs, ...targets]);
    const allowedUrls = [...new Set([...graphs, ...targets].map((g) => g.url.replace(/\/+$/, '')))];
    this.network = props.network && {
      vpc: props.network.vpc,
      subnets: props.network.subnets,
      securityGroups: props.network.securityGroups ?? [this.hugeGraphClientGroup(props.network.vpc, allowedUrls)],
    };
    if (props.network?.endpoints && this.network) this.buildEndpoints(this.network);
    this.operations = new Operations(this, 'Operations', { encryptionKey: this.opsKey, alarmTopic: props.alarmTopic, alarmEmail: props.alarmEmail });

    ({ workflow: this.restore, role: this.restoreRole } = this.buildRestore(sourceArea, localArea.sub(RESTORES_FOLDER), targets));
    if (!props.source) ({ workflow: this.backup, role: this.backupRole } = this.buildBackup(localArea, graphs));
    if (props.api !== false) ({ api: this.api, role: this.apiRole } = this.buildApi(sourceArea, targets, props.api ?? {}));
    this.buildGraphModeCheck(uniqueGraphs([...graphs.map(endpointOf), ...targets.map(endpointOf)]));
    this.operations.alarmOnThrottles(this.functions);
  }

  /** The bucket and the key of the backups: given, or made here. */
  private buildStorage(): { bucket: s3.IBucket; backupBucket?: BackupBucket; dataKey: kms.IKey } {
    const existing = this.props.existingBucket;
    if (existing) return { bucket: existing, dataKey: (this.props.dataKey ?? existing.encryptionKey) as kms.IKey };
    const dataKey = this.props.dataKey ?? new kms.Key(this, 'DataKey', { description: 'hgbr: encrypts the backups', enableKeyRotation: true, removalPolicy: this.removalPolicy });
    const backupBucket = new BackupBucket(this, 'Storage', {
      ...this.props.bucket,
      objectLock: effectiveObjectLock(this.props),
      encryptionKey: dataKey,
      prefix: this.prefix,
      crossAccountReaders: this.props.crossAccountReaders,
      removalPolicy: this.removalPolicy,
    });
    return { bucket: backupBucket.bucket, backupBucket, dataKey };
  }

  /** A graph's own secret where given, else one new secret per server URL, shared by that server's graphs. */
  private buildSecrets(endpoints: readonly GraphEndpoint[]): EndpointCredentials[] {
    const ofGraph = new Map<string, EndpointCredentials>();
    const ofServer = new Map<string, EndpointCredentials>();
    for (const e of endpoints) {
      if (e.credentials) ofGraph.set(graphKeyOf(e), { url: e.url, graph: e.graph, ...(e.graphspace ? { graphspace: e.graphspace } : {}), secret: e.credentials });
      else if (!ofServer.has(normalizeUrl(e.url))) {
        const secret = new secretsmanager.Secret(this, `Credentials${e.url.replace(/[^A-Za-z0-9]/g, '')}`, {
          description: `hgbr: HugeGraph credentials for ${e.url}, JSON {"username": "...", "password": "..."}; set the real values after deployment`,
          generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'admin' }), generateStringKey: 'password', excludePunctuation: true },
        });
        acknowledge(secret, 'SMG4', 'HugeGraph has no rotation API Secrets Manager could call; rotate by changing the password on the server and putting the new value into this secret.');
        ofServer.set(normalizeUrl(e.url), { url: e.url, secret });
      }
    }
    return [...ofGraph.values(), ...ofServer.values()];
  }

  /** The secrets the Lambdas serving these graphs need, and the environment that names them. */
  private secretsFor(graphs: readonly GraphEndpoint[]): { secrets: EndpointCredentials[]; environment: Record<string, string> } {
    const urls = new Set(graphs.map((g) => normalizeUrl(g.url)));
    const keys = new Set(graphs.map(graphKeyOf));
    const secrets = this.secrets.filter((s) => urls.has(normalizeUrl(s.url)) && (s.graph === undefined || keys.has(graphKeyOf(s as GraphEndpoint))));
    const listed: EndpointSecret[] = secrets.map((s) => ({ url: s.url, ...(s.graph ? { graph: s.graph } : {}), ...(s.graphspace ? { graphspace: s.graphspace } : {}), secretArn: s.secret.secretArn }));
    return { secrets, environment: { [SECRETS_ENV]: Stack.of(this).toJsonString(listed) } };
  }

  /** The restore machine, its Lambdas and role: read the backups, write the restores' state folder. */
  private buildRestore(sourceArea: S3Area, stateArea: S3Area, targets: readonly GraphEndpoint[]): { workflow: RestoreWorkflow; role: iam.Role } {
    const role = this.lambdaRole('RestoreRole', 'hgbr restore Lambdas: read the backups, write the restore state, reach HugeGraph', this.props.roleNames?.restore);
    // Every restore this stack runs locks its target in the stack's state root, whatever its input.
    const fn = (fnId: string, handler: string, worker = false, memorySize?: number) =>
      this.workflowFunction(fnId, 'restore', handler, role, targets, worker, memorySize).addEnvironment(LOCK_ROOT_ENV, this.stateRoot);
    const concurrency = this.props.concurrency ?? {};
    const workflow = new RestoreWorkflow(this, 'Restore', {
      functions: {
        [RESTORE_TASKS.plan]: fn('RestorePlanFunction', 'plan', false, RESTORE_PLAN_MEMORY_MB),
        [RESTORE_TASKS.prepare]: fn('RestorePrepareFunction', 'prepare'),
        ...twice([RESTORE_TASKS.restoreVertexFiles, RESTORE_TASKS.restoreEdgeFiles], fn('RestoreFilesFunction', 'restoreFiles', true)),
        [RESTORE_TASKS.verify]: fn('RestoreVerifyFunction', 'verify'),
        [RESTORE_TASKS.finish]: fn('RestoreFinishFunction', 'finish'),
        [RESTORE_TASKS.reset]: fn('RestoreResetFunction', 'reset'),
      },
      fileConcurrency: concurrency.files,
      filesPerBatch: concurrency.filesPerBatch,
      logGroup: this.stateMachineLogGroup('RestoreLogs', 'restore'),
    });
    const machine = workflow.stateMachine;
    this.grant(
      'RestoreAccess',
      role,
      [...sourceArea.readStatements(), ...stateArea.readWriteStatements(), new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn(machine)] })],
      [
        { resource: sourceArea.objectsArn, reason: 'Objects below the backup prefix: backups are many objects under <prefix>/<graph>/<backupId>/.' },
        { resource: stateArea.objectsArn, reason: 'Objects below the restore-state folder: locks, work lists and per-file records of each restore.' },
        { resource: executionsArn(machine), reason: 'Executions of the restore state machine only: a restore lock names its execution, and DescribeExecution tells whether it still runs.' },
      ],
    );
    this.restrictDistributedMapAccess(machine, stateArea);
    this.acknowledgeStateMachineGrants(workflow);
    this.operations.alarmOnWorkflow(
      'Restore',
      machine,
      'The Catch path reset the target graph mode; check the execution error (GET /restores/{id}), fix it, and restart with the same restoreId to resume.',
    );
    this.operations.cleanUpAfter('Restore', machine, this.opsFunction('RestoreEndedFunction', 'restoreEnded', role, targets).addEnvironment(LOCK_ROOT_ENV, this.stateRoot));
    return { workflow, role };
  }

  /**
   * The backup machine, its Lambdas and roles, and the schedules. The backup role reads HugeGraph and
   * writes below the folders of the configured graphs only; retention, the one step that deletes
   * other backups, runs under a role of its own that cannot reach HugeGraph.
   */
  private buildBackup(area: S3Area, graphs: readonly BackedUpGraph[]): { workflow: BackupWorkflow; role: iam.Role } {
    const role = this.lambdaRole('BackupRole', 'hgbr backup Lambdas: read HugeGraph, write the backups of the configured graphs');
    const retentionRole = this.lambdaRole('RetentionRole', 'hgbr backup retention: delete old backups of the configured graphs, release the backup lock', undefined, false);
    const fn = (fnId: string, handler: string, worker = false) => this.workflowFunction(fnId, 'backup', handler, role, graphs, worker);
    const workflow = new BackupWorkflow(this, 'Backup', {
      functions: {
        [BACKUP_TASKS.plan]: fn('BackupPlanFunction', 'plan'),
        [BACKUP_TASKS.exportChunk]: fn('BackupExportFunction', 'exportChunk', true),
        [BACKUP_TASKS.finalize]: fn('BackupFinalizeFunction', 'finalize'),
        [BACKUP_TASKS.retention]: this.retentionFunction(retentionRole),
        [BACKUP_TASKS.abort]: fn('BackupAbortFunction', 'abort'),
      },
      exportConcurrency: this.props.concurrency?.exports,
      logGroup: this.stateMachineLogGroup('BackupLogs', 'backup'),
    });
    const machine = workflow.stateMachine;
    this.acknowledgeStateMachineGrants(workflow);
    this.restrictDistributedMapAccess(machine, area.sub('*/*/_hgbr'));
    // Backups live in <prefix>/<graph>/ (or <prefix>/_graphspaces/<gs>/<graph>/); with no graph configured, anywhere below the prefix.
    const graphAreas = graphs.length ? [...new Set(graphs.map(graphFolder))].map((folder) => area.sub(folder)) : [area];
    const objectsReason = "Objects below one graph's folder: a backup is many files under <prefix>/<graph>/<backupId>/.";
    this.grant(
      'BackupAccess',
      role,
      [...graphAreas.flatMap((a) => a.readWriteStatements()), new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn(machine)] })],
      [
        ...graphAreas.map((a) => ({ resource: a.objectsArn, reason: objectsReason })),
        { resource: executionsArn(machine), reason: 'Executions of the backup state machine only: a backup lock names its execution, and DescribeExecution tells whether it still runs.' },
      ],
    );
    this.grant(
      'RetentionAccess',
      retentionRole,
      graphAreas.flatMap((a) => a.readWriteStatements()),
      graphAreas.map((a) => ({ resource: a.objectsArn, reason: `${objectsReason} Retention deletes whole old backups.` })),
    );
    this.operations.alarmOnWorkflow('Backup', machine, 'Its partial files were removed and the lock released by the Catch path; read the execution error, fix it; the next scheduled run retries.');
    this.operations.cleanUpAfter('Backup', machine, this.opsFunction('BackupEndedFunction', 'backupEnded', role, []));
    this.scheduleBackups(graphs, machine);
    this.buildFreshnessCheck(area, graphs, machine);
    return { workflow, role };
  }

  /**
   * Knowing when backups stop: per scheduled graph, an alarm when its newest complete backup is
   * older than 1.5 × the schedule's longest interval, fed by a check (S3 only) that runs on a
   * schedule and after each successful backup.
   */
  private buildFreshnessCheck(area: S3Area, graphs: readonly BackedUpGraph[], machine: sfn.StateMachine): void {
    const location = `s3://${this.bucket.bucketName}/${this.prefix}`;
    const watched = graphs.flatMap((g) => {
      const interval = g.schedule ? longestInterval(g.schedule) : undefined;
      return interval === undefined ? [] : [{ location, graph: g.graph, ...(namedGraphspace(g.graphspace) ? { graphspace: g.graphspace } : {}), maxAgeMinutes: Math.ceil((interval * 1.5) / 60_000) }];
    });
    if (!watched.length) return;
    const role = this.lambdaRole('FreshnessRole', 'hgbr backup freshness check: list the backups, publish their age', undefined, false);
    const check = this.asyncFunction('BackupFreshnessFunction', 'checkBackupFreshness', role, {
      timeout: Duration.minutes(2),
      environment: { WATCHED_BACKUPS: Stack.of(this).toJsonString(watched) },
      network: false,
      retryAttempts: 0,
    });
    const folders = [...new Set(watched.map(graphFolder))].map((folder) => area.sub(folder));
    this.grant(
      'FreshnessAccess',
      role,
      [
        ...folders.flatMap((f) => f.readStatements()),
        new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': FRESHNESS_METRICS.namespace } } }),
      ],
      [
        ...folders.map((f) => ({ resource: f.objectsArn, reason: "Objects below one graph's folder: the check reads the manifests of its backups to find the newest complete one." })),
        { resource: '*', reason: 'cloudwatch:PutMetricData has no resource-level permissions; the cloudwatch:namespace condition limits it to the hgbr namespace.' },
      ],
    );
    const interval = this.props.freshnessCheckInterval ?? Duration.minutes(15);
    this.operations.watchBackupFreshness(
      check,
      interval,
      machine,
      watched.map((w) => ({ folder: `${w.location}/${graphFolder(w)}`, graph: w.graph, maxAgeMinutes: w.maxAgeMinutes })),
    );
  }

  /** Retention: S3 only (no HugeGraph, no secret, no VPC), synchronously invoked by the backup machine. */
  private retentionFunction(role: iam.Role): lambda.Function {
    const fn = this.function('BackupRetentionFunction', 'backup', 'retention', role, { timeout: Duration.minutes(15) });
    acknowledgeServerless(
      fn,
      'LambdaDLQ',
      'Invoked synchronously by Step Functions: a failed task reaches the state machine, whose Retry and Catch handle it; a dead-letter queue only receives asynchronous invocations.',
    );
    return fn;
  }

  /** The restore API: one Lambda behind API Gateway with IAM auth, allowed to start and describe restores. */
  private buildApi(sourceArea: S3Area, targets: readonly GraphEndpoint[], options: RestoreApiOptions): { api: RestoreApi; role: iam.Role } {
    const role = this.lambdaRole('ApiRole', 'hgbr restore API: start and describe restores, read backup manifests', this.props.roleNames?.api, false);
    const machine = this.restore.stateMachine;
    const batchesPerFile = this.props.concurrency?.batchesPerFile;
    const apiFunction = this.function('ApiFunction', 'api', 'handler', role, {
      timeout: Duration.seconds(29),
      environment: {
        [API_ENV.stateMachineArn]: machine.stateMachineArn,
        [API_ENV.backupRoot]: this.backupRoot,
        [API_ENV.stateLocation]: this.stateRoot,
        [API_ENV.targets]: JSON.stringify(targets.map(endpointOf)),
        ...(batchesPerFile !== undefined ? { [API_ENV.batchConcurrency]: String(batchesPerFile) } : {}),
      },
    });
    acknowledgeServerless(
      apiFunction,
      'LambdaDLQ',
      'Invoked synchronously by API Gateway: the caller gets the error (a 500 with a request id), and there is no asynchronous invocation to dead-letter.',
    );
    machine.grantStartExecution(role);
    this.grant(
      'ApiAccess',
      role,
      [
        ...sourceArea.readStatements(),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: [executionsArn(machine)] }),
        new iam.PolicyStatement({ actions: ['states:DescribeMapRun'], resources: [mapRunsArn(machine)] }),
      ],
      [
        { resource: sourceArea.objectsArn, reason: 'Objects below the backup prefix: the API reads backup manifests to check a backup is complete and to list backups.' },
        { resource: executionsArn(machine), reason: 'Executions of the restore state machine only: status and history of a restore.' },
        { resource: mapRunsArn(machine), reason: 'Distributed Map runs of the restore state machine only: the API reports files restored per phase.' },
      ],
    );
    const api = new RestoreApi(this, 'RestoreApi', {
      handler: apiFunction,
      accessLogGroup: this.logGroup('ApiAccessLogs'),
      rateLimit: options.rateLimit,
      burstLimit: options.burstLimit,
      cloudWatchRole: options.cloudWatchRole,
    });
    this.operations.alarmOnErrors('Api', apiFunction, 'The restore API Lambda failed (HTTP 500 to callers). Read its log; the request id is in the 500 response.');
    return { api, role };
  }

  /** Every few minutes: which watched graph was left in a restore mode with no restore running. */
  private buildGraphModeCheck(watched: readonly GraphEndpoint[]): void {
    if (!watched.length) {
      Annotations.of(this).addWarningV2('hgbr:NoGraphs', 'No graphs and no restore targets are configured: nothing is scheduled, the API refuses every restore, and no graph mode is watched.');
      return;
    }
    const machine = this.restore.stateMachine;
    const role = this.lambdaRole('ModeCheckRole', 'hgbr graph-mode check: read graph modes, publish a metric');
    const check = this.asyncFunction('GraphModeCheckFunction', 'checkGraphModes', role, {
      timeout: Duration.minutes(2),
      environment: { ...this.secretsFor(watched).environment, WATCHED_GRAPHS: JSON.stringify(watched.map(endpointOf)), RESTORE_STATE_MACHINE_ARN: machine.stateMachineArn },
      network: true,
      retryAttempts: 0,
    });
    for (const s of this.secretsFor(watched).secrets) s.secret.grantRead(role);
    this.grant(
      'ModeCheckAccess',
      role,
      [
        new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [machine.stateMachineArn] }),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn(machine)] }),
        new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': MODE_METRICS.namespace } } }),
      ],
      [
        { resource: executionsArn(machine), reason: 'Executions of the restore state machine only: which graphs running restores target.' },
        { resource: '*', reason: 'cloudwatch:PutMetricData has no resource-level permissions; the cloudwatch:namespace condition limits it to the hgbr namespace.' },
      ],
    );
    this.operations.watchGraphModes(check, this.props.graphModeCheckInterval ?? Duration.minutes(15));
  }

  /** One schedule per graph that has one; the scheduler role may only start the backup machine (and dead-letter). */
  private scheduleBackups(graphs: readonly BackedUpGraph[], machine: BackupWorkflow['stateMachine']): void {
    const scheduled = graphs.filter((g) => g.schedule);
    if (!scheduled.length) return;
    const role = new iam.Role(this, 'SchedulerRole', {
      description: 'hgbr schedules: start the backup state machine',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    const deadLetters = deadLetterQueue(this, 'ScheduleDeadLetters', 'backup starts the scheduler could not make');
    this.operations.alarmOnQueue(
      'ScheduleDeadLetters',
      deadLetters,
      'EventBridge Scheduler could not start a scheduled backup after its retries (state machine missing, throttled, role changed). The message holds the request; start it by hand (aws stepfunctions start-execution) once the cause is fixed.',
    );
    scheduled.forEach((graph, i) => {
      const request: BackupRequest = {
        server: endpointOf(graph),
        location: `s3://${this.bucket.bucketName}/${this.prefix}`,
        ...(graph.types ? { types: graph.types } : {}),
        ...(graph.labels ? { labels: graph.labels } : {}),
        ...(graph.checkWrites ? { checkWrites: true } : {}),
        ...(graph.keep !== undefined ? { keep: graph.keep } : {}),
        ...(graph.pageSize !== undefined ? { pageSize: graph.pageSize } : {}),
        ...(graph.compressionLevel !== undefined ? { compressionLevel: graph.compressionLevel } : {}),
        ...(graph.readPath !== undefined ? { readPath: graph.readPath } : {}),
        waitForServer: graph.waitForServer ?? DEFAULT_SCHEDULED_SERVER_WAIT,
        ...(this.props.concurrency?.exports !== undefined ? { workers: this.props.concurrency.exports } : {}),
      };
      this.schedules.push(
        new scheduler.Schedule(this, `Schedule${i + 1}`, {
          description: `hgbr: back up ${graph.graph} at ${graph.url}`,
          schedule: scheduler.ScheduleExpression.expression(graph.schedule as string, graph.timeZone ? TimeZone.of(graph.timeZone) : undefined),
          target: new schedulerTargets.StepFunctionsStartExecution(machine, {
            input: scheduler.ScheduleTargetInput.fromObject(request),
            role,
            deadLetterQueue: deadLetters,
            retryAttempts: this.props.scheduleRetryAttempts ?? 3,
            maxEventAge: Duration.hours(1),
          }),
        }),
      );
    });
  }

  /** A Lambda of a state machine: 15 minutes, credentials from the secret, in the VPC when there is one; workers get 1024 MB. */
  private workflowFunction(
    id: string,
    entry: LambdaEntry,
    handler: string,
    role: iam.Role,
    serves: readonly GraphEndpoint[],
    worker: boolean,
    memorySize = worker ? 1024 : undefined,
  ): lambda.Function {
    const { secrets, environment } = this.secretsFor(serves);
    for (const s of secrets) s.secret.grantRead(role);
    const fn = this.function(id, entry, handler, role, { memorySize, environment, network: true, worker });
    acknowledgeServerless(
      fn,
      'LambdaDLQ',
      'Invoked synchronously by Step Functions: a failed task reaches the state machine, whose Retry and Catch handle it; a dead-letter queue only receives asynchronous invocations.',
    );
    return fn;
  }

  /** A clean-up Lambda of the execution-status rule: retried twice, then dead-lettered. Only a restore's clean-up talks to HugeGraph. */
  private opsFunction(id: string, handler: string, role: iam.Role, serves: readonly GraphEndpoint[]): lambda.Function {
    const { secrets, environment } = this.secretsFor(serves);
    for (const s of secrets) s.secret.grantRead(role);
    return this.asyncFunction(id, handler, role, { timeout: Duration.minutes(5), environment: serves.length ? environment : undefined, network: serves.length > 0, retryAttempts: 2 });
  }

  /** An ops Lambda that EventBridge invokes asynchronously: what still fails after its retries goes to the ops dead-letter queue, with the request and the error. */
  private asyncFunction(id: string, handler: string, role: iam.Role, options: { timeout: Duration; environment?: Record<string, string>; network: boolean; retryAttempts: number }): lambda.Function {
    const fn = this.function(id, 'ops', handler, role, {
      timeout: options.timeout,
      environment: options.environment,
      network: options.network,
      extra: { onFailure: new destinations.SqsDestination(this.operations.deadLetters), retryAttempts: options.retryAttempts },
    });
    acknowledgeServerless(
      fn,
      'LambdaDLQ',
      'Failed asynchronous invocations go to an on-failure destination (the ops dead-letter queue), which records the request and the error, unlike a dead-letter queue.',
    );
    return fn;
  }

  /** Merge order: the construct's defaults, then the caller's overrides, then what the construct needs (role, logs, network). */
  private function(
    id: string,
    entry: LambdaEntry,
    handler: string,
    role: iam.Role,
    options: { timeout?: Duration; memorySize?: number; environment?: Record<string, string>; network?: boolean; worker?: boolean; extra?: Partial<lambda.FunctionProps> },
  ): lambda.Function {
    const logGroup = this.logGroup(`${id}Logs`);
    logGroup.grantWrite(role);
    const network = options.network && this.network;
    const overrides = { ...this.props.lambdaFunctionProps, ...(options.worker ? this.props.workerFunctionProps : {}) };
    const fn = handlerFunction(this, id, {
      entry,
      handler,
      timeout: overrides.timeout ?? options.timeout,
      memorySize: overrides.memorySize ?? options.memorySize,
      environment: options.environment,
      extra: {
        ...definedOnly({ tracing: overrides.tracing, reservedConcurrentExecutions: overrides.reservedConcurrentExecutions }),
        role,
        logGroup,
        ...(network ? { vpc: network.vpc, vpcSubnets: network.subnets, securityGroups: network.securityGroups } : {}),
        ...options.extra,
      },
    });
    this.functions.push(fn);
    return fn;
  }

  /** A role for Lambdas with no managed policy: log groups are granted one by one, ENI rights only in a VPC. */
  private lambdaRole(id: string, description: string, roleName?: string, network = true): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description, roleName });
    acknowledgeWildcards(role, [
      {
        resource: '*',
        onlyActions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        reason: 'X-Ray tracing of the Lambdas, which CDK grants on "*": these actions have no resource-level permissions.',
      },
    ]);
    if (network && this.props.network) {
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
      acknowledge(
        role,
        'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        'The AWS-maintained policy with the EC2 network-interface actions a Lambda in a VPC needs; these actions support no resource-level scoping.',
      );
    }
    return role;
  }

  /**
   * Statements in a policy of their own: the Lambdas do not wait for it, so it may name the state
   * machines they serve. Its wildcards are acknowledged only where listed, each with its reason.
   */
  private grant(id: string, role: iam.Role, statements: iam.PolicyStatement[], wildcards: WildcardAllowance[]): void {
    const policy = new iam.Policy(this, id, { roles: [role], statements });
    acknowledgeWildcards(policy, wildcards);
  }

  private logGroup(id: string, logGroupName?: string): logs.LogGroup {
    return new logs.LogGroup(this, id, { logGroupName, encryptionKey: this.opsKey, retention: this.logRetention });
  }

  /** `/aws/vendedlogs/…` keeps Step Functions' log delivery within the CloudWatch Logs resource-policy limit. */
  private stateMachineLogGroup(id: string, workflow: string): logs.LogGroup {
    return this.logGroup(id, `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 160, separator: '-' })}-${workflow}`);
  }

  /**
   * CDK grants the Distributed Maps' item reader and result writer S3 access on `*` (their bucket is
   * read from state at run time). A Deny in the same policy limits those actions to the restores'
   * state folder, and the machine gets the key use those objects need.
   */
  private restrictDistributedMapAccess(machine: sfn.StateMachine, stateArea: S3Area): void {
    const actions = ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'];
    machine.addToRolePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions, notResources: [stateArea.objectsArn] }));
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    acknowledgeWildcards(machine, [
      {
        resource: '*',
        reason:
          'CDK grants the Distributed Map reader/writer S3 actions on "*" because the bucket comes from state at run time; an explicit Deny in this policy limits them to the work lists and results of the runs.',
      },
      {
        pattern: /^Resource::arn:<AWS::Partition>:states:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):execution:.*(Restore|Backup)StateMachine[A-Za-z0-9]*\b.*:\*$/,
        reason: "CDK's Distributed Map policy: the child executions of this state machine only.",
      },
    ]);
  }

  /** What CDK grants every state machine role: its task Lambdas (any version), X-Ray and log delivery. */
  private acknowledgeStateMachineGrants(workflow: BackupWorkflow | RestoreWorkflow): void {
    acknowledgeWildcards(workflow.stateMachine, [
      { resource: '*', reason: 'X-Ray tracing and CloudWatch Logs delivery, which CDK grants on "*": these actions have no resource-level permissions.' },
      { pattern: /^Resource::<[A-Za-z0-9]+Function[A-Za-z0-9]+\.Arn>:\*$/, reason: "lambda:InvokeFunction on the versions and aliases of the task's own Lambda, as CDK's LambdaInvoke grants it." },
    ]);
  }

  private allowServicesToUseOpsKey(): void {
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
      }),
    );
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }

  /** S3 through a gateway endpoint; Secrets Manager, Step Functions and CloudWatch through interface endpoints open to the Lambdas' groups. */
  private buildEndpoints(network: { vpc: ec2.IVpc; subnets?: ec2.SubnetSelection; securityGroups: ec2.ISecurityGroup[] }): void {
    network.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: network.subnets ? [network.subnets] : undefined });
    const group = new ec2.SecurityGroup(this, 'EndpointGroup', { vpc: network.vpc, description: 'hgbr VPC endpoints: HTTPS from the hgbr Lambdas', allowAllOutbound: false });
    for (const client of network.securityGroups) group.addIngressRule(client, ec2.Port.tcp(443), 'HTTPS from the hgbr Lambdas');
    const services: [string, ec2.InterfaceVpcEndpointAwsService][] = [
      ['SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['StepFunctionsEndpoint', ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS],
      ['CloudWatchEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
    ];
    for (const [id, service] of services) network.vpc.addInterfaceEndpoint(id, { service, subnets: network.subnets, securityGroups: [group], privateDnsEnabled: true, open: false });
  }

  /** Egress to HTTPS (AWS APIs) and to the HugeGraph ports; no ingress. */
  private hugeGraphClientGroup(vpc: ec2.IVpc, urls: readonly string[]): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'HugeGraphClients', { vpc, description: 'hgbr Lambdas: HTTPS to AWS APIs, HTTP(S) to HugeGraph', allowAllOutbound: false });
    const ports = new Set<number>([443, ...urls.map(portOf)]);
    for (const port of ports) group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), port === 443 ? 'HTTPS: AWS APIs and HTTPS HugeGraph' : 'HugeGraph REST');
    return group;
  }
}

/** The graph's address only: what state machine inputs, schedules and the API carry (never its secret). */
function endpointOf(graph: GraphEndpoint): GraphEndpoint {
  return graph.graphspace ? { url: graph.url, graph: graph.graph, graphspace: graph.graphspace } : { url: graph.url, graph: graph.graph };
}

function graphKeyOf(g: GraphEndpoint): string {
  return `${normalizeUrl(g.url)}|${g.graphspace ?? ''}|${g.graph}`;
}

function uniqueGraphs(graphs: GraphEndpoint[]): GraphEndpoint[] {
  const seen = new Map<string, GraphEndpoint>();
  for (const g of graphs) seen.set(graphKeyOf(g), g);
  return [...seen.values()];
}

function twice<K extends string, V>(keys: [K, K], value: V): Record<K, V> {
  return { [keys[0]]: value, [keys[1]]: value } as Record<K, V>;
}

function portOf(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
}

/** Keeps the keys whose value is given: an explicit `undefined` would replace a default. */
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every problem with the props at once, at synth time, so a user fixes them in one pass. */
function checkProps(scope: Construct, props: HugeGraphBackupProps): void {
  const problems = [...endpointProblems(props), ...storageProblems(props), ...functionProblems(props), ...concurrencyProblems(props.concurrency ?? {})];
  if (problems.length) throw new Error(`${scope.node.path}: invalid HugeGraphBackup props:\n  - ${problems.join('\n  - ')}`);
}

function endpointProblems(props: HugeGraphBackupProps): string[] {
  const problems: string[] = [];
  const endpoints = [...(props.graphs ?? []).map((g, i) => [`graphs[${i}]`, g] as const), ...(props.restoreTargets ?? []).map((g, i) => [`restoreTargets[${i}]`, g] as const)];
  for (const [where, g] of endpoints) {
    try {
      const url = new URL(g.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${where}.url ${JSON.stringify(g.url)} must start with http:// or https://`);
    } catch {
      problems.push(`${where}.url ${JSON.stringify(g.url)} is not a URL`);
    }
    if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(g.graph ?? '')) problems.push(`${where}.graph ${JSON.stringify(g.graph)} is not a graph name`);
  }
  (props.graphs ?? []).forEach((g, i) => {
    if (g.schedule !== undefined && !/^(cron|rate|at)\(.+\)$/.test(g.schedule)) problems.push(`graphs[${i}].schedule must be cron(…), rate(…) or at(…)`);
    else if (g.schedule !== undefined) {
      try {
        longestInterval(g.schedule);
      } catch (error) {
        problems.push(`graphs[${i}].schedule: ${(error as Error).message}`);
      }
    }
    if (g.keep !== undefined && !(Number.isInteger(g.keep) && g.keep > 0)) problems.push(`graphs[${i}].keep must be a positive whole number`);
    if (g.timeZone !== undefined && g.schedule === undefined) problems.push(`graphs[${i}].timeZone given without a schedule`);
    if (g.readPath !== undefined && !READ_PATHS.includes(g.readPath)) problems.push(`graphs[${i}].readPath must be one of ${READ_PATHS.join(', ')}`);
    if (g.waitForServer !== undefined) problems.push(...serverWaitProblems(g.waitForServer, `graphs[${i}].waitForServer`));
    if (g.waitForServer !== undefined && g.schedule === undefined) problems.push(`graphs[${i}].waitForServer given without a schedule`);
    if (g.types !== undefined && !(Array.isArray(g.types) && g.types.length > 0 && g.types.every((t) => BACKUP_TYPES.includes(t)))) {
      problems.push(`graphs[${i}].types must list one or more of ${BACKUP_TYPES.join(', ')}`);
    }
  });
  if (!props.network) {
    for (const [where, g] of endpoints) {
      if (/^http:\/\//i.test(g.url))
        problems.push(
          `${where}.url ${JSON.stringify(g.url)} is plain http:// and the Lambdas run outside a VPC: the HugeGraph credentials would cross the network in clear; give network (the VPC of the server) or an https:// URL`,
        );
    }
  }
  // Backups live in <prefix>/<graph>/ (DEFAULT graph space) or <prefix>/_graphspaces/<gs>/<graph>/: two
  // servers' graphs of one folder would share it, its lock and its retention. Graph spaces apart, they do not.
  const serverOfFolder = new Map<string, string>();
  for (const [i, g] of (props.graphs ?? []).entries()) {
    const folder = graphFolder(g);
    const other = serverOfFolder.get(folder);
    if (other !== undefined && other !== normalizeUrl(g.url)) {
      const space = namedGraphspace(g.graphspace);
      problems.push(
        `graphs[${i}]: graph ${JSON.stringify(g.graph)}${space ? ` of graph space ${JSON.stringify(space)}` : ''} is also backed up from ${other}; both would share the folder <prefix>/${folder}/, its lock and its retention: back them up in two HugeGraphBackup constructs with different prefixes`,
      );
    }
    serverOfFolder.set(folder, normalizeUrl(g.url));
  }
  if (props.source && (props.graphs ?? []).some((g) => g.schedule)) problems.push('a restore-only deployment (source) cannot schedule backups');
  if (props.source && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/.test(props.source.keyArn)) problems.push('source.keyArn must be the ARN of a KMS key (not an alias)');
  return problems;
}

/** Object Lock unless switched off: what was asked, or GOVERNANCE for the longest keep window of the graphs. */
function effectiveObjectLock(props: HugeGraphBackupProps): ObjectLockOptions | false {
  const asked = props.bucket?.objectLock;
  if (asked !== undefined) return asked;
  return { mode: 'GOVERNANCE', days: keepWindowDays(props.graphs ?? []) };
}

const MIN_LOCK_DAYS = 7;
const DAY_MS = 24 * 3_600_000;

/** The longest time a graph's backups are kept by `keep` (keep × the schedule's longest interval), in whole days. */
export function keepWindowDays(graphs: readonly BackedUpGraph[]): number {
  let days = MIN_LOCK_DAYS;
  for (const g of graphs) {
    const interval = g.schedule && g.keep !== undefined ? longestInterval(g.schedule) : undefined;
    if (interval !== undefined && g.keep !== undefined) days = Math.max(days, Math.ceil((g.keep * interval) / DAY_MS));
  }
  return days;
}

function storageProblems(props: HugeGraphBackupProps): string[] {
  const prefix = props.prefix ?? DEFAULT_PREFIX;
  if (!props.existingBucket) return bucketProblems({ ...props.bucket, objectLock: effectiveObjectLock(props), prefix, crossAccountReaders: props.crossAccountReaders });
  const problems: string[] = [];
  if (props.bucket) problems.push('existingBucket and bucket settings exclude each other: hgbr does not change a bucket it did not make (set lifecycle and Object Lock on yours)');
  if (props.crossAccountReaders?.length)
    problems.push("existingBucket and crossAccountReaders exclude each other: grant the readers in your bucket's policy and key policy yourself (docs/deployment.md shows the statements)");
  if (!props.dataKey && !props.existingBucket.encryptionKey)
    problems.push('existingBucket needs dataKey, the KMS key that encrypts it: backups are kept under SSE-KMS and the roles are granted that key');
  return problems;
}

const MAX_TIMEOUT_SECONDS = 900;

function functionProblems(props: HugeGraphBackupProps): string[] {
  const problems: string[] = [];
  for (const [where, o] of [
    ['lambdaFunctionProps', props.lambdaFunctionProps],
    ['workerFunctionProps', props.workerFunctionProps],
  ] as const) {
    if (!o) continue;
    if (o.memorySize !== undefined && !(Number.isInteger(o.memorySize) && o.memorySize >= 128 && o.memorySize <= 10240)) problems.push(`${where}.memorySize must be 128 to 10240 MB`);
    if (o.timeout !== undefined && !o.timeout.isUnresolved() && (o.timeout.toSeconds() < 30 || o.timeout.toSeconds() > MAX_TIMEOUT_SECONDS)) {
      problems.push(`${where}.timeout must be 30 seconds to 15 minutes (a task hands back a cursor before its time runs out)`);
    }
    if (o.reservedConcurrentExecutions !== undefined && !(Number.isInteger(o.reservedConcurrentExecutions) && o.reservedConcurrentExecutions >= 1)) {
      problems.push(`${where}.reservedConcurrentExecutions must be a positive whole number`);
    }
  }
  const workers = props.workerFunctionProps?.reservedConcurrentExecutions ?? props.lambdaFunctionProps?.reservedConcurrentExecutions;
  const wanted = Math.max(props.concurrency?.exports ?? 4, props.concurrency?.files ?? 4);
  if (workers !== undefined && workers < wanted) problems.push(`reservedConcurrentExecutions of the workers (${workers}) is below the concurrency asked for (${wanted}): tasks would be throttled`);
  return problems;
}

/** Step Functions caps a Distributed Map's children at 10,000 (the backup's work items, the restore's files). */
function concurrencyProblems(c: ConcurrencyOptions): string[] {
  const problems: string[] = [];
  const check = (name: keyof ConcurrencyOptions, max: number) => {
    const value = c[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) problems.push(`concurrency.${name} must be a whole number from 1 to ${max}`);
  };
  check('exports', 10_000);
  check('files', 10_000);
  check('filesPerBatch', 100);
  check('batchesPerFile', 16);
  return problems;
}
