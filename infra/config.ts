/**
 * The app's configuration, read from CDK context (cdk.json, `-c`, or a file named by `-c hgbrConfigFile=…`),
 * checked as a whole (every problem reported at once) and turned into stack props. Nothing here
 * calls AWS: a VPC, secret, key or topic is given by id/ARN and imported without a lookup, so
 * `cdk synth` works offline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, type Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { BackedUpGraph, BackupSource, GraphEndpoint, HugeGraphBackupProps, RestoreApiOptions } from './constructs/hugegraph-backup';
import type { HgbrRestoreStackProps } from './stacks/hgbr-restore-stack';
import type { HgbrStackProps } from './stacks/hgbr-stack';

/** Context keys. */
export const CONTEXT = {
  /** The main system (backups, restores, API): an object, or its JSON text. */
  system: 'hgbr',
  /** Optional second stack: the restore side of a migration into another account. */
  migrationTarget: 'hgbrMigrationTarget',
  /** Path of a JSON file `{"hgbr": {…}, "hgbrMigrationTarget": {…}}` that replaces both. */
  file: 'hgbrConfigFile',
} as const;

export interface VpcConfig {
  readonly vpcId: string;
  /** The AZs of the subnets, in the same order (no lookup is made). */
  readonly availabilityZones: string[];
  /** Private subnets for the Lambdas that talk to HugeGraph. */
  readonly subnetIds: string[];
  /** @default a group allowing egress to HTTPS and the HugeGraph ports */
  readonly securityGroupIds?: string[];
  /** Create VPC endpoints for S3, Secrets Manager, Step Functions and CloudWatch (NetworkOptions.endpoints). @default false */
  readonly endpoints?: boolean;
  /** Route tables of the subnets, in the same order: the S3 gateway endpoint is added to them (needed with `endpoints`). */
  readonly routeTableIds?: string[];
}

export interface BucketConfig {
  readonly bucketName?: string;
  readonly transitionAfterDays?: number;
  readonly storageClass?: 'GLACIER_INSTANT_RETRIEVAL' | 'GLACIER' | 'DEEP_ARCHIVE' | 'STANDARD_IA' | 'INTELLIGENT_TIERING';
  readonly expireAfterDays?: number;
  readonly noncurrentVersionExpireAfterDays?: number;
  readonly abortIncompleteUploadsAfterDays?: number;
  /** `false` for none. @default GOVERNANCE for the graphs' keep window */
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number } | false;
  readonly accessLogsExpireAfterDays?: number;
  /** Replicate the backups to this bucket (another account or region); delete markers are not replicated. */
  readonly replication?: { readonly bucketName: string; readonly account?: string; readonly region?: string; readonly keyArn?: string; readonly storageClass?: BucketConfig['storageClass'] };
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/** A restore target as the configuration gives it: its secret by full ARN. */
export type TargetConfig = Omit<GraphEndpoint, 'credentials'> & {
  /** Full ARN of an existing secret `{"username","password"}` for this graph. @default the server's new secret */
  readonly credentialsSecretArn?: string;
};

/** A backed-up graph as the configuration gives it. */
export type GraphConfig = Omit<BackedUpGraph, 'credentials'> & { readonly credentialsSecretArn?: string };

/** One stack's configuration. See docs/deployment.md for an example of each key. */
export interface SystemConfig {
  readonly stackName?: string;
  /** Pin account and region (needed for a migration's two stacks). @default env-agnostic */
  readonly env?: { readonly account?: string; readonly region?: string };
  readonly graphs?: GraphConfig[];
  readonly restoreTargets?: TargetConfig[];
  readonly prefix?: string;
  readonly bucket?: BucketConfig;
  /** ARN of an existing KMS key for the bucket. @default a new key */
  readonly dataKeyArn?: string;
  readonly vpc?: VpcConfig;
  readonly api?: false | RestoreApiOptions;
  readonly alarmEmail?: string;
  readonly alarmTopicArn?: string;
  readonly logRetentionDays?: number;
  readonly graphModeCheckMinutes?: number;
  readonly scheduleRetryAttempts?: number;
  readonly roleNames?: { readonly restore?: string; readonly api?: string };
  /** Main stack only: role ARNs of a migration target allowed to read the backups. */
  readonly crossAccountReaders?: string[];
  /** Migration target only: the source stack's bucket, key ARN and prefix. */
  readonly source?: BackupSource;
}

export interface AppConfig {
  readonly system: SystemConfig;
  readonly migrationTarget?: SystemConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`hgbr configuration: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const SYSTEM_KEYS = [
  'stackName',
  'env',
  'graphs',
  'restoreTargets',
  'prefix',
  'bucket',
  'dataKeyArn',
  'vpc',
  'api',
  'alarmEmail',
  'alarmTopicArn',
  'logRetentionDays',
  'graphModeCheckMinutes',
  'scheduleRetryAttempts',
  'roleNames',
  'crossAccountReaders',
  'source',
];
const GRAPH_KEYS = [
  'url',
  'graph',
  'graphspace',
  'schedule',
  'timeZone',
  'keep',
  'types',
  'labels',
  'checkWrites',
  'pageSize',
  'compressionLevel',
  'readPath',
  'waitForServer',
  'credentialsSecretArn',
];
const TARGET_KEYS = ['url', 'graph', 'graphspace', 'credentialsSecretArn'];
const BUCKET_KEYS = [
  'bucketName',
  'transitionAfterDays',
  'storageClass',
  'expireAfterDays',
  'noncurrentVersionExpireAfterDays',
  'abortIncompleteUploadsAfterDays',
  'objectLock',
  'accessLogsExpireAfterDays',
  'replication',
];
const REPLICATION_KEYS = ['bucketName', 'account', 'region', 'keyArn', 'storageClass'];
const VPC_KEYS = ['vpcId', 'availabilityZones', 'subnetIds', 'securityGroupIds', 'endpoints', 'routeTableIds'];
const STORAGE_CLASSES: Record<NonNullable<BucketConfig['storageClass']>, s3.StorageClass> = {
  GLACIER_INSTANT_RETRIEVAL: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
  GLACIER: s3.StorageClass.GLACIER,
  DEEP_ARCHIVE: s3.StorageClass.DEEP_ARCHIVE,
  STANDARD_IA: s3.StorageClass.INFREQUENT_ACCESS,
  INTELLIGENT_TIERING: s3.StorageClass.INTELLIGENT_TIERING,
};
const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number'));

/** Reads and checks the configuration from the context of `node` (an App's). */
export function readAppConfig(node: { tryGetContext(key: string): unknown }, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  let systemRaw = jsonValue(node.tryGetContext(CONTEXT.system), CONTEXT.system, problems);
  let targetRaw = jsonValue(node.tryGetContext(CONTEXT.migrationTarget), CONTEXT.migrationTarget, problems);
  const file = node.tryGetContext(CONTEXT.file);
  if (typeof file === 'string' && file !== '') {
    try {
      const content = JSON.parse(fs.readFileSync(path.resolve(cwd, file), 'utf8')) as Record<string, unknown>;
      systemRaw = content[CONTEXT.system];
      targetRaw = content[CONTEXT.migrationTarget];
    } catch (error) {
      problems.push(`${CONTEXT.file}: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const system = checkSystem(systemRaw ?? {}, CONTEXT.system, 'system', problems);
  const migrationTarget = targetRaw === undefined ? undefined : checkSystem(targetRaw, CONTEXT.migrationTarget, 'target', problems);
  if (problems.length) throw new ConfigError(problems);
  return { system, migrationTarget };
}

function jsonValue(value: unknown, key: string, problems: string[]): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    problems.push(`${key} is a string that is not JSON`);
    return undefined;
  }
}

function checkSystem(raw: unknown, where: string, kind: 'system' | 'target', problems: string[]): SystemConfig {
  if (!isObject(raw)) {
    problems.push(`${where} must be an object`);
    return {};
  }
  unknownKeys(raw, SYSTEM_KEYS, where, problems);
  for (const [i, g] of (asArray(raw.graphs, `${where}.graphs`, problems) ?? []).entries()) unknownKeys(g, GRAPH_KEYS, `${where}.graphs[${i}]`, problems);
  for (const [i, g] of (asArray(raw.restoreTargets, `${where}.restoreTargets`, problems) ?? []).entries()) unknownKeys(g, TARGET_KEYS, `${where}.restoreTargets[${i}]`, problems);
  if (raw.bucket !== undefined) unknownKeys(raw.bucket, BUCKET_KEYS, `${where}.bucket`, problems);
  const replication = (raw.bucket as BucketConfig | undefined)?.replication;
  if (replication !== undefined) {
    unknownKeys(replication, REPLICATION_KEYS, `${where}.bucket.replication`, problems);
    if (typeof replication.bucketName !== 'string') problems.push(`${where}.bucket.replication.bucketName is required`);
    if (replication.storageClass !== undefined && !(replication.storageClass in STORAGE_CLASSES))
      problems.push(`${where}.bucket.replication.storageClass must be one of ${Object.keys(STORAGE_CLASSES).join(', ')}`);
  }
  if (raw.vpc !== undefined) {
    unknownKeys(raw.vpc, VPC_KEYS, `${where}.vpc`, problems);
    const vpc = raw.vpc as Partial<VpcConfig>;
    if (typeof vpc.vpcId !== 'string') problems.push(`${where}.vpc.vpcId is required`);
    if (!Array.isArray(vpc.subnetIds) || vpc.subnetIds.length === 0) problems.push(`${where}.vpc.subnetIds must list the Lambdas' subnets`);
    if (!Array.isArray(vpc.availabilityZones) || vpc.availabilityZones.length !== (vpc.subnetIds ?? []).length) {
      problems.push(`${where}.vpc.availabilityZones must give the AZ of each subnet, in order (no lookup is made)`);
    }
    if (vpc.endpoints && (!Array.isArray(vpc.routeTableIds) || vpc.routeTableIds.length !== (vpc.subnetIds ?? []).length)) {
      problems.push(`${where}.vpc.routeTableIds must give the route table of each subnet, in order: the S3 gateway endpoint is added to them`);
    }
  }
  const storageClass = (raw.bucket as BucketConfig | undefined)?.storageClass;
  if (storageClass !== undefined && !(storageClass in STORAGE_CLASSES)) problems.push(`${where}.bucket.storageClass must be one of ${Object.keys(STORAGE_CLASSES).join(', ')}`);
  if (raw.logRetentionDays !== undefined && !RETENTION_DAYS.has(raw.logRetentionDays as number)) {
    problems.push(`${where}.logRetentionDays must be one of ${[...RETENTION_DAYS].sort((a, b) => a - b).join(', ')}`);
  }
  if (raw.graphModeCheckMinutes !== undefined && !(Number.isInteger(raw.graphModeCheckMinutes) && (raw.graphModeCheckMinutes as number) >= 1)) {
    problems.push(`${where}.graphModeCheckMinutes must be a whole number of minutes`);
  }
  if (raw.credentialsSecretArn !== undefined) {
    problems.push(
      `${where}.credentialsSecretArn: one secret for every server is no longer accepted; give each graph its own (graphs[i].credentialsSecretArn, restoreTargets[i].credentialsSecretArn), or none for a new secret per server`,
    );
  }
  for (const key of ['graphs', 'restoreTargets'] as const) {
    for (const [i, g] of ((raw[key] as TargetConfig[] | undefined) ?? []).entries()) {
      if (g?.credentialsSecretArn !== undefined && !SECRET_ARN.test(String(g.credentialsSecretArn))) {
        problems.push(`${where}.${key}[${i}].credentialsSecretArn must be a secret's full ARN (with its 6-character suffix)`);
      }
    }
  }
  if (kind === 'system' && raw.source !== undefined) problems.push(`${where}.source belongs to ${CONTEXT.migrationTarget} only`);
  if (kind === 'target') {
    if (!isObject(raw.source)) problems.push(`${where}.source {bucketName, keyArn, prefix?} is required: the source stack's outputs`);
    if (raw.crossAccountReaders !== undefined) problems.push(`${where}.crossAccountReaders belongs to the source (${CONTEXT.system})`);
    const env = raw.env as SystemConfig['env'];
    if (!env?.account || !env.region) problems.push(`${where}.env {account, region} is required: the target is another account`);
    if (!(raw.roleNames as SystemConfig['roleNames'])?.restore) problems.push(`${where}.roleNames.restore is required: the source grants read to it by name`);
  }
  return raw as SystemConfig;
}

/** Props of the main stack (backups, restores, API; the source side of a migration). */
export function systemStackProps(config: SystemConfig): HgbrStackProps {
  return { ...commonProps(config), crossAccountReaders: config.crossAccountReaders };
}

/** Props of a migration target stack. */
export function migrationTargetStackProps(config: SystemConfig): HgbrRestoreStackProps {
  return { ...commonProps(config), source: config.source as BackupSource };
}

function commonProps(config: SystemConfig) {
  const bucket = config.bucket;
  return {
    stackName: config.stackName,
    env: config.env,
    description: 'hgbr: backup and restore for Apache HugeGraph',
    prefix: config.prefix,
    bucket: bucket && bucketProps(bucket),
    api: config.api,
    alarmEmail: config.alarmEmail,
    logRetention: config.logRetentionDays as logs.RetentionDays | undefined,
    graphModeCheckInterval: config.graphModeCheckMinutes ? Duration.minutes(config.graphModeCheckMinutes) : undefined,
    scheduleRetryAttempts: config.scheduleRetryAttempts,
    roleNames: config.roleNames,
    imports: (stack: Stack) => importsOf(stack, config),
  };
}

function bucketProps(bucket: BucketConfig): NonNullable<HugeGraphBackupProps['bucket']> {
  const { replication: _replicationNeedsAStack, storageClass, ...rest } = bucket;
  return { ...rest, transitionStorageClass: storageClass && STORAGE_CLASSES[storageClass] };
}

/** Existing resources by id: imported without lookups (the VPC from its attributes). */
function importsOf(stack: Stack, config: SystemConfig): Partial<HugeGraphBackupProps> {
  const imports: { -readonly [K in keyof HugeGraphBackupProps]?: HugeGraphBackupProps[K] } = {};
  // Graphs and targets are built here, where their secrets can be imported into the stack.
  const secrets = new Map<string, secretsmanager.ISecret>();
  const secretOf = (arn: string) => {
    let secret = secrets.get(arn);
    if (!secret) {
      secret = secretsmanager.Secret.fromSecretCompleteArn(stack, `ImportedSecret${secrets.size + 1}`, arn);
      secrets.set(arn, secret);
    }
    return secret;
  };
  const withSecret = <T extends TargetConfig>({ credentialsSecretArn, ...g }: T) => ({ ...g, ...(credentialsSecretArn ? { credentials: secretOf(credentialsSecretArn) } : {}) });
  if (config.graphs) imports.graphs = config.graphs.map(withSecret);
  if (config.restoreTargets) imports.restoreTargets = config.restoreTargets.map(withSecret);
  if (config.dataKeyArn) imports.dataKey = kms.Key.fromKeyArn(stack, 'ImportedDataKey', config.dataKeyArn);
  if (config.alarmTopicArn) imports.alarmTopic = sns.Topic.fromTopicArn(stack, 'ImportedAlarmTopic', config.alarmTopicArn);
  const replication = config.bucket?.replication;
  if (config.bucket && replication) {
    imports.bucket = {
      ...bucketProps(config.bucket),
      replication: {
        destination: s3.Bucket.fromBucketAttributes(stack, 'ReplicaBucket', { bucketName: replication.bucketName, account: replication.account, region: replication.region }),
        destinationKey: replication.keyArn ? kms.Key.fromKeyArn(stack, 'ReplicaKey', replication.keyArn) : undefined,
        storageClass: replication.storageClass && STORAGE_CLASSES[replication.storageClass],
      },
    };
  }
  if (config.vpc) {
    const vpc = config.vpc;
    imports.network = {
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', {
        vpcId: vpc.vpcId,
        availabilityZones: vpc.availabilityZones,
        privateSubnetIds: vpc.subnetIds,
        privateSubnetRouteTableIds: vpc.routeTableIds,
      }),
      subnets: {
        subnets: vpc.subnetIds.map((id, i) =>
          ec2.Subnet.fromSubnetAttributes(stack, `ImportedSubnet${i + 1}`, { subnetId: id, availabilityZone: vpc.availabilityZones[i], routeTableId: vpc.routeTableIds?.[i] }),
        ),
      },
      securityGroups: vpc.securityGroupIds?.map((id, i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `ImportedSecurityGroup${i + 1}`, id)),
      endpoints: vpc.endpoints,
    };
  }
  return imports;
}

function unknownKeys(value: unknown, allowed: string[], where: string, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`${where} must be an object`);
    return;
  }
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where}.${key} is not a known setting (known: ${allowed.join(', ')})`);
}

function asArray(value: unknown, where: string, problems: string[]): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`${where} must be an array`);
    return undefined;
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
