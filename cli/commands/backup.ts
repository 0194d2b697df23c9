import { BACKUP_TYPES, type BackupRequest, type BackupSummary, READ_PATHS } from '../../functions/backup/types';
import { credentialsFrom, optionalChoice, optionalInt, optionalList, optionalTypes, parseCommandArgs, required } from '../args';
import { localRuntime } from '../local-runtime';
import { backupProgress } from '../progress';
import { EXIT_OK, type Command } from '../command';
import { formatBytes, formatDuration, type Output } from '../output';
import { withSignals } from '../signals';
import { runRemoteWorkflow } from '../remote';
import { runBackupLocally } from '../workflows';

const HELP = `usage: hgbr backup --server URL --graph G --to ROOT [options]

  --server URL        HugeGraph server, e.g. http://127.0.0.1:8080
  --graph G           graph to back up
  --to ROOT           backup root: a folder, file:///path or s3://bucket/prefix
                      (S3 endpoint from AWS_ENDPOINT_URL_S3 for S3-compatible servers)
  --types T,…         what to back up: schema, vertices, edges (or all, the default); as
                      hugegraph-tools' -t. The schema is always backed up: --types schema is a
                      schema-only backup. The manifest says what the backup holds.
  --labels a,b        only these vertex / edge labels (the schema is always complete)
  --read-path P       scan: the server's key ranges, every element once, several workers on one
                      label, labels without a label index too (default); label: page each label
                      (the default with --labels)
  --workers N         work items (key ranges, or labels) exported at once (default 4)
  --keep N            keep the N most recent complete backups of the graph, delete older ones
  --page-size N       elements per page read from the server (default 5000)
  --compression-level N   DEFLATE level of the data files, 0 (none) to 9 (smallest); default 1,
                      the fastest: level 6 makes files ~15% smaller for ~3x the CPU
  --graphspace GS     graphspace (servers 1.7.0 and later; default DEFAULT)
  --user U --password P   or HUGEGRAPH_USERNAME / HUGEGRAPH_PASSWORD
  --remote ARN        start the deployed backup state machine (client-sfn, the ARN's region,
                      AWS_ENDPOINT_URL_SFN when set) instead of running here, and wait for it;
                      --to must then be s3://, and the stack's secret holds the credentials
  --json              print one JSON object with the outcome

The backup is written to ROOT/G/<backupId>/ and is complete once manifest.json is there.
Exit status 0 only for a complete backup.`;

export const backupCommand: Command = async (argv, output) => {
  const { values } = parseCommandArgs('backup', argv, {
    server: { type: 'string' },
    graph: { type: 'string' },
    to: { type: 'string' },
    types: { type: 'string', short: 't' },
    labels: { type: 'string' },
    keep: { type: 'string' },
    'page-size': { type: 'string' },
    'compression-level': { type: 'string' },
    'read-path': { type: 'string' },
    workers: { type: 'string' },
    remote: { type: 'string' },
  });
  if (values.help) return printHelp(output);
  const request: BackupRequest = {
    server: { url: required('backup', values, 'server'), graph: required('backup', values, 'graph'), graphspace: values.graphspace as string | undefined },
    location: required('backup', values, 'to'),
    types: optionalTypes('backup', values, BACKUP_TYPES),
    labels: optionalList(values, 'labels'),
    keep: optionalInt('backup', values, 'keep'),
    pageSize: optionalInt('backup', values, 'page-size'),
    compressionLevel: optionalInt('backup', values, 'compression-level', 0),
    readPath: optionalChoice('backup', values, 'read-path', READ_PATHS),
    workers: optionalInt('backup', values, 'workers', 1),
  };
  if (typeof values.remote === 'string') {
    const summary = await runRemoteWorkflow<BackupSummary>('backup', values, output, { input: request, locations: { to: request.location } });
    output.result({ ok: true, ...summary }, describeBackup(summary));
    return EXIT_OK;
  }
  const runtime = localRuntime({ ...credentialsFrom(values), notify: backupProgress(output) });
  try {
    const summary = await withSignals(output, 'removing the incomplete backup and releasing the lock…', (signal) => runBackupLocally(runtime, request, signal));
    output.result({ ok: true, ...summary }, describeBackup(summary));
    return EXIT_OK;
  } finally {
    await runtime.close();
  }
};

function printHelp(output: Output): number {
  output.result({ usage: HELP }, HELP);
  return EXIT_OK;
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
    `  ${s.files} files, ${formatBytes(s.bytes)}, ${formatDuration(s.durationMs)}`,
    ...(s.deletedBackups.length ? [`  retention removed: ${s.deletedBackups.join(', ')}`] : []),
  ].join('\n');
}
