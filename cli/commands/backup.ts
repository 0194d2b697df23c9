import { BACKUP_TYPES, type BackupRequest, DEFAULT_BACKUP_TYPES, type BackupSummary, READ_PATHS, serverWaitProblems } from '../../functions/backup/types';
import { credentialsFrom, optionalChoice, optionalInt, optionalList, optionalTypes, parseCommandArgs, required, serverUrl } from '../args';
import { localRuntime } from '../local-runtime';
import { backupProgress } from '../progress';
import { EXIT_FAILED, EXIT_OK, showHelp, type Command } from '../command';
import { usageError, WorkflowAbortedError } from '../errors';
import { HgbrError } from '../../functions/errors';
import { HugeGraphClient } from '../../functions/hugegraph';
import { formatBytes, formatDuration, type Output } from '../output';
import { withSignals } from '../signals';
import { runRemoteWorkflow } from '../remote';
import { runBackupLocally } from '../workflows';
import { backupLockKey, DEFAULT_GRAPHSPACE, graphFolder, namedGraphspace } from '../../functions/backup/layout';
import { openStorage } from '../../functions/storage/open';

export const HELP = `usage: hgbr backup --server URL (--graph G | --all-graphs) --to ROOT [options]

  --server URL        HugeGraph server, e.g. http://127.0.0.1:8080
  --graph G           graph to back up
  --all-graphs        every graph of the server that the user may read (from 1.7.0: of every
                      graph space it lists, or of --graphspace only), one after the other: one backup per graph, each with its own manifest and
                      lock. A graph that fails does not stop the others; exit status 0 only
                      when every graph was backed up
  --to ROOT           backup root: a folder, file:///path or s3://bucket/prefix
                      (S3 endpoint from AWS_ENDPOINT_URL_S3 for S3-compatible servers)
  --types T,…         what to back up: schema, vertices, edges, variables (all four: all, the
                      default), auth (the server's users, groups, targets, belongs, accesses;
                      needs an administrator), config (the graph's properties file as
                      GET …/conf gives it, secret values withheld; needs an administrator
                      where auth is on; never restored); as hugegraph-tools' -t, plus the
                      graph's variables. The schema is always backed up: --types schema is a
                      schema-only backup. The manifest says what the backup holds.
  --labels a,b        only these vertex / edge labels (the schema is always complete)
  --check-writes      have the server count every label before and after the export (two
                      server-side passes, no data sent) and record both in the manifest:
                      list and verify then show whether the graph was written meanwhile
  --read-path P       scan: the server's key ranges, every element once, several workers on one
                      label, labels without a label index too (default); label: page each label
                      (the default with --labels)
  --workers N         work items (key ranges, or labels) exported at once (default 4)
  --keep N            keep the N most recent complete backups of the graph, delete older ones
  --page-size N       elements per page read from the server (default 5000)
  --compression-level N   DEFLATE level of the data files, 0 (none) to 9 (smallest); default 1,
                      the fastest: level 6 makes files ~15% smaller for ~3x the CPU
  --wait-for-server NxS   when the server cannot be reached at the start, try again N times,
                      S seconds apart, before failing (e.g. 3x600, for a nightly run that may
                      meet a server restart); nothing is written before the server answers.
                      N×S at most 6 hours; not with --all-graphs. Default: fail at once
  --graphspace GS     graphspace (servers 1.7.0 and later; default DEFAULT)
  --user U --password P   or HUGEGRAPH_USERNAME / HUGEGRAPH_PASSWORD
  --remote ARN        start the deployed backup state machine (client-sfn, the ARN's region,
                      AWS_ENDPOINT_URL_SFN when set) instead of running here, and wait for it;
                      --to must then be s3://, and the stack's secret holds the credentials
  --json              print one JSON object with the outcome

The backup is written to ROOT/G/<backupId>/ (ROOT/_graphspaces/GS/G/<backupId>/ for a graph of a
graph space other than DEFAULT) and is complete once manifest.json is there.
Exit status 0 only for a complete backup.`;

/** The command's own options (the common ones are in cli/args.ts). */
export const OPTIONS = {
  server: { type: 'string' },
  graph: { type: 'string' },
  'all-graphs': { type: 'boolean' },
  to: { type: 'string' },
  types: { type: 'string', short: 't' },
  labels: { type: 'string' },
  'check-writes': { type: 'boolean' },
  keep: { type: 'string' },
  'page-size': { type: 'string' },
  'compression-level': { type: 'string' },
  'read-path': { type: 'string' },
  workers: { type: 'string' },
  'wait-for-server': { type: 'string' },
  remote: { type: 'string' },
} as const;

export const backupCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('backup', argv, OPTIONS);
  if (values.help) return showHelp(output, HELP);
  const allGraphs = values['all-graphs'] === true;
  if (allGraphs && values.graph !== undefined) throw usageError('backup', 'give --graph or --all-graphs, not both');
  if (allGraphs && values.remote !== undefined) throw usageError('backup', '--all-graphs runs here; start one --remote backup per graph');
  // The graphs are listed from the server before any backup starts: with the server away, that fails before any wait.
  if (allGraphs && values['wait-for-server'] !== undefined)
    throw usageError('backup', '--wait-for-server waits at the start of one backup; with --all-graphs the graphs are listed first: give --graph per backup');
  const request: BackupRequest = {
    server: { url: serverUrl('backup', values, 'server'), graph: allGraphs ? '' : required('backup', values, 'graph'), graphspace: values.graphspace as string | undefined },
    location: required('backup', values, 'to'),
    types: optionalTypes('backup', values, BACKUP_TYPES, DEFAULT_BACKUP_TYPES),
    labels: optionalList(values, 'labels'),
    ...(values['check-writes'] ? { checkWrites: true } : {}),
    keep: optionalInt('backup', values, 'keep'),
    pageSize: optionalInt('backup', values, 'page-size'),
    compressionLevel: optionalInt('backup', values, 'compression-level', 0),
    readPath: optionalChoice('backup', values, 'read-path', READ_PATHS),
    workers: optionalInt('backup', values, 'workers', 1),
    ...serverWaitOf(values['wait-for-server']),
  };
  const waitProblems = request.waitForServer ? serverWaitProblems(request.waitForServer, '--wait-for-server', { attempts: 'its attempts (N)', delaySeconds: 'its seconds (S)' }) : [];
  if (waitProblems.length) throw usageError('backup', waitProblems.join('; '));
  if (typeof values.remote === 'string') {
    const summary = await runRemoteWorkflow<BackupSummary>('backup', values, output, { input: request, locations: { to: request.location } });
    output.result({ ok: true, ...summary }, describeBackup(summary));
    return EXIT_OK;
  }
  if (allGraphs) return backupAllGraphs(request, credentialsFrom(values), output);
  const runtime = localRuntime({ ...credentialsFrom(values), notify: backupProgress(output) });
  try {
    const leftBehind = backupLeftBehind(request);
    const summary = await withSignals(output, 'removing the incomplete backup and releasing the lock…', (signal) => runBackupLocally(runtime, request, signal), { leftBehind });
    output.result({ ok: true, ...summary }, describeBackup(summary));
    return EXIT_OK;
  } finally {
    await runtime.close();
  }
};

/** `--wait-for-server NxS`: N more tries, S seconds apart. */
function serverWaitOf(value: unknown): Pick<BackupRequest, 'waitForServer'> {
  if (value === undefined) return {};
  const match = /^(\d+)x(\d+)$/.exec(String(value));
  if (!match) throw usageError('backup', `--wait-for-server takes ATTEMPTSxSECONDS, e.g. 3x600, got '${value}'`);
  return { waitForServer: { attempts: Number(match[1]), delaySeconds: Number(match[2]) } };
}

/**
 * One backup per graph of the server, one after the other, each its own run (manifest, lock,
 * retention). A graph that fails is reported and the next one goes on; Ctrl-C stops them all. On
 * 1.7.0 and later, every graph of every graph space listed (only those of --graphspace when given).
 */
async function backupAllGraphs(request: BackupRequest, credentials: { username?: string; password?: string }, output: Output): Promise<number> {
  const graphs = await graphsToBackUp(request.server, credentials);
  const runtime = localRuntime({ ...credentials, notify: backupProgress(output) });
  const backups: BackupSummary[] = [];
  const failed: { graph: string; graphspace?: string; error: { code: string; message: string } }[] = [];
  try {
    for (const of of graphs) {
      const one = { ...request, server: { ...request.server, ...of } };
      try {
        backups.push(await withSignals(output, 'removing the incomplete backup and releasing the lock…', (signal) => runBackupLocally(runtime, one, signal), { leftBehind: backupLeftBehind(one) }));
      } catch (error) {
        if (error instanceof WorkflowAbortedError) throw error;
        failed.push({ ...of, error: { code: HgbrError.isHgbrError(error) ? error.reportedCode : 'Error', message: (error as Error).message } });
      }
    }
  } finally {
    await runtime.close();
  }
  const human = [...backups.map(describeBackup), ...failed.map((f) => `backup of graph ${graphName(f)} FAILED: ${f.error.code}: ${f.error.message}`)];
  if (graphs.length === 0) human.push('nothing backed up: the server lists no graph these credentials may read');
  const ok = failed.length === 0 && graphs.length > 0;
  output.result({ ok, graphs: graphs.map(graphName), backups, failed }, human.join('\n'));
  return ok ? EXIT_OK : EXIT_FAILED;
}

/** The graphs --all-graphs backs up: those of --graphspace, or of every graph space the server lists (DEFAULT's first). */
async function graphsToBackUp(server: BackupRequest['server'], credentials: { username?: string; password?: string }): Promise<{ graph: string; graphspace?: string }[]> {
  const options = { url: server.url, ...credentials };
  const spaces = server.graphspace !== undefined ? [server.graphspace] : await HugeGraphClient.listGraphSpaces(options);
  const defaultFirst = [...spaces].sort((a, b) => Number(b === DEFAULT_GRAPHSPACE) - Number(a === DEFAULT_GRAPHSPACE));
  if (defaultFirst.length === 0) return (await HugeGraphClient.listGraphs(options)).map((graph) => ({ graph }));
  const graphs: { graph: string; graphspace?: string }[] = [];
  for (const graphspace of defaultFirst) {
    for (const graph of await HugeGraphClient.listGraphs({ ...options, graphspace })) graphs.push(namedGraphspace(graphspace) ? { graph, graphspace } : { graph });
  }
  return graphs;
}

/** A graph as --all-graphs reports it: its name, `<graphspace>/<graph>` outside DEFAULT. */
function graphName(of: { graph: string; graphspace?: string }): string {
  const space = namedGraphspace(of.graphspace);
  return space ? `${space}/${of.graph}` : of.graph;
}

/** What a backup stopped before its clean-up leaves, and why that is harmless. */
export function backupLeftBehind(request: BackupRequest): string {
  const storage = openStorage(request.location);
  return `possibly an incomplete backup under ${storage.root.replace(/\/+$/, '')}/${graphFolder(request.server)}/ (no manifest: never restored, and the next backup of the graph removes it) and its lock ${storage.uri(backupLockKey(request.server))} (the next backup takes it over, this process being gone)`;
}

export function describeBackup(s: BackupSummary): string {
  const labels = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([label, n]) => `    ${label.padEnd(24)} ${n.toLocaleString('en').padStart(12)}`)
      .join('\n') || '    (none)';
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return [
    `backup ${s.backupId} of graph ${s.graph} is complete`,
    `  location: ${s.location}`,
    ...(s.contents ? [`  holds: ${s.contents.join(', ')}`] : []),
    `  vertices: ${total(s.vertices).toLocaleString('en')}`,
    labels(s.vertices),
    `  edges: ${total(s.edges).toLocaleString('en')}`,
    labels(s.edges),
    ...(s.variables !== undefined ? [`  variables: ${s.variables}`] : []),
    ...(s.writesSeen === undefined
      ? []
      : [s.writesSeen ? '  WRITTEN DURING BACKUP: label counts moved while it ran (hgbr verify shows which)' : '  no writes seen: every label counted the same before, after and in the backup']),
    `  ${s.files} files, ${formatBytes(s.bytes)}, ${formatDuration(s.durationMs)}${s.planMs !== undefined ? ` (plan ${formatDuration(s.planMs)})` : ''}`,
    ...(s.deletedBackups.length ? [`  retention removed: ${s.deletedBackups.join(', ')}`] : []),
  ].join('\n');
}
