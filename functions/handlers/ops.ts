/**
 * Lambda entry points of the operations side (infra/constructs/operations.ts):
 * - backupEnded / restoreEnded: the EventBridge rule on FAILED, TIMED_OUT and ABORTED executions
 *   runs the clean-up that no Catch ran for them (lock release and partial files; mode reset).
 * - checkGraphModes: every few minutes, publishes which watched graphs were left in a restore mode.
 * - checkBackupFreshness: on a schedule and after each backup, publishes the age of each scheduled
 *   graph's newest complete backup.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { cleanUpEndedExecution } from '../backup/abort';
import type { BackupRequest } from '../backup/types';
import type { GraphRef } from '../workflow/graph-ref';
import { checkGraphModes as check, graphKey, GraphModesUnreadableError, MODE_METRICS, modeMetricData } from '../ops/graph-modes';
import { parseEndedExecution, requireFields, UnusableEventError, type ExecutionStatusChangeEvent } from '../ops/ended-execution';
import { BackupsUnreadableError, backupFolderOf, checkFreshness, FRESHNESS_METRICS, freshnessMetricData, type WatchedBackups } from '../ops/freshness';
import { cleanUpEndedRestore } from '../restore/abort';
import type { RestoreRequest } from '../restore/types';
import { awsRuntime } from './aws-runtime';
import { logger, logMessages } from './lambda';

/** Environment of checkGraphModes and checkBackupFreshness; set by infra/constructs/hugegraph-backup.ts. */
export const OPS_ENV = { watchedGraphs: 'WATCHED_GRAPHS', restoreStateMachineArn: 'RESTORE_STATE_MACHINE_ARN', watchedBackups: 'WATCHED_BACKUPS' } as const;

const runtime = awsRuntime(logMessages());

export async function backupEnded(event: ExecutionStatusChangeEvent) {
  return cleanUp(event, 'backup request', ['location', 'server.url', 'server.graph'], (input: BackupRequest, arn) => cleanUpEndedExecution(runtime, input, arn));
}

export async function restoreEnded(event: ExecutionStatusChangeEvent) {
  return cleanUp(event, 'restore request', ['source', 'target.url', 'target.graph'], (input: RestoreRequest, arn) => cleanUpEndedRestore(runtime, input, arn));
}

/**
 * An event this function cannot act on is logged and dropped (a retry would not change it); a
 * clean-up that fails throws, so Lambda retries it and then sends it to the dead-letter queue.
 */
async function cleanUp<T>(event: ExecutionStatusChangeEvent, what: string, fields: string[], run: (input: T, executionArn: string) => Promise<unknown>) {
  let executionArn: string;
  let input: T;
  try {
    const ended = parseEndedExecution(event);
    executionArn = ended.executionArn;
    input = requireFields<T>(ended.input, fields, what);
  } catch (error) {
    if (!(error instanceof UnusableEventError)) throw error;
    logger.warn('event skipped', { reason: error.message });
    return { skipped: true };
  }
  const result = await run(input, executionArn);
  logger.info('clean-up done', { executionArn, status: event.detail?.status, result });
  return result;
}

let sfn: SFNClient | undefined;
let cloudwatch: CloudWatchClient | undefined;

export async function checkGraphModes() {
  const graphs = JSON.parse(process.env[OPS_ENV.watchedGraphs] ?? '[]') as GraphRef[];
  const stateMachineArn = process.env[OPS_ENV.restoreStateMachineArn];
  sfn ??= new SFNClient({});
  cloudwatch ??= new CloudWatchClient({});
  const checks = await check({
    graphs,
    getMode: async (graph) => (await runtime.connect(graph)).getMode(),
    runningRestoreTargets: async () => (stateMachineArn ? runningTargets(sfn as SFNClient, stateMachineArn) : []),
  });
  const data = modeMetricData(checks, runtime.now());
  if (data.length) await cloudwatch.send(new PutMetricDataCommand({ Namespace: MODE_METRICS.namespace, MetricData: data }));
  const report = checks.map((c) => ({ graph: graphKey(c.graph), mode: c.mode, leftInMode: c.leftInMode, error: c.error }));
  logger.info('graph modes checked', { graphs: report });
  const failed = checks.filter((c) => c.error !== undefined);
  // Fail the invocation so the function's Errors alarm says that some graph could not be checked.
  if (failed.length) throw new GraphModesUnreadableError(failed);
  return report;
}

export async function checkBackupFreshness() {
  const watched = JSON.parse(process.env[OPS_ENV.watchedBackups] ?? '[]') as WatchedBackups[];
  cloudwatch ??= new CloudWatchClient({});
  const now = runtime.now();
  const checks = await checkFreshness(watched, runtime.storage, now);
  const data = freshnessMetricData(checks, now);
  if (data.length) await cloudwatch.send(new PutMetricDataCommand({ Namespace: FRESHNESS_METRICS.namespace, MetricData: data }));
  const report = checks.map((c) => ({ backups: backupFolderOf(c.watched), newestBackupId: c.newestBackupId, ageMinutes: c.ageMinutes, maxAgeMinutes: c.watched.maxAgeMinutes, error: c.error }));
  logger.info('backup freshness checked', { backups: report });
  const failed = checks.filter((c) => c.error !== undefined);
  // Fail the invocation so the function's Errors alarm says that some backups could not be listed.
  if (failed.length) throw new BackupsUnreadableError(failed.map((c) => `${backupFolderOf(c.watched)} (${c.error})`));
  return report;
}

async function runningTargets(client: SFNClient, stateMachineArn: string): Promise<GraphRef[]> {
  const targets: GraphRef[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', nextToken }));
    for (const execution of page.executions ?? []) {
      const described = await client.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
      try {
        const target = (JSON.parse(described.input ?? '{}') as Partial<RestoreRequest>).target;
        if (target?.url && target.graph) targets.push(target);
      } catch {
        // an unreadable input cannot own a graph
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return targets;
}
