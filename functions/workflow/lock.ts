import * as os from 'node:os';
import { HgbrError } from '../errors';
import { type BackupStorage, ObjectExistsError, ObjectNotFoundError } from '../storage/storage';

/** Who holds a lock: a local process (checkable by pid) or a Step Functions execution. */
export type LockOwner = { readonly type: 'process'; readonly host: string; readonly pid: number } | { readonly type: 'execution'; readonly executionArn: string };

export interface LockRecord {
  readonly purpose: string;
  readonly runId: string;
  readonly owner: LockOwner;
  readonly acquiredAt: string;
}

export class LockHeldError extends HgbrError {
  static override readonly code = 'LockHeldError';
  static override readonly hint = 'wait for it to finish; if it is dead, hgbr takes the lock over once it can prove that (dead process, ended execution, or older than the lock lifetime)';

  constructor(
    readonly key: string,
    readonly holder: LockRecord,
  ) {
    super(`another ${holder.purpose} holds ${key}: run ${holder.runId} by ${describeOwner(holder.owner)} since ${holder.acquiredAt}`);
  }
}

/** Several runs keep taking the lock over from each other; this one gives up rather than loop. */
export class LockContentionError extends HgbrError {
  static override readonly code = 'LockContentionError';
  static override readonly hint = 'several runs want this lock at once; run one at a time';

  constructor(readonly key: string) {
    super(`could not acquire ${key}: it keeps changing hands`);
  }
}

export interface LockOptions {
  /** A lock older than this is stale whatever its owner (the state machine's own timeout). */
  readonly maxAgeMs: number;
  /** Whether an owner still runs. Unknown owners count as alive until maxAgeMs. */
  readonly isOwnerAlive?: (owner: LockOwner) => Promise<boolean | undefined>;
  readonly now?: () => Date;
}

export function currentProcessOwner(): LockOwner {
  return { type: 'process', host: os.hostname(), pid: process.pid };
}

/**
 * A lock is one object created only if absent (S3 If-None-Match: *, or O_EXCL on a folder), so of
 * two runs racing for it exactly one wins. A stale lock (its owner provably gone) is taken over.
 */
export async function acquireLock(storage: BackupStorage, key: string, record: LockRecord, options: LockOptions): Promise<void> {
  const body = JSON.stringify(record, null, 2);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await storage.put(key, body, { ifAbsent: true });
      return;
    } catch (error) {
      if (!(error instanceof ObjectExistsError)) throw error;
    }
    const holder = await readLock(storage, key);
    if (!holder) continue; // released between our two calls: try again
    if (holder.runId === record.runId) return; // a retried task of the same run
    // The same owner with another run id is an earlier attempt of this very task (its Lambda
    // timed out after taking the lock): not a rival. Its files go with the next retention.
    const ours = JSON.stringify(holder.owner) === JSON.stringify(record.owner);
    if (!ours && !(await isStale(holder, options))) throw new LockHeldError(key, holder);
    // Of several runs that find the same stale lock, only the one that creates the take-over
    // marker may remove it; without this, one could delete the lock another had just taken. The
    // marker stays (a few bytes per take-over): removing it would let a slow run repeat this.
    try {
      await storage.put(`${key}.takeover-${holder.runId}`, body, { ifAbsent: true });
    } catch (error) {
      if (error instanceof ObjectExistsError) throw new LockHeldError(key, holder);
      throw error;
    }
    await storage.delete(key);
    try {
      await storage.put(key, body, { ifAbsent: true });
      return;
    } catch (error) {
      if (!(error instanceof ObjectExistsError)) throw error;
    }
  }
  throw new LockContentionError(key);
}

/** Releases the lock if this run holds it; a lock taken over by another run is left alone. */
export async function releaseLock(storage: BackupStorage, key: string, runId: string): Promise<void> {
  const holder = await readLock(storage, key);
  if (holder && holder.runId === runId) await storage.delete(key);
}

export async function readLock(storage: BackupStorage, key: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse((await storage.get(key)).toString('utf8')) as LockRecord;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

async function isStale(holder: LockRecord, options: LockOptions): Promise<boolean> {
  const now = (options.now ?? (() => new Date()))().getTime();
  if (now - Date.parse(holder.acquiredAt) > options.maxAgeMs) return true;
  const alive = await (options.isOwnerAlive ?? isLocalProcessAlive)(holder.owner);
  return alive === false;
}

/** A process on this host can be checked with signal 0; anything else is unknown. */
export async function isLocalProcessAlive(owner: LockOwner): Promise<boolean | undefined> {
  if (owner.type !== 'process' || owner.host !== os.hostname()) return undefined;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: LockOwner): string {
  return owner.type === 'process' ? `process ${owner.pid} on ${owner.host}` : `execution ${owner.executionArn}`;
}
