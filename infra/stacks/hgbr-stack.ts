import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackupWorkflow } from '../workflows/backup-workflow';
import { RestoreWorkflow } from '../workflows/restore-workflow';
import { BACKUP_TASKS, RESTORE_TASKS } from '../workflows/task-names';
import { handlerFunction } from '../workflows/workflow-functions';

export interface HgbrStackProps extends StackProps {
  /** Labels exported in parallel by one backup. */
  readonly labelConcurrency?: number;
}

/** The hgbr system in one AWS account: the workflows and the Lambdas behind them. */
export class HgbrStack extends Stack {
  readonly backup: BackupWorkflow;
  readonly restore: RestoreWorkflow;

  constructor(scope: Construct, id: string, props: HgbrStackProps = {}) {
    super(scope, id, props);
    const plan = handlerFunction(this, 'BackupPlanFunction', { entry: 'backup', handler: 'plan' });
    const exportChunk = handlerFunction(this, 'BackupExportFunction', { entry: 'backup', handler: 'exportChunk' });
    const finalize = handlerFunction(this, 'BackupFinalizeFunction', { entry: 'backup', handler: 'finalize' });
    const abort = handlerFunction(this, 'BackupAbortFunction', { entry: 'backup', handler: 'abort' });
    this.backup = new BackupWorkflow(this, 'Backup', {
      functions: {
        [BACKUP_TASKS.plan]: plan,
        [BACKUP_TASKS.exportVertexChunk]: exportChunk,
        [BACKUP_TASKS.exportEdgeChunk]: exportChunk,
        [BACKUP_TASKS.finalize]: finalize,
        [BACKUP_TASKS.abort]: abort,
      },
      labelConcurrency: props.labelConcurrency,
    });

    const restorePlan = handlerFunction(this, 'RestorePlanFunction', { entry: 'restore', handler: 'plan' });
    const prepare = handlerFunction(this, 'RestorePrepareFunction', { entry: 'restore', handler: 'prepare' });
    const restoreFiles = handlerFunction(this, 'RestoreFilesFunction', { entry: 'restore', handler: 'restoreFiles' });
    const verify = handlerFunction(this, 'RestoreVerifyFunction', { entry: 'restore', handler: 'verify' });
    const finish = handlerFunction(this, 'RestoreFinishFunction', { entry: 'restore', handler: 'finish' });
    const reset = handlerFunction(this, 'RestoreResetFunction', { entry: 'restore', handler: 'reset' });
    this.restore = new RestoreWorkflow(this, 'Restore', {
      functions: {
        [RESTORE_TASKS.plan]: restorePlan,
        [RESTORE_TASKS.prepare]: prepare,
        [RESTORE_TASKS.restoreVertexFiles]: restoreFiles,
        [RESTORE_TASKS.restoreEdgeFiles]: restoreFiles,
        [RESTORE_TASKS.verify]: verify,
        [RESTORE_TASKS.finish]: finish,
        [RESTORE_TASKS.reset]: reset,
      },
    });
  }
}
