/**
 * Every message the workflows report while they run, in one registry: progress, warnings and
 * results go through one sink (`runtime.notify`) with a stable code, and each place renders them
 * its own way: the CLI as a progress line, a warning or JSON (cli/notify.ts), a Lambda through the
 * structured logger (functions/handlers/lambda-step.ts), a test by recording them.
 *
 * Codes are `HGBR_<AREA>_<LEVEL><number>`: D(ebug) for per-page and per-batch progress, I(nfo),
 * W(arn), E(rror). A code is never reused for another meaning; scripts and log queries match it.
 */
import type { ElementKind } from '../hugegraph/client';

export type MessageLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Message<D = unknown> {
  readonly level: MessageLevel;
  readonly code: string;
  /** For a person, complete in itself. */
  readonly message: string;
  /** For a program: the figures the message is made of. */
  readonly data: D;
}

/** Where a step reports; it must not throw, and must not block. */
export type Notify = (message: Message) => void;

/** One entry of the registry: its code, what it means, and how it reads. */
export interface MessageType<D> {
  readonly code: string;
  readonly level: MessageLevel;
  readonly description: string;
  of(data: D): Message<D>;
  /** Whether `message` is one of this type (and so carries its data). */
  is(message: Message): message is Message<D>;
}

const LEVELS: Record<string, MessageLevel> = { D: 'debug', I: 'info', W: 'warn', E: 'error' };

export function messageType<D>(code: string, description: string, text: (data: D) => string): MessageType<D> {
  const level = LEVELS[/^HGBR_[A-Z]+_([DIWE])\d{4}$/.exec(code)?.[1] ?? ''];
  if (!level) throw new RangeError(`message code ${code} is not HGBR_<AREA>_<D|I|W|E><4 digits>`);
  return {
    code,
    level,
    description,
    of: (data) => ({ level, code, message: text(data), data }),
    is: (message): message is Message<D> => message.code === code,
  };
}

const plural = (n: number, kind: ElementKind) => `${n} ${kind === 'vertex' ? (n === 1 ? 'vertex' : 'vertices') : n === 1 ? 'edge' : 'edges'}`;

export const MESSAGES = {
  backupPlanned: messageType<{ backupId: string; graph: string; vertexLabels: number; edgeLabels: number; readPath: string; workItems: number }>(
    'HGBR_BACKUP_I1001',
    'A backup has taken its lock and written the schema: its id, how many labels it exports, and how it reads them (key ranges or labels).',
    (d) => `backup ${d.backupId}: ${d.vertexLabels} vertex labels, ${d.edgeLabels} edge labels, read as ${d.workItems} ${d.readPath === 'scan' ? 'key ranges' : 'labels'}`,
  ),
  pageExported: messageType<{ kind: ElementKind; label: string; elements: number; bytes: number }>(
    'HGBR_BACKUP_D1002',
    'One page of a label was read from the server and written to the backup.',
    (d) => `exported ${plural(d.elements, d.kind)} of label ${d.label} (${d.bytes} bytes read)`,
  ),
  workItemExported: messageType<{ kind: ElementKind; item: 'label' | 'key range'; label?: string }>(
    'HGBR_BACKUP_D1004',
    'One work item of a backup (a label, or a key range) is exported to its end: progress against the plan.',
    (d) => `exported ${d.item === 'label' ? `${d.kind} label ${d.label}` : `a ${d.kind} key range`}`,
  ),
  fileVerified: messageType<{ file: string; bytes: number; files: number; totalBytes: number }>(
    'HGBR_BACKUP_D1005',
    'hgbr verify read one file of a backup against its manifest: progress against the manifest.',
    (d) => `verified ${d.file} (${d.bytes} bytes)`,
  ),
  backupCompleted: messageType<{ backupId: string; location: string; files: number; bytes: number; deletedBackups: string[] }>(
    'HGBR_BACKUP_I1003',
    'A backup wrote its manifest: it is complete.',
    (d) => `backup ${d.backupId} is complete at ${d.location}: ${d.files} files, ${d.bytes} bytes`,
  ),
  backupServerWait: messageType<{ url: string; error: string; delaySeconds: number; attempt: number; attempts: number }>(
    'HGBR_BACKUP_W1006',
    "A backup's start could not reach the HugeGraph server; as the request's waitForServer asks, it tries again after a delay (a scheduled backup meeting a server restart).",
    (d) => `${d.error}: trying again in ${d.delaySeconds} s (wait ${d.attempt} of ${d.attempts})`,
  ),
  restoreWarning: messageType<{ restoreId: string; warning: string }>(
    'HGBR_RESTORE_W2001',
    'The restore plan found something a person should know that does not stop the restore (a mode reset, a backup without checksums, files an earlier attempt restored).',
    (d) => d.warning,
  ),
  restorePlanned: messageType<{ restoreId: string; files: number; filesDone: number; elements: number | null; elementsDone: number }>(
    'HGBR_RESTORE_I2005',
    'A restore is planned: its files and, with a manifest, its elements; on a resume, those an earlier attempt restored (skipped).',
    // What a resume skips is a warning of its own (HGBR_RESTORE_W2001).
    (d) => `restore ${d.restoreId}: ${d.files} files${d.elements === null ? '' : `, ${d.elements.toLocaleString('en')} elements`}`,
  ),
  labelCounted: messageType<{ kind: ElementKind; label: string; elements: number; labels: number }>(
    'HGBR_RESTORE_D2006',
    '--verify-target counted one label on the target: progress against the labels to count.',
    (d) => `counted ${plural(d.elements, d.kind)} of label ${d.label} on the target`,
  ),
  batchRestored: messageType<{ kind: ElementKind; label: string; elements: number; bytes: number }>(
    'HGBR_RESTORE_D2002',
    'One batch was written to the target and acknowledged; label is "(mixed)" for a hugegraph-tools file.',
    (d) => `restored ${plural(d.elements, d.kind)} of label ${d.label}`,
  ),
  fileRestored: messageType<{ file: string; type: 'vertices' | 'edges'; elements: number }>(
    'HGBR_RESTORE_D2007',
    'One file of a restore is on the target and recorded as done (a resume skips it): progress against the plan.',
    (d) => `restored ${d.file}: ${d.elements} ${d.type === 'vertices' ? 'vertices' : 'edges'}`,
  ),
  restoreRecordsLeft: messageType<{ restoreId: string; statePrefix: string; error: string }>(
    'HGBR_RESTORE_W2003',
    'A finished restore could not remove all of its records; the next plan of the same restore id removes them.',
    (d) => `the restore's records under ${d.statePrefix} were not all removed: ${d.error}`,
  ),
  restoreCompleted: messageType<{ restoreId: string; graph: string; vertices: number; edges: number; modeRestoredTo: string }>(
    'HGBR_RESTORE_I2004',
    'A restore was verified, the mode put back and the lock released.',
    (d) => `restore ${d.restoreId} into graph ${d.graph} is complete: ${d.vertices} vertices, ${d.edges} edges, mode put back to ${d.modeRestoredTo}`,
  ),
  restoreReset: messageType<{ restoreId: string; graph: string; error?: string; modeRestoredTo?: string; lockReleased: boolean; takenOverBy?: string }>(
    'HGBR_RESTORE_W2008',
    "A failed or stopped restore was cleaned up: the target's mode put back and its lock released (or left to the restore that took the graph over).",
    (d) =>
      d.takenOverBy
        ? `restore ${d.restoreId} stopped${d.error ? ` (${d.error})` : ''}; restore ${d.takenOverBy} has taken graph ${d.graph} over, so its mode and lock are left to it`
        : `restore ${d.restoreId} stopped${d.error ? ` (${d.error})` : ''}: the mode of graph ${d.graph} was put back to ${d.modeRestoredTo ?? 'what it was'}${d.lockReleased ? ' and its lock released' : ''}`,
  ),
} as const;

/** A sink that drops everything: the default where nobody listens. */
export const ignoreMessages: Notify = () => undefined;
