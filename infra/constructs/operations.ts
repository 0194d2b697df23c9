import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FRESHNESS_METRICS, MODE_METRICS } from '../../functions/ops/metric-names';
import { acknowledge, acknowledgeServerless } from './nag';

export interface OperationsProps {
  /** Encrypts the alarm topic. */
  readonly encryptionKey: kms.IKey;
  /** Publish alarms to this topic instead of a new one. */
  readonly alarmTopic?: sns.ITopic;
  /** Subscribe this address to the new alarm topic. @default none */
  readonly alarmEmail?: string;
}

/** Execution statuses no Catch sees the end of: the clean-up rule reacts to these. */
export const ENDED_UNCLEAN = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * What tells a person that something needs them, and what cleans up when a run ends badly:
 * alarms to one SNS topic, the execution-status rules, the graph-mode watch.
 * Every alarm's description says what it means and what to do (docs/deployment.md has more).
 */
export class Operations extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Dead letters of the operations side: clean-ups that kept failing, undeliverable events. */
  readonly deadLetters: sqs.Queue;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    if (props.alarmTopic) this.topic = props.alarmTopic;
    else {
      const topic = new sns.Topic(this, 'Alarms', { displayName: 'hgbr alarms', masterKey: props.encryptionKey, enforceSSL: true });
      if (props.alarmEmail) {
        // An alarm that SNS cannot deliver (address bouncing, throttled) is kept here rather than lost.
        const undelivered = deadLetterQueue(this, 'UndeliveredAlarms', 'alarm notifications SNS could not deliver to the subscription');
        topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }));
      }
      this.topic = topic;
    }
    this.action = new actions.SnsAction(this.topic);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters', 'events and clean-ups of the execution-status rules');
    this.alarmOnQueue(
      'OpsDeadLetters',
      this.deadLetters,
      'A clean-up after a failed, timed-out or aborted execution kept failing (or its event could not be delivered). Read the message, fix the cause (server reachable? secret right?), then reset the graph mode (hgbr mode set … --mode NONE) or release the backup lock by hand.',
    );
  }

  /** ExecutionsFailed, ExecutionsTimedOut and ExecutionsAborted of one state machine. */
  alarmOnWorkflow(label: string, stateMachine: sfn.StateMachine, whatToDo: string): void {
    const period = Duration.minutes(5);
    const what = label.toLowerCase();
    this.alarm(`${label}ExecutionsFailed`, stateMachine.metricFailed({ period, statistic: 'Sum' }), `A ${what} execution failed. ${whatToDo}`);
    this.alarm(`${label}ExecutionsTimedOut`, stateMachine.metricTimedOut({ period, statistic: 'Sum' }), `A ${what} execution hit the state machine's time-out. ${whatToDo}`);
    this.alarm(
      `${label}ExecutionsAborted`,
      stateMachine.metricAborted({ period, statistic: 'Sum' }),
      `A ${what} execution was stopped (StopExecution, a redeploy, a quota). The clean-up rule ran what no Catch ran; check that it succeeded (no ${label}CleanUpErrors alarm), and start the ${what} again if it was not meant to stop.`,
    );
  }

  /**
   * Throttles of these Lambdas: a throttled task is retried by Step Functions, but sustained
   * throttling stretches a backup past its window. One alarm per 10 functions (a metric-math limit).
   */
  alarmOnThrottles(functions: readonly lambda.IFunction[]): void {
    for (let i = 0; i < functions.length; i += 10) {
      const group = functions.slice(i, i + 10);
      const usingMetrics = Object.fromEntries(group.map((fn, j) => [`t${j}`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' })]));
      const metric = new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, label: 'Throttled invocations', period: Duration.minutes(5) });
      this.alarm(
        `LambdaThrottles${i / 10 + 1}`,
        metric,
        'hgbr Lambdas were throttled: the account or a reserved concurrency is exhausted. Step Functions retries the task, but backups and restores slow down. Raise the concurrency quota or the reserved concurrency, or lower concurrency.exports / concurrency.files.',
      );
    }
  }

  /**
   * An EventBridge rule on "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED)
   * of one state machine → a Lambda that runs the same clean-up as the machine's Catch path, from
   * the execution's input in the event. Covers what no Catch sees: aborts, time-outs, runtime errors.
   */
  cleanUpAfter(label: string, stateMachine: sfn.IStateMachine, cleanUp: lambda.IFunction): events.Rule {
    const rule = new events.Rule(this, `${label}EndedRule`, {
      description: `hgbr: clean up after ${label.toLowerCase()} executions that ended FAILED, TIMED_OUT or ABORTED`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...ENDED_UNCLEAN], stateMachineArn: [stateMachine.stateMachineArn] },
      },
    });
    rule.addTarget(new targets.LambdaFunction(cleanUp, { deadLetterQueue: this.deadLetters, retryAttempts: 4, maxEventAge: Duration.hours(6) }));
    this.alarmOnErrors(`${label}CleanUp`, cleanUp, `The clean-up after a ${label.toLowerCase()} execution failed; it is retried, then lands in the ops dead-letter queue. Read the function's log.`);
    return rule;
  }

  /** The mode check runs every `interval`; the alarm fires when a graph stays left in a restore mode for two checks. */
  watchGraphModes(check: lambda.IFunction, interval: Duration): void {
    new events.Rule(this, 'GraphModeSchedule', {
      description: 'hgbr: read the mode of every watched graph and publish GraphLeftInRestoreMode',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(check, { deadLetterQueue: this.deadLetters, retryAttempts: 0 })],
    });
    const metric = new cloudwatch.Metric({ namespace: MODE_METRICS.namespace, metricName: MODE_METRICS.leftInMode, statistic: 'Maximum', period: interval });
    this.alarm(
      'GraphLeftInRestoreMode',
      metric,
      'A watched graph is in RESTORING or MERGING mode and no restore execution targets it: the reset after a restore did not happen, and the graph refuses ordinary writes. Find the graph (metric dimension Graph), make sure nothing restores into it, then run: hgbr mode set --server URL --graph G --mode NONE.',
      2,
    );
    this.alarmOnErrors('GraphModeCheck', check, 'The graph-mode check could not read the mode of some graph (server down, credentials wrong, network). Read the function log.');
  }

  /**
   * The recovery-point check runs every `interval` and after each successful backup; one alarm per
   * scheduled graph fires when its newest complete backup is older than its schedule allows, and
   * when the metric stops coming (treated as breaching: a check that no longer runs is no all-clear).
   */
  watchBackupFreshness(check: lambda.IFunction, interval: Duration, backupMachine: sfn.IStateMachine, watched: readonly { folder: string; graph: string; maxAgeMinutes: number }[]): void {
    new events.Rule(this, 'BackupFreshnessSchedule', {
      description: 'hgbr: publish the age of the newest complete backup of every scheduled graph',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(check, { deadLetterQueue: this.deadLetters, retryAttempts: 0 })],
    });
    new events.Rule(this, 'BackupSucceededRule', {
      description: "hgbr: publish the backups' age again as soon as a backup succeeds",
      eventPattern: { source: ['aws.states'], detailType: ['Step Functions Execution Status Change'], detail: { status: ['SUCCEEDED'], stateMachineArn: [backupMachine.stateMachineArn] } },
      targets: [new targets.LambdaFunction(check, { deadLetterQueue: this.deadLetters, retryAttempts: 2 })],
    });
    for (const w of watched) {
      const metric = new cloudwatch.Metric({
        namespace: FRESHNESS_METRICS.namespace,
        metricName: FRESHNESS_METRICS.backupAge,
        dimensionsMap: { [FRESHNESS_METRICS.dimension]: w.folder },
        statistic: 'Maximum',
        period: interval,
      });
      const alarm = new cloudwatch.Alarm(this, `BackupTooOld${w.graph}`, {
        alarmDescription: `The newest complete backup of graph ${w.graph} is older than ${w.maxAgeMinutes} minutes (1.5 × its schedule's longest interval), or the check stopped reporting: backups have stopped. Look for failed, aborted or missing executions of the backup machine and for the schedule's dead letters.`,
        metric,
        threshold: w.maxAgeMinutes,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      alarm.addAlarmAction(this.action);
      this.alarms.push(alarm);
    }
    this.alarmOnErrors('BackupFreshnessCheck', check, "The backup freshness check could not list some graph's backups (role, bucket). Read the function log.");
  }

  alarmOnErrors(label: string, fn: lambda.IFunction, description: string): void {
    this.alarm(`${label}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), description);
  }

  alarmOnQueue(label: string, queue: sqs.IQueue, description: string): void {
    this.alarm(label, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), description);
  }

  private alarm(id: string, metric: cloudwatch.IMetric, description: string, evaluationPeriods = 1): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
  }
}

/** An encrypted, TLS-only queue that holds what could not be delivered; kept 14 days. */
export function deadLetterQueue(scope: Construct, id: string, what: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  acknowledge(queue, 'SQS3', `This queue is itself a dead-letter queue (${what}); it needs none of its own.`);
  acknowledgeServerless(queue, 'SQSRedrivePolicy', `This queue is itself a dead-letter queue (${what}); it redrives nowhere.`);
  return queue;
}
