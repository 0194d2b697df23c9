import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { HugeGraphBackup, type BackupSource, type HugeGraphBackupProps } from '../constructs/hugegraph-backup';
import type { RestoreWorkflow } from '../workflows/restore-workflow';
import { outputs } from './hgbr-stack';

export interface HgbrRestoreStackProps extends StackProps, Omit<HugeGraphBackupProps, 'source' | 'crossAccountReaders'> {
  /** The other account's backups: bucket, key ARN and prefix (the source stack's outputs). */
  readonly source: BackupSource;
  /** As HgbrStackProps.imports. */
  readonly imports?: (stack: Stack) => Partial<HugeGraphBackupProps>;
}

/**
 * The target side of a migration across accounts: the restore workflow, its API and alarms, whose
 * restore and API roles read the source account's bucket and decrypt with its key. The source stack
 * (HgbrStack with `crossAccountReaders` naming these roles) grants exactly that; nothing is backed
 * up here. Give `roleNames` so the source can name the roles before they exist.
 */
export class HgbrRestoreStack extends Stack {
  readonly system: HugeGraphBackup;
  readonly restore: RestoreWorkflow;

  constructor(scope: Construct, id: string, props: HgbrRestoreStackProps) {
    super(scope, id, props);
    this.system = new HugeGraphBackup(this, 'HugeGraphBackup', { ...props, ...props.imports?.(this) });
    this.restore = this.system.restore;
    outputs(this, this.system);
  }
}
