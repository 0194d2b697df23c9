import { Annotations, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcards } from './nag';

export interface ObjectLockOptions {
  /** GOVERNANCE: users with s3:BypassGovernanceRetention may still delete; COMPLIANCE: nobody can, not even root. */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Days every new object version is kept. */
  readonly days: number;
}

export interface ReplicationOptions {
  /** The replica bucket; for another account import it with `Bucket.fromBucketAttributes({ account })`. Its policy must let this bucket's replication role write. */
  readonly destination: s3.IBucket;
  /** The KMS key that encrypts the replicas (required for an SSE-KMS destination). @default the destination's default encryption */
  readonly destinationKey?: kms.IKey;
  /** @default the source object's storage class */
  readonly storageClass?: s3.StorageClass;
}

export interface BackupBucketProps {
  /** Encrypts every object (SSE-KMS, with an S3 Bucket Key to cut KMS requests). */
  readonly encryptionKey: kms.IKey;
  /** Key prefix of the backups (without slashes); the expiry rule applies below it only. */
  readonly prefix: string;
  /** @default a name CloudFormation generates */
  readonly bucketName?: string;
  /** Days until backup objects move to `transitionStorageClass`; 0 keeps them in S3 Standard. @default 30 */
  readonly transitionAfterDays?: number;
  /**
   * Storage class after `transitionAfterDays`. Restores read the files directly, so the default is
   * the one that serves reads in milliseconds; GLACIER or DEEP_ARCHIVE need a restore from archive first.
   * @default s3.StorageClass.GLACIER_INSTANT_RETRIEVAL
   */
  readonly transitionStorageClass?: s3.StorageClass;
  /** Days after which backup objects expire; 0 never. A safety net: `keep` in the schedules is the retention. @default 365 */
  readonly expireAfterDays?: number;
  /** Days an overwritten or deleted object version is kept. @default 30 */
  readonly noncurrentVersionExpireAfterDays?: number;
  /** Days before an unfinished multipart upload is removed. @default 2 */
  readonly abortIncompleteUploadsAfterDays?: number;
  /**
   * Object Lock (write once, read many): every object version is kept at least `days`, whatever
   * deletes it (a delete only adds a delete marker). Only when the bucket is created; `false` for none.
   * @default none here; HugeGraphBackup turns it on (GOVERNANCE, the graphs' keep window)
   */
  readonly objectLock?: ObjectLockOptions | false;
  /**
   * Replicate every backup to a bucket in another account or region (versioned, with its own key
   * when it is SSE-KMS). @default none
   */
  readonly replication?: ReplicationOptions;
  /** Days server access logs are kept. @default 365 */
  readonly accessLogsExpireAfterDays?: number;
  /**
   * Roles of other accounts (restore roles of a migration target) that may list and read the
   * backups below `prefix` and decrypt them through S3. Nothing else is granted.
   * @default none
   */
  readonly crossAccountReaders?: readonly string[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/**
 * The bucket backups live in: versioned, SSE-KMS with a customer-managed key, no public access,
 * TLS only, lifecycle (archive tier, expiry, old versions, unfinished uploads), optional Object
 * Lock, server access logs to a separate bucket, and optional read grants for other accounts.
 */
export class BackupBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    // Log delivery is granted by a bucket policy, not the LogDeliveryWrite ACL, which would need
    // ACLs enabled on the log bucket. Set here so the construct does not depend on the app's flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const transitionAfter = props.transitionAfterDays ?? 30;
    const expireAfter = props.expireAfterDays ?? 365;
    const readers = props.crossAccountReaders ?? [];
    checkProps(this, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Access-log buckets cannot use SSE-KMS as a target; SSE-S3 is what S3 log delivery supports.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(props.accessLogsExpireAfterDays ?? 365), abortIncompleteMultipartUploadAfter: Duration.days(2) }],
      removalPolicy,
    });
    acknowledge(this.accessLogsBucket, 'S1', 'This is the access-log bucket of the backup bucket; logging its own accesses into itself would loop.');

    const replicationRole = props.replication && new iam.Role(this, 'ReplicationRole', { assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'), description: 'hgbr: S3 replication of the backups' });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'backup-bucket/',
      objectLockEnabled: props.objectLock !== undefined && props.objectLock !== false,
      objectLockDefaultRetention: props.objectLock ? objectLockRetention(props.objectLock) : undefined,
      replicationRole,
      replicationRules: props.replication && [
        {
          destination: props.replication.destination,
          kmsKey: props.replication.destinationKey,
          storageClass: props.replication.storageClass,
          sseKmsEncryptedObjects: true,
          // Delete markers are not replicated: a delete here (retention, or a mistake) leaves the replica whole.
          deleteMarkerReplication: false,
          priority: 1,
          accessControlTransition: props.replication.destination.env.account !== Stack.of(this).account ? true : undefined,
        },
      ],
      lifecycleRules: [
        {
          id: 'backups',
          prefix: `${props.prefix}/`,
          transitions: transitionAfter > 0 ? [{ storageClass: props.transitionStorageClass ?? s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transitionAfter) }] : undefined,
          expiration: expireAfter > 0 ? Duration.days(expireAfter) : undefined,
        },
        {
          id: 'old-versions-and-uploads',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpireAfterDays ?? 30),
          abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteUploadsAfterDays ?? 2),
          expiredObjectDeleteMarker: true,
        },
      ],
      removalPolicy,
    });

    if (replicationRole) this.grantReplication(replicationRole, props);
    if (readers.length) this.grantCrossAccountRead(props, readers);
  }

  /**
   * What S3 replicates with: read this bucket's versions and decrypt them through S3, write replicas
   * (never deletes: delete markers are not replicated) and encrypt them with the replica key.
   */
  private grantReplication(role: iam.Role, props: BackupBucketProps): void {
    const replication = props.replication as ReplicationOptions;
    const statements = [
      new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [this.bucket.bucketArn] }),
      new iam.PolicyStatement({ actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'], resources: [this.bucket.arnForObjects('*')] }),
      new iam.PolicyStatement({ actions: ['s3:ReplicateObject', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'], resources: [replication.destination.arnForObjects('*')] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.encryptionKey.keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } } }),
    ];
    if (replication.destinationKey) statements.push(new iam.PolicyStatement({ actions: ['kms:Encrypt'], resources: [replication.destinationKey.keyArn] }));
    const policy = new iam.Policy(this, 'ReplicationPolicy', { roles: [role], statements });
    acknowledgeWildcards(policy, [
      { resource: this.bucket.arnForObjects('*'), reason: 'S3 replication reads every new object version of the backup bucket: the versions to replicate are not known in advance.' },
      { resource: replication.destination.arnForObjects('*'), reason: 'S3 replication writes the replicas of every backup object into the replica bucket; no delete action is granted.' },
    ]);
  }

  /**
   * Bucket policy and key policy statements for the migration readers. The principal is the other
   * account, narrowed to the named roles by `aws:PrincipalArn`: S3 and KMS reject a policy that
   * names a role that does not exist yet, and this way the two accounts deploy in either order.
   */
  private grantCrossAccountRead(props: BackupBucketProps, readers: readonly string[]): void {
    const accounts = [...new Set(readers.map((arn) => ROLE_ARN.exec(arn)?.[1] as string))];
    const principals = accounts.map((account) => new iam.AccountPrincipal(account));
    const onlyReaders = { ArnEquals: { 'aws:PrincipalArn': [...readers] } };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'MigrationReadersList',
        principals,
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { ...onlyReaders, StringLike: { 's3:prefix': [`${props.prefix}/*`] } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'MigrationReadersGet', principals, actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${props.prefix}/*`)], conditions: onlyReaders }),
    );
    const decrypt = new iam.PolicyStatement({
      sid: 'MigrationReadersDecryptThroughS3',
      principals,
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { ...onlyReaders, StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    });
    const added = props.encryptionKey.addToResourcePolicy(decrypt, true);
    if (!added.statementAdded) {
      Annotations.of(this).addWarningV2(
        'hgbr:ImportedKeyPolicy',
        `The data key is imported, so its key policy cannot be changed here: add this statement to it yourself: ${JSON.stringify(decrypt.toStatementJson())}`,
      );
    }
  }
}

function objectLockRetention(lock: ObjectLockOptions): s3.ObjectLockRetention {
  return lock.mode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance(Duration.days(lock.days)) : s3.ObjectLockRetention.governance(Duration.days(lock.days));
}

/** Every problem at once, at synth time. */
function checkProps(scope: Construct, props: BackupBucketProps): void {
  const problems = bucketProblems(props);
  if (problems.length) throw new Error(`${scope.node.path}: ${problems.join('; ')}`);
}

/** What is wrong with these bucket settings; HugeGraphBackup reports them with its own. */
export function bucketProblems(props: Omit<BackupBucketProps, 'encryptionKey' | 'replication'>): string[] {
  const problems: string[] = [];
  const transitionAfter = props.transitionAfterDays ?? 30;
  const expireAfter = props.expireAfterDays ?? 365;
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(props.prefix)) problems.push(`prefix ${JSON.stringify(props.prefix)} must be a key prefix without leading or trailing slash`);
  if (expireAfter > 0 && transitionAfter > 0 && expireAfter <= transitionAfter) problems.push(`expireAfterDays (${expireAfter}) must be more than transitionAfterDays (${transitionAfter})`);
  if (props.objectLock && !(Number.isInteger(props.objectLock.days) && props.objectLock.days > 0)) problems.push('objectLock.days must be a positive whole number');
  if (props.objectLock && expireAfter > 0 && expireAfter < props.objectLock.days) {
    problems.push(`expireAfterDays (${expireAfter}) is shorter than the Object Lock period (${props.objectLock.days}); lock versions at most as long as backups are kept`);
  }
  for (const arn of props.crossAccountReaders ?? []) if (!ROLE_ARN.test(arn)) problems.push(`crossAccountReaders: ${arn} is not an IAM role ARN`);
  return problems;
}
