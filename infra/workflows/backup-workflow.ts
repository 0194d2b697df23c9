import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ServerUnreachableError, TRANSIENT_SERVICE_ERRORS, TRANSIENT_TASK_ERRORS } from '../../functions/workflow/errors';
import { BACKUP_EXPORT_MAP, BACKUP_TASKS, type BackupTaskName } from '../../functions/workflow/task-names';

export interface BackupWorkflowProps {
  /** One Lambda per task; the local runner maps the same task names to in-process handlers. */
  readonly functions: Record<BackupTaskName, lambda.IFunction>;
  /** Work items (key ranges or labels) exported at once. Bounded by what the HugeGraph server serves without "too busy". @default 4 */
  readonly exportConcurrency?: number;
  readonly logGroup?: logs.ILogGroup;
  readonly tracing?: boolean;
}

/**
 * The backup state machine, defined once. CDK deploys it; the local runner executes the very ASL
 * CDK synthesizes from it.
 *
 *   Plan ─► Body[ Export (Distributed Map over the work list: chunk loop per item)
 *    ▲  │           ─► Finalize (manifest) ─► ApplyRetention (old backups, lock) ]
 *    │  │         └─ on any error ─► Abort (delete partial files, release lock) ─► Failed
 *    │  └─ server unreachable ─► attempts of request.waitForServer left? ─ no ─► PlanFailed
 *    └───── WaitForServer (delaySeconds) ◄─ yes ┘
 *
 * Plan writes the work list (key ranges, or labels) to the backup's work folder and the Distributed
 * Map reads it from there, so neither the number of labels nor of ranges counts against the state
 * size or the parent's history: each item is a child execution of its own. Every export chunk
 * pages until its time budget is nearly spent and returns a cursor, so an item of any size costs
 * a handful of history events per Lambda invocation, not per page.
 */
export class BackupWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: BackupWorkflowProps) {
    super(scope, id);
    const invoke = (name: BackupTaskName, taskProps: Partial<tasks.LambdaInvokeProps> = {}) =>
      withTransientRetry(
        new tasks.LambdaInvoke(this, name, {
          lambdaFunction: props.functions[name],
          payloadResponseOnly: true,
          ...taskProps,
        }),
      );

    const plan = invoke(BACKUP_TASKS.plan, { resultPath: '$.plan' });
    const planFailed = new sfn.Fail(this, 'PlanFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    plan.addCatch(this.waitForServer(plan, planFailed), { errors: [ServerUnreachableError.code], resultPath: '$.error' });
    plan.addCatch(planFailed, { errors: ['States.ALL'], resultPath: '$.error' });

    const exportItems = this.exportItems(invoke(BACKUP_TASKS.exportChunk, { resultPath: '$.cursor' }), props);
    const finalize = invoke(BACKUP_TASKS.finalize, { payload: sfn.TaskInput.fromObject({ 'job.$': '$.plan.job' }), resultPath: '$.result' });
    const retention = invoke(BACKUP_TASKS.retention, {
      payload: sfn.TaskInput.fromObject({ 'job.$': '$.plan.job', 'summary.$': '$.result' }),
      resultPath: '$.result',
    });

    const body = new sfn.Parallel(this, 'Body', { outputPath: '$[0].result' });
    body.branch(exportItems.next(finalize).next(retention));

    const abort = invoke(BACKUP_TASKS.abort, {
      payload: sfn.TaskInput.fromObject({ 'job.$': '$.plan.job', 'error.$': '$.error' }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const failed = new sfn.Fail(this, 'BackupFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    body.addCatch(abort.next(failed), { errors: ['States.ALL'], resultPath: '$.error' });

    const start = new sfn.Pass(this, 'Start', { parameters: { 'request.$': '$', 'executionId.$': '$$.Execution.Id', serverWaits: { count: 0 } } });
    const definition = start.next(plan).next(body);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.hours(24),
      tracingEnabled: props.tracing ?? true,
      logs: props.logGroup ? { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false } : undefined,
    });
  }

  /**
   * Where Plan goes when the server cannot be reached: with `request.waitForServer`, it waits
   * `delaySeconds` and plans again, up to `attempts` times (a scheduled backup that meets a server
   * restart); without it, or once they are spent, the backup fails. Plan connects before it takes
   * the lock or writes anything, so a wait leaves nothing behind.
   */
  private waitForServer(plan: sfn.State, planFailed: sfn.Fail): sfn.Chain {
    const wait = new sfn.Wait(this, 'WaitForServer', { time: sfn.WaitTime.secondsPath('$.request.waitForServer.delaySeconds') });
    // The state as Start made it, one wait more: the caught error is not carried into the next Plan.
    const count = new sfn.Pass(this, 'CountServerWait', {
      parameters: {
        'request.$': '$.request',
        'executionId.$': '$.executionId',
        serverWaits: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.serverWaits.count'), 1) },
      },
    });
    // Two Choices, not one And: a comparison with a path that is absent fails the execution.
    const waitsLeft = new sfn.Choice(this, 'ServerWaitsLeft')
      .when(sfn.Condition.numberLessThanJsonPath('$.serverWaits.count', '$.request.waitForServer.attempts'), count.next(wait).next(plan))
      .otherwise(planFailed);
    return sfn.Chain.start(new sfn.Choice(this, 'WaitForServerAsked').when(sfn.Condition.isPresent('$.request.waitForServer'), waitsLeft).otherwise(planFailed));
  }

  /**
   * A Distributed Map over the work list Plan wrote; each child loops export chunks until its
   * item's cursor says done. Results (final cursors) go to the work folder, not to state.
   */
  private exportItems(chunk: tasks.LambdaInvoke, props: BackupWorkflowProps): sfn.DistributedMap {
    const map = new sfn.DistributedMap(this, BACKUP_EXPORT_MAP, {
      itemReader: new sfn.S3JsonItemReader({
        bucketNamePath: sfn.JsonPath.stringAt('$.plan.items.bucket'),
        key: sfn.JsonPath.stringAt('$.plan.items.key'),
      }),
      // A first cursor is an empty page token: CDK drops null values from an itemSelector.
      itemSelector: {
        'job.$': '$.plan.job',
        'work.$': '$$.Map.Item.Value',
        cursor: { page: '', lastId: '', fileSeq: 1, elements: 0, done: false },
      },
      maxConcurrency: props.exportConcurrency ?? 4,
      toleratedFailurePercentage: 0,
      resultWriterV2: new sfn.ResultWriterV2({
        bucketNamePath: sfn.JsonPath.stringAt('$.plan.items.bucket'),
        prefix: sfn.JsonPath.stringAt('$.plan.items.resultsPrefix'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const itemDone = new sfn.Succeed(this, 'ItemDone');
    const more = new sfn.Choice(this, 'MorePages').when(sfn.Condition.booleanEquals('$.cursor.done', true), itemDone).otherwise(chunk);
    map.itemProcessor(chunk.next(more));
    return map;
  }
}

/**
 * Transient errors (the task error classes marked so, and Lambda throttling) are retried with
 * jittered backoff; all others fail fast.
 */
export function withTransientRetry<T extends sfn.TaskStateBase>(task: T): T {
  task.addRetry({
    errors: [...TRANSIENT_TASK_ERRORS, ...TRANSIENT_SERVICE_ERRORS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 5,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
