import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { withTransientRetry } from './backup-workflow';
import { RESTORE_FILE_MAPS, RESTORE_TASKS, type RestoreTaskName } from '../../functions/workflow/task-names';

export interface RestoreWorkflowProps {
  readonly functions: Record<RestoreTaskName, lambda.IFunction>;
  /** Files restored at once (Distributed Map children); each posts a few batches at a time. */
  readonly fileConcurrency?: number;
  /** Files one child restores, one after the other. One keeps every child busy in parallel. */
  readonly filesPerBatch?: number;
  readonly logGroup?: logs.ILogGroup;
  readonly tracing?: boolean;
}

/**
 * The restore state machine, defined once for CDK, the local runner and the tests.
 *
 *   Plan ─► Body[ Prepare (mode, schema) ─► RestoreVertices (Distributed Map over the vertex files)
 *                 ─► RestoreEdges (Distributed Map over the edge files) ─► Verify ─► Finish ]
 *              └─ on any error ─► ResetMode ─► Failed
 *
 * Plan checks everything before anything is written (manifest, checksums of the schema, target
 * empty or schema compatible) and writes the work lists that the Distributed Maps read from S3, so
 * state carries pointers only. The mode is put back by Finish, by ResetMode on any caught error,
 * and, for aborts and time-outs that no Catch sees, by the EventBridge rule of the stack.
 */
export class RestoreWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RestoreWorkflowProps) {
    super(scope, id);
    const invoke = (name: RestoreTaskName, taskProps: Partial<tasks.LambdaInvokeProps> = {}) =>
      withTransientRetry(new tasks.LambdaInvoke(this, name, { lambdaFunction: props.functions[name], payloadResponseOnly: true, ...taskProps }));

    const plan = invoke(RESTORE_TASKS.plan, { resultPath: '$.plan' });
    plan.addCatch(new sfn.Fail(this, 'PlanFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' }), {
      errors: ['States.ALL'],
      resultPath: '$.error',
    });

    const jobOnly = sfn.TaskInput.fromObject({ 'job.$': '$.plan.job' });
    const prepare = invoke(RESTORE_TASKS.prepare, { payload: jobOnly, resultPath: sfn.JsonPath.DISCARD });
    const restoreVertices = this.restoreFiles(RESTORE_FILE_MAPS.vertices, 'vertexKey', invoke(RESTORE_TASKS.restoreVertexFiles), props);
    const restoreEdges = this.restoreFiles(RESTORE_FILE_MAPS.edges, 'edgeKey', invoke(RESTORE_TASKS.restoreEdgeFiles), props);
    const verify = invoke(RESTORE_TASKS.verify, { payload: jobOnly, resultPath: '$.verified' });
    const finish = invoke(RESTORE_TASKS.finish, {
      payload: sfn.TaskInput.fromObject({ 'job.$': '$.plan.job', 'verified.$': '$.verified' }),
      resultPath: '$.result',
    });

    const body = new sfn.Parallel(this, 'Body', { outputPath: '$[0].result' });
    body.branch(prepare.next(restoreVertices).next(restoreEdges).next(verify).next(finish));

    const reset = invoke(RESTORE_TASKS.reset, {
      payload: sfn.TaskInput.fromObject({ 'job.$': '$.plan.job', 'error.$': '$.error' }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const failed = new sfn.Fail(this, 'RestoreFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    body.addCatch(reset.next(failed), { errors: ['States.ALL'], resultPath: '$.error' });

    const start = new sfn.Pass(this, 'Start', { parameters: { 'request.$': '$', 'executionId.$': '$$.Execution.Id' } });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(start.next(plan).next(body)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.hours(24),
      tracingEnabled: props.tracing ?? true,
      logs: props.logGroup ? { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false } : undefined,
    });
  }

  /**
   * A Distributed Map over one kind's files: the work list is a JSON array in S3 written by Plan,
   * children get `filesPerBatch` files each plus the job, and their results go to S3, not to state.
   */
  private restoreFiles(id: string, itemsKey: 'vertexKey' | 'edgeKey', task: tasks.LambdaInvoke, props: RestoreWorkflowProps): sfn.DistributedMap {
    const map = new sfn.DistributedMap(this, id, {
      itemReader: new sfn.S3JsonItemReader({
        bucketNamePath: sfn.JsonPath.stringAt('$.plan.items.bucket'),
        key: sfn.JsonPath.stringAt(`$.plan.items.${itemsKey}`),
      }),
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: props.filesPerBatch ?? 1,
        batchInput: { 'job.$': '$.plan.job' },
      }),
      maxConcurrency: props.fileConcurrency ?? 4,
      toleratedFailurePercentage: 0,
      resultWriterV2: new sfn.ResultWriterV2({
        bucketNamePath: sfn.JsonPath.stringAt('$.plan.items.bucket'),
        prefix: sfn.JsonPath.stringAt('$.plan.items.resultsPrefix'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    map.itemProcessor(task);
    return map;
  }
}
