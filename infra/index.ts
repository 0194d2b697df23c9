/**
 * hgbr as a CDK construct library: `import { HugeGraphBackup } from 'hgbr'` in an existing CDK app.
 * The Lambdas deploy the bundles prebuilt into this package (dist/lambda-bundles); nothing of the
 * app's own lock file or layout is read. See docs/deployment.md.
 */
export {
  HugeGraphBackup,
  DEFAULT_SCHEDULED_SERVER_WAIT,
  RESTORE_PLAN_MEMORY_MB,
  type BackedUpGraph,
  type BackupSource,
  type ConcurrencyOptions,
  type FunctionOverrides,
  type GraphEndpoint,
  type HugeGraphBackupProps,
  type NetworkOptions,
  type RestoreApiOptions,
} from './constructs/hugegraph-backup';
export type { ServerWait } from '../functions/backup/types';
export { BackupBucket, type BackupBucketProps, type ObjectLockOptions } from './constructs/backup-bucket';
export { HgbrStack, type HgbrStackProps } from './stacks/hgbr-stack';
export { HgbrRestoreStack, type HgbrRestoreStackProps } from './stacks/hgbr-restore-stack';
export { BackupWorkflow, type BackupWorkflowProps } from './workflows/backup-workflow';
export { RestoreWorkflow, type RestoreWorkflowProps } from './workflows/restore-workflow';
