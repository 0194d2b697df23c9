/**
 * Task state names are the contract between the state machine and its handlers: CDK wires each to
 * a Lambda (infra/workflows), the local runner wires each to the same handler in-process (cli), and
 * the restore API reads progress by them (functions/api). Free of CDK imports, so all three can.
 */
export const BACKUP_TASKS = {
  plan: 'Plan',
  exportChunk: 'ExportChunk',
  finalize: 'Finalize',
  retention: 'ApplyRetention',
  abort: 'Abort',
} as const;

/** The backup machine's Distributed Map over its work list (key ranges or labels). */
export const BACKUP_EXPORT_MAP = 'Export';

export type BackupTaskName = (typeof BACKUP_TASKS)[keyof typeof BACKUP_TASKS];

export const RESTORE_TASKS = {
  plan: 'Plan',
  prepare: 'Prepare',
  restoreVertexFiles: 'RestoreVertexFiles',
  restoreEdgeFiles: 'RestoreEdgeFiles',
  verify: 'Verify',
  finish: 'Finish',
  reset: 'ResetMode',
} as const;

export type RestoreTaskName = (typeof RESTORE_TASKS)[keyof typeof RESTORE_TASKS];

/** Distributed Map states of the restore machine: the local runner emulates their reader and batcher. */
export const RESTORE_FILE_MAPS = { vertices: 'RestoreVertices', edges: 'RestoreEdges' } as const;
