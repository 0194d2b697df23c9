import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resetRestore } from '../../../functions/restore/abort';
import { RestoreResetFailedError } from '../../../functions/restore/errors';
import { restoreLockKey } from '../../../functions/restore/layout';
import type { RestoreJob } from '../../../functions/restore/types';
import { openStorage } from '../../../functions/storage/open';
import { StorageUnavailableError, type BackupStorage } from '../../../functions/storage/storage';
import { MESSAGES } from '../../../functions/workflow/messages';
import { fakeGraph, fakeRuntime } from '../../support/fakes';
import { RecordedMessages } from '../../support/recorded-messages';

let dir: string;
let job: RestoreJob;
const failure = { Error: 'StorageUnavailableError', Cause: 'get s3://b/x failed: SlowDown' };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-reset-'));
  job = {
    restoreId: 'r1',
    source: { root: dir, prefix: 'g/20261124T215600Z-3f9a/', hasManifest: true },
    target: { url: 'http://hg:8080', graph: 'g' },
    mode: 'RESTORING',
    stateLocation: dir,
    lockLocation: path.join(dir, 'locks'),
    statePrefix: '_restores/r1/',
    previousMode: 'NONE',
    batchConcurrency: 3,
    verifyTarget: false,
  };
  fs.mkdirSync(path.join(dir, 'locks', '_restores'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'locks', restoreLockKey(job.target)), JSON.stringify({ runId: 'r1' }));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A setMode that records the modes it is asked for. */
function recordIn(modes: string[]) {
  return async <M extends string>(mode: M): Promise<M> => {
    modes.push(mode);
    return mode;
  };
}

const lockFile = () => path.join(dir, 'locks', restoreLockKey(job.target));

describe('resetRestore (the Catch path)', () => {
  it('fences the lock before it puts the mode back, so that workers still posting batches stop first', async () => {
    const fencedWhenSet: unknown[] = [];
    const setMode = async <M extends string>(mode: M): Promise<M> => {
      fencedWhenSet.push(JSON.parse(fs.readFileSync(lockFile(), 'utf8')).resetAt);
      return mode;
    };
    await resetRestore(fakeRuntime({ connect: async () => fakeGraph({ setMode }) }), job, failure, { fenceWaitMs: 0 });
    expect(fencedWhenSet).toEqual(['2026-11-24T22:00:00.000Z']);
  });

  it('puts the mode back, releases the lock and says so', async () => {
    const modes: string[] = [];
    const recorded = new RecordedMessages();
    const runtime = fakeRuntime({ connect: async () => fakeGraph({ setMode: recordIn(modes) }), notify: recorded.notify });
    await expect(resetRestore(runtime, job, failure, { fenceWaitMs: 0 })).resolves.toEqual({ restoreId: 'r1', modeRestoredTo: 'NONE', lockReleased: true });
    expect(modes).toEqual(['NONE']);
    expect(fs.existsSync(lockFile())).toBe(false);
    expect(recorded.dataOf(MESSAGES.restoreReset)).toEqual([{ restoreId: 'r1', graph: 'g', error: 'StorageUnavailableError', modeRestoredTo: 'NONE', lockReleased: true }]);
  });

  it('releases the lock when the server cannot be reached, and says exactly how to put the mode back', async () => {
    const runtime = fakeRuntime({ connect: async () => fakeGraph({ setMode: async () => Promise.reject(new Error('connect ECONNREFUSED')) }) });
    const error = await resetRestore(runtime, job, failure, { fenceWaitMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestoreResetFailedError);
    expect((error as Error).message).toContain('restore r1 failed after StorageUnavailableError: get s3://b/x failed: SlowDown');
    expect((error as Error).message).toContain('`hgbr mode set --server http://hg:8080 --graph g --mode NONE`');
    expect((error as Error).message).not.toContain('lock');
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('puts the mode back when the store cannot be read, and names the lock to remove', async () => {
    const modes: string[] = [];
    const failing = (storage: BackupStorage): BackupStorage =>
      new Proxy(storage, { get: (s, name) => (name === 'get' ? () => Promise.reject(new StorageUnavailableError('s3://b/l', 'get', 'SlowDown', 'later')) : Reflect.get(s, name)) });
    const runtime = fakeRuntime({ storage: (location) => failing(openStorage(location)), connect: async () => fakeGraph({ setMode: recordIn(modes) }) });
    const error = await resetRestore(runtime, job, failure, { fenceWaitMs: 0 }).catch((e: unknown) => e);
    expect(modes).toEqual(['NONE']);
    expect(error).toBeInstanceOf(RestoreResetFailedError);
    expect((error as Error).message).toContain(`\`rm ${lockFile()}\``);
    expect((error as Error).message).not.toContain('hgbr mode set');
  });

  it('leaves the mode and the lock to a restore that took the graph over', async () => {
    fs.writeFileSync(lockFile(), JSON.stringify({ runId: 'r2' }));
    const runtime = fakeRuntime({ connect: async () => fakeGraph() }); // setMode would throw
    await expect(resetRestore(runtime, job, failure, { fenceWaitMs: 0 })).resolves.toEqual({ restoreId: 'r1', lockReleased: false });
    expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8'))).toEqual({ runId: 'r2' });
  });
});
