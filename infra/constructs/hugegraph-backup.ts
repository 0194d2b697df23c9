import { Annotations, Aws, Duration, Names, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { BackupRequest } from '../../functions/backup/types';
import { MODE_METRICS } from '../../functions/ops/graph-modes';
import { BackupWorkflow } from '../workflows/backup-workflow';
import { RestoreWorkflow } from '../workflows/restore-workflow';
import { BACKUP_TASKS, RESTORE_TASKS } from '../../functions/workflow/task-names';
import { handlerFunction } from '../workflows/workflow-functions';
import { executionsArn, mapRunsArn, S3Area } from './access';
import { BackupBucket, type BackupBucketProps } from './backup-bucket';
import { acknowledge, acknowledgeWildcards, type WildcardAllowance } from './nag';
import { deadLetterQueue, Operations } from './operations';
import { RestoreApi } from './restore-api';

/** A HugeGraph graph: where it is served. Credentials come from the construct's secret. */
export interface GraphEndpoint {
  /** e.g. `http://hugegraph.internal:8080` */
  readonly url: string;
  readonly graph: string;
  /** HugeGraph 1.5+ graph space. @default none (DEFAULT) */
  readonly graphspace?: string;
}

/** A graph that is backed up, on a schedule or not. */
export interface BackedUpGraph extends GraphEndpoint {
  /** EventBridge Scheduler expression: `cron(0 2 * * ? *)`, `rate(12 hours)` or `at(…)`. @default no schedule */
  readonly schedule?: string;
  /** IANA time zone the cron expression is read in. @default 'UTC' */
  readonly timeZone?: string;
  /** Complete backups kept per graph; older ones are deleted by each backup. @default all */
  readonly keep?: number;
  /** Only these labels. @default all */
  readonly labels?: string[];
  /** Elements per page requested from the server. @default the workflow's (5000) */
  readonly pageSize?: number;
  /** DEFLATE level of the data files, 0 to 9. @default the workflow's (1, the fastest) */
  readonly compressionLevel?: number;
}

/** Backups in another account's bucket (a migration target reads them; it writes none). */
export interface BackupSource {
  readonly bucketName: string;
  /** ARN of the KMS key that encrypts the source bucket (an alias does not work for grants). */
  readonly keyArn: string;
  /** @default 'backups' */
  readonly prefix?: string;
}

export interface NetworkOptions {
  readonly vpc: ec2.IVpc;
  /** Subnets of the Lambdas that talk to HugeGraph; they need a route to S3, Secrets Manager, Step Functions, CloudWatch (endpoints or NAT). @default the VPC's private subnets */
  readonly subnets?: ec2.SubnetSelection;
  /** @default one group allowing egress to HTTPS and to the HugeGraph ports only */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

export interface RestoreApiOptions {
  /** @default 5 requests per second */
  readonly rateLimit?: number;
  /** @default 10 */
  readonly burstLimit?: number;
  /** Create the account-wide API Gateway logging role. @default true */
  readonly cloudWatchRole?: boolean;
}

export interface HugeGraphBackupProps {
  /** Graphs backed up (scheduled when they have a `schedule`); also the default restore targets. @default none */
  readonly graphs?: BackedUpGraph[];
  /** The only graphs restores may write to. @default the `graphs` */
  readonly restoreTargets?: GraphEndpoint[];
  /** Key prefix of the backups in the bucket: backups live at `s3://<bucket>/<prefix>/<graph>/<backupId>/`. @default 'backups' */
  readonly prefix?: string;
  /** Bucket settings: lifecycle, Object Lock, name. @default see BackupBucketProps */
  readonly bucket?: Omit<BackupBucketProps, 'encryptionKey' | 'prefix' | 'crossAccountReaders'>;
  /** Encrypts the bucket. Give a key of this stack's account; an imported key's policy is not changed. @default a new key, rotation on */
  readonly dataKey?: kms.IKey;
  /**
   * Restore-only (migration target): restores read backups from this other bucket; no backup
   * workflow and no schedules are created. The local bucket keeps the restores' state.
   * @default none: backups and restores use this construct's bucket
   */
  readonly source?: BackupSource;
  /** JSON `{"username": …, "password": …}` for HugeGraph. @default a new secret to fill in after deployment */
  readonly credentials?: secretsmanager.ISecret;
  /** Run the Lambdas that talk to HugeGraph in a VPC. @default outside any VPC */
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
  /** Attempts of the scheduler to start a backup it could not start. @default 3 */
  readonly scheduleRetryAttempts?: number;
  /** @default RemovalPolicy.RETAIN for the bucket and keys */
  readonly removalPolicy?: RemovalPolicy;
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
 * then put the HugeGraph credentials into `credentials`.
 *
 * Least privilege: each role gets the exact actions on the exact prefix it needs (infra/constructs/access.ts);
 * the restore role reads the backup prefix and writes only the restores' state folder.
 */
export class HugeGraphBackup extends Construct {
  readonly bucket: BackupBucket;
  readonly dataKey: kms.IKey;
  /** Encrypts logs and the alarm topic. */
  readonly opsKey: kms.Key;
  readonly credentials: secretsmanager.ISecret;
  /** Absent in restore-only mode. */
  readonly backup?: BackupWorkflow;
  readonly restore: RestoreWorkflow;
  readonly api?: RestoreApi;
  readonly operations: Operations;
  readonly schedules: scheduler.Schedule[] = [];
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
  private readonly runtimeEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: HugeGraphBackupProps = {}) {
    super(scope, id);
    this.props = props;
    checkProps(this, props);
    const prefix = props.prefix ?? DEFAULT_PREFIX;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const graphs = props.graphs ?? [];
    const targets = props.restoreTargets ?? graphs.map(endpointOf);

    this.dataKey = props.dataKey ?? new kms.Key(this, 'DataKey', { description: 'hgbr: encrypts the backups', enableKeyRotation: true, removalPolicy });
    this.opsKey = new kms.Key(this, 'OpsKey', { description: 'hgbr: encrypts logs and the alarm topic', enableKeyRotation: true, removalPolicy });
    this.allowServicesToUseOpsKey();

    this.bucket = new BackupBucket(this, 'Storage', {
      ...props.bucket,
      encryptionKey: this.dataKey,
      prefix,
      crossAccountReaders: props.crossAccountReaders,
      removalPolicy,
    });
    const localArea = new S3Area(this.bucket.bucket.bucketArn, prefix, this.dataKey.keyArn);
    const sourceArea = props.source
      ? new S3Area(`arn:${Aws.PARTITION}:s3:::${props.source.bucketName}`, props.source.prefix ?? DEFAULT_PREFIX, props.source.keyArn)
      : localArea;
    const stateArea = localArea.sub(RESTORES_FOLDER);
    this.backupRoot = props.source ? `s3://${props.source.bucketName}/${props.source.prefix ?? DEFAULT_PREFIX}` : `s3://${this.bucket.bucket.bucketName}/${prefix}`;
    this.stateRoot = `s3://${this.bucket.bucket.bucketName}/${prefix}`;

    this.credentials =
      props.credentials ??
      new secretsmanager.Secret(this, 'Credentials', {
        description: 'hgbr: HugeGraph credentials, JSON {"username": "...", "password": "..."}; set the real values after deployment',
        generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'admin' }), generateStringKey: 'password', excludePunctuation: true },
      });
    if (!props.credentials) {
      acknowledge(this.credentials, 'SMG4', 'HugeGraph has no rotation API Secrets Manager could call; rotate by changing the password on the server and putting the new value into this secret.');
    }
    const allowedUrls = [...new Set([...graphs, ...targets].map((g) => g.url.replace(/\/+$/, '')))];
    this.runtimeEnvironment = { HUGEGRAPH_SECRET_ARN: this.credentials.secretArn, HUGEGRAPH_ALLOWED_URLS: JSON.stringify(allowedUrls) };
    this.network = props.network && {
      vpc: props.network.vpc,
      subnets: props.network.subnets,
      securityGroups: props.network.securityGroups ?? [this.hugeGraphClientGroup(props.network.vpc, allowedUrls)],
    };

    this.operations = new Operations(this, 'Operations', { encryptionKey: this.opsKey, alarmTopic: props.alarmTopic, alarmEmail: props.alarmEmail });

    // ── Restore ──────────────────────────────────────────────────────────────────────────────
    this.restoreRole = this.lambdaRole('RestoreRole', 'hgbr restore Lambdas: read the backups, write the restore state, reach HugeGraph', props.roleNames?.restore);
    const restoreFn = (fnId: string, handler: string, memorySize?: number) => this.workflowFunction(fnId, 'restore', handler, this.restoreRole, memorySize);
    this.restore = new RestoreWorkflow(this, 'Restore', {
      functions: {
        [RESTORE_TASKS.plan]: restoreFn('RestorePlanFunction', 'plan'),
        [RESTORE_TASKS.prepare]: restoreFn('RestorePrepareFunction', 'prepare'),
        ...twice([RESTORE_TASKS.restoreVertexFiles, RESTORE_TASKS.restoreEdgeFiles], restoreFn('RestoreFilesFunction', 'restoreFiles', 1024)),
        [RESTORE_TASKS.verify]: restoreFn('RestoreVerifyFunction', 'verify'),
        [RESTORE_TASKS.finish]: restoreFn('RestoreFinishFunction', 'finish'),
        [RESTORE_TASKS.reset]: restoreFn('RestoreResetFunction', 'reset'),
      },
      logGroup: this.stateMachineLogGroup('RestoreLogs', 'restore'),
    });
    const restoreMachine = this.restore.stateMachine;
    this.grant('RestoreAccess', this.restoreRole, [
      ...sourceArea.readStatements(),
      ...stateArea.readWriteStatements(),
      new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn(restoreMachine)] }),
    ], [
      { resource: sourceArea.objectsArn, reason: 'Objects below the backup prefix: backups are many objects under <prefix>/<graph>/<backupId>/.' },
      { resource: stateArea.objectsArn, reason: 'Objects below the restore-state folder: locks, work lists and per-file records of each restore.' },
      { resource: executionsArn(restoreMachine), reason: 'Executions of the restore state machine only: a restore lock names its execution, and DescribeExecution tells whether it still runs.' },
    ]);
    this.restrictDistributedMapAccess(stateArea);
    this.acknowledgeStateMachineGrants(this.restore);
    this.operations.alarmOnWorkflow('Restore', restoreMachine, 'The Catch path reset the target graph mode; check the execution error (GET /restores/{id}), fix it, and restart with the same restoreId to resume.');
    this.operations.cleanUpAfter('Restore', restoreMachine, this.opsFunction('RestoreEndedFunction', 'restoreEnded', this.restoreRole, true));

    // ── Backup ───────────────────────────────────────────────────────────────────────────────
    if (!props.source) {
      const backupRole = this.lambdaRole('BackupRole', 'hgbr backup Lambdas: read HugeGraph, write the backups');
      this.backupRole = backupRole;
      const backupFn = (fnId: string, handler: string, memorySize?: number) => this.workflowFunction(fnId, 'backup', handler, backupRole, memorySize);
      this.backup = new BackupWorkflow(this, 'Backup', {
        functions: {
          [BACKUP_TASKS.plan]: backupFn('BackupPlanFunction', 'plan'),
          ...twice([BACKUP_TASKS.exportVertexChunk, BACKUP_TASKS.exportEdgeChunk], backupFn('BackupExportFunction', 'exportChunk', 1024)),
          [BACKUP_TASKS.finalize]: backupFn('BackupFinalizeFunction', 'finalize'),
          [BACKUP_TASKS.abort]: backupFn('BackupAbortFunction', 'abort'),
        },
        logGroup: this.stateMachineLogGroup('BackupLogs', 'backup'),
      });
      const backupMachine = this.backup.stateMachine;
      this.acknowledgeStateMachineGrants(this.backup);
      this.grant('BackupAccess', backupRole, [
        ...localArea.readWriteStatements(),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn(backupMachine)] }),
      ], [
        { resource: localArea.objectsArn, reason: 'Objects below the backup prefix: a backup writes many files under <prefix>/<graph>/<backupId>/, and retention deletes old ones.' },
        { resource: executionsArn(backupMachine), reason: 'Executions of the backup state machine only: a backup lock names its execution, and DescribeExecution tells whether it still runs.' },
      ]);
      this.operations.alarmOnWorkflow('Backup', backupMachine, 'Its partial files were removed and the lock released by the Catch path; read the execution error, fix it; the next scheduled run retries.');
      this.operations.cleanUpAfter('Backup', backupMachine, this.opsFunction('BackupEndedFunction', 'backupEnded', backupRole, false));
      this.scheduleBackups(graphs, backupMachine);
    }

    // ── API ──────────────────────────────────────────────────────────────────────────────────
    if (props.api !== false) {
      const apiRole = this.lambdaRole('ApiRole', 'hgbr restore API: start and describe restores, read backup manifests', props.roleNames?.api, false);
      this.apiRole = apiRole;
      const apiFunction = this.function('ApiFunction', 'api', 'handler', apiRole, {
        timeout: Duration.seconds(29),
        memorySize: 512,
        environment: {
          RESTORE_STATE_MACHINE_ARN: restoreMachine.stateMachineArn,
          BACKUP_ROOT: this.backupRoot,
          RESTORE_STATE_LOCATION: this.stateRoot,
          RESTORE_TARGETS: JSON.stringify(targets.map(endpointOf)),
        },
      });
      restoreMachine.grantStartExecution(apiRole);
      this.grant('ApiAccess', apiRole, [
        ...sourceArea.readStatements(),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: [executionsArn(restoreMachine)] }),
        new iam.PolicyStatement({ actions: ['states:DescribeMapRun'], resources: [mapRunsArn(restoreMachine)] }),
      ], [
        { resource: sourceArea.objectsArn, reason: 'Objects below the backup prefix: the API reads backup manifests to check a backup is complete and to list backups.' },
        { resource: executionsArn(restoreMachine), reason: 'Executions of the restore state machine only: status and history of a restore.' },
        { resource: mapRunsArn(restoreMachine), reason: 'Distributed Map runs of the restore state machine only: the API reports files restored per phase.' },
      ]);
      const options = props.api ?? {};
      this.api = new RestoreApi(this, 'RestoreApi', {
        handler: apiFunction,
        accessLogGroup: this.logGroup('ApiAccessLogs'),
        rateLimit: options.rateLimit,
        burstLimit: options.burstLimit,
        cloudWatchRole: options.cloudWatchRole,
      });
      this.operations.alarmOnErrors('Api', apiFunction, 'The restore API Lambda failed (HTTP 500 to callers). Read its log; the request id is in the 500 response.');
    }

    // ── Graph modes ──────────────────────────────────────────────────────────────────────────
    const watched = uniqueGraphs([...graphs.map(endpointOf), ...targets.map(endpointOf)]);
    if (watched.length) {
      const checkRole = this.lambdaRole('ModeCheckRole', 'hgbr graph-mode check: read graph modes, publish a metric');
      const check = this.function('GraphModeCheckFunction', 'ops', 'checkGraphModes', checkRole, {
        timeout: Duration.minutes(2),
        environment: { ...this.runtimeEnvironment, WATCHED_GRAPHS: JSON.stringify(watched), RESTORE_STATE_MACHINE_ARN: restoreMachine.stateMachineArn },
        network: true,
      });
      this.credentials.grantRead(checkRole);
      this.grant('ModeCheckAccess', checkRole, [
        new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [restoreMachine.stateMachineArn] }),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn(restoreMachine)] }),
        new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': MODE_METRICS.namespace } } }),
      ], [
        { resource: executionsArn(restoreMachine), reason: 'Executions of the restore state machine only: which graphs running restores target.' },
        { resource: '*', reason: 'cloudwatch:PutMetricData has no resource-level permissions; the cloudwatch:namespace condition limits it to the hgbr namespace.' },
      ]);
      this.operations.watchGraphModes(check, props.graphModeCheckInterval ?? Duration.minutes(15));
    } else {
      Annotations.of(this).addWarningV2('hgbr:NoGraphs', 'No graphs and no restore targets are configured: nothing is scheduled, the API refuses every restore, and no graph mode is watched.');
    }

    acknowledge(this, 'L1', 'Lambdas run on nodejs22.x, the Node major the project builds (esbuild target node22) and tests on; moving to a newer runtime is a deliberate, tested upgrade.');
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
    this.operations.alarmOnQueue('ScheduleDeadLetters', deadLetters, 'EventBridge Scheduler could not start a scheduled backup after its retries (state machine missing, throttled, role changed). The message holds the request; start it by hand (aws stepfunctions start-execution) once the cause is fixed.');
    scheduled.forEach((graph, i) => {
      const request: BackupRequest = {
        server: endpointOf(graph),
        location: `s3://${this.bucket.bucket.bucketName}/${this.props.prefix ?? DEFAULT_PREFIX}`,
        ...(graph.labels ? { labels: graph.labels } : {}),
        ...(graph.keep !== undefined ? { keep: graph.keep } : {}),
        ...(graph.pageSize !== undefined ? { pageSize: graph.pageSize } : {}),
        ...(graph.compressionLevel !== undefined ? { compressionLevel: graph.compressionLevel } : {}),
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

  /** A Lambda of a state machine: 15 minutes, credentials from the secret, in the VPC when there is one. */
  private workflowFunction(id: string, entry: string, handler: string, role: iam.Role, memorySize?: number): nodejs.NodejsFunction {
    this.credentials.grantRead(role);
    return this.function(id, entry, handler, role, { memorySize, environment: this.runtimeEnvironment, network: true });
  }

  /** A clean-up Lambda of the execution-status rule: retried twice, then dead-lettered. Only a restore's clean-up talks to HugeGraph. */
  private opsFunction(id: string, handler: string, role: iam.Role, talksToHugeGraph: boolean): nodejs.NodejsFunction {
    if (talksToHugeGraph) this.credentials.grantRead(role);
    return this.function(id, 'ops', handler, role, {
      timeout: Duration.minutes(5),
      environment: talksToHugeGraph ? this.runtimeEnvironment : undefined,
      network: talksToHugeGraph,
      extra: { deadLetterQueue: this.operations.deadLetters, retryAttempts: 2 },
    });
  }

  private function(
    id: string,
    entry: string,
    handler: string,
    role: iam.Role,
    options: { timeout?: Duration; memorySize?: number; environment?: Record<string, string>; network?: boolean; extra?: Partial<nodejs.NodejsFunctionProps> },
  ): nodejs.NodejsFunction {
    const logGroup = this.logGroup(`${id}Logs`);
    logGroup.grantWrite(role);
    const network = options.network && this.network;
    return handlerFunction(this, id, {
      entry,
      handler,
      timeout: options.timeout,
      memorySize: options.memorySize,
      environment: options.environment,
      extra: {
        role,
        logGroup,
        ...(network ? { vpc: network.vpc, vpcSubnets: network.subnets, securityGroups: network.securityGroups } : {}),
        ...options.extra,
      },
    });
  }

  /** A role for Lambdas with no managed policy: log groups are granted one by one, ENI rights only in a VPC. */
  private lambdaRole(id: string, description: string, roleName?: string, network = true): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description, roleName });
    if (network && this.props.network) {
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
      acknowledge(role, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]', 'The AWS-maintained policy with the EC2 network-interface actions a Lambda in a VPC needs; these actions support no resource-level scoping.');
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
  private restrictDistributedMapAccess(stateArea: S3Area): void {
    const machine = this.restore.stateMachine;
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
      { resource: '*', reason: 'CDK grants the Distributed Map reader/writer S3 actions on "*" because the bucket comes from state at run time; an explicit Deny in this policy limits them to the restores\' state folder.' },
      { pattern: /^Resource::arn:<AWS::Partition>:states:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):execution:.*RestoreStateMachine[A-Za-z0-9]*\b.*:\*$/, reason: 'CDK\'s Distributed Map policy: the child executions of this restore state machine only.' },
    ]);
  }

  /** What CDK grants every state machine role: its task Lambdas (any version), X-Ray and log delivery. */
  private acknowledgeStateMachineGrants(workflow: BackupWorkflow | RestoreWorkflow): void {
    acknowledgeWildcards(workflow.stateMachine, [
      { resource: '*', reason: 'X-Ray tracing and CloudWatch Logs delivery, which CDK grants on "*": these actions have no resource-level permissions.' },
      { pattern: /^Resource::<[A-Za-z0-9]+Function[A-Za-z0-9]+\.Arn>:\*$/, reason: 'lambda:InvokeFunction on the versions and aliases of the task\'s own Lambda, as CDK\'s LambdaInvoke grants it.' },
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

  /** Egress to HTTPS (AWS APIs) and to the HugeGraph ports; no ingress. */
  private hugeGraphClientGroup(vpc: ec2.IVpc, urls: readonly string[]): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'HugeGraphClients', { vpc, description: 'hgbr Lambdas: HTTPS to AWS APIs, HTTP(S) to HugeGraph', allowAllOutbound: false });
    const ports = new Set<number>([443, ...urls.map(portOf)]);
    for (const port of ports) group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), port === 443 ? 'HTTPS: AWS APIs and HTTPS HugeGraph' : 'HugeGraph REST');
    return group;
  }
}

function endpointOf(graph: GraphEndpoint): GraphEndpoint {
  return graph.graphspace ? { url: graph.url, graph: graph.graph, graphspace: graph.graphspace } : { url: graph.url, graph: graph.graph };
}

function uniqueGraphs(graphs: GraphEndpoint[]): GraphEndpoint[] {
  const seen = new Map<string, GraphEndpoint>();
  for (const g of graphs) seen.set(`${g.url.replace(/\/+$/, '')}|${g.graphspace ?? ''}|${g.graph}`, g);
  return [...seen.values()];
}

function twice<K extends string, V>(keys: [K, K], value: V): Record<K, V> {
  return { [keys[0]]: value, [keys[1]]: value } as Record<K, V>;
}

function portOf(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
}

/** Every problem with the props at once, at synth time. */
function checkProps(scope: Construct, props: HugeGraphBackupProps): void {
  const problems: string[] = [];
  const endpoints = [...(props.graphs ?? []).map((g, i) => [`graphs[${i}]`, g] as const), ...(props.restoreTargets ?? []).map((g, i) => [`restoreTargets[${i}]`, g] as const)];
  for (const [where, g] of endpoints) {
    try {
      const url = new URL(g.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${where}.url must be http(s)`);
    } catch {
      problems.push(`${where}.url ${JSON.stringify(g.url)} is not a URL`);
    }
    if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(g.graph ?? '')) problems.push(`${where}.graph ${JSON.stringify(g.graph)} is not a graph name`);
  }
  (props.graphs ?? []).forEach((g, i) => {
    if (g.schedule !== undefined && !/^(cron|rate|at)\(.+\)$/.test(g.schedule)) problems.push(`graphs[${i}].schedule must be cron(…), rate(…) or at(…)`);
    if (g.keep !== undefined && !(Number.isInteger(g.keep) && g.keep > 0)) problems.push(`graphs[${i}].keep must be a positive whole number`);
    if (g.timeZone !== undefined && g.schedule === undefined) problems.push(`graphs[${i}].timeZone given without a schedule`);
  });
  if (props.source && (props.graphs ?? []).some((g) => g.schedule)) problems.push('a restore-only deployment (source) cannot schedule backups');
  if (props.source && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/.test(props.source.keyArn)) problems.push('source.keyArn must be the ARN of a KMS key (not an alias)');
  if (problems.length) throw new Error(`${scope.node.path}: ${problems.join('; ')}`);
}
