import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { HugeGraphBackup, type HugeGraphBackupProps } from '../constructs/hugegraph-backup';
import type { BackupWorkflow } from '../workflows/backup-workflow';
import type { RestoreWorkflow } from '../workflows/restore-workflow';

export interface HgbrStackProps extends StackProps, Omit<HugeGraphBackupProps, 'source'> {
  /**
   * Props that need this stack as their scope (an imported VPC, secret, key or topic): how the app
   * turns the ids in cdk.json into constructs. Merged over the other props.
   */
  readonly imports?: (stack: Stack) => Partial<HugeGraphBackupProps>;
}

/**
 * The hgbr system in one AWS account: backups, restores, schedules, the restore API, alarms.
 * Constructible with no props (infra/workflows/synth.ts does so to extract the state machines for
 * the local runner); the app configures it from cdk.json (infra/config.ts). With
 * `crossAccountReaders` it is also the source side of a migration.
 */
export class HgbrStack extends Stack {
  readonly system: HugeGraphBackup;
  readonly backup: BackupWorkflow;
  readonly restore: RestoreWorkflow;

  constructor(scope: Construct, id: string, props: HgbrStackProps = {}) {
    super(scope, id, props);
    this.system = new HugeGraphBackup(this, 'HugeGraphBackup', { ...props, ...props.imports?.(this) });
    this.backup = this.system.backup as BackupWorkflow;
    this.restore = this.system.restore;
    outputs(this, this.system);
  }
}

/** What an operator (and docs/deployment.md) reads back after a deploy. */
export function outputs(stack: Stack, system: HugeGraphBackup): void {
  new CfnOutput(stack, 'BucketName', { value: system.bucket.bucketName, description: 'Bucket of the backups (and of the restore state)' });
  new CfnOutput(stack, 'DataKeyArn', { value: system.dataKey.keyArn, description: 'KMS key of the bucket; a migration target needs it' });
  new CfnOutput(stack, 'BackupRoot', { value: system.backupRoot, description: 'Where backups are read from' });
  if (system.backup) new CfnOutput(stack, 'BackupStateMachineArn', { value: system.backup.stateMachine.stateMachineArn });
  new CfnOutput(stack, 'RestoreStateMachineArn', { value: system.restore.stateMachine.stateMachineArn });
  new CfnOutput(stack, 'RestoreRoleArn', { value: system.restoreRole.roleArn });
  if (system.api) new CfnOutput(stack, 'ApiUrl', { value: system.api.api.url, description: 'Base URL of the restore API (IAM auth)' });
  new CfnOutput(stack, 'CredentialsSecrets', {
    value: stack.toJsonString(system.secrets.map((s) => ({ url: s.url, ...(s.graph ? { graph: s.graph } : {}), secretArn: s.secret.secretArn }))),
    description: 'The secret of each HugeGraph server (or graph): put {"username","password"} into each',
  });
  new CfnOutput(stack, 'AlarmTopicArn', { value: system.operations.topic.topicArn });
}
