import { graphFolder, parseBackupPath } from '../../../functions/format';
import { backupLockKey, backupPrefix } from '../../../functions/backup/layout';

describe('graph folders', () => {
  it('keep the DEFAULT graph space (named or not, and servers without graph spaces) at <graph>/, others below _graphspaces/<gs>/', () => {
    expect(graphFolder({ graph: 'hugegraph' })).toBe('hugegraph');
    expect(graphFolder({ graph: 'hugegraph', graphspace: null })).toBe('hugegraph');
    expect(graphFolder({ graph: 'hugegraph', graphspace: 'DEFAULT' })).toBe('hugegraph');
    expect(graphFolder({ graph: 'hugegraph', graphspace: 'gs1' })).toBe('_graphspaces/gs1/hugegraph');
  });

  it('give same-named graphs of two graph spaces their own backups and lock', () => {
    const id = '20261124T215600Z-3f9a';
    expect(backupPrefix({ graph: 'g', graphspace: 'gs1' }, id)).not.toBe(backupPrefix({ graph: 'g' }, id));
    expect(backupLockKey({ graph: 'g', graphspace: 'gs1' })).toBe('_graphspaces/gs1/g/.hgbr-backup.lock');
    expect(backupLockKey({ graph: 'g', graphspace: 'DEFAULT' })).toBe('g/.hgbr-backup.lock');
  });

  it('read a backup location back, in either layout', () => {
    const id = '20261124T215600Z-3f9a';
    expect(parseBackupPath(['', 'backups', 'hugegraph', id])).toEqual({ rootSegments: ['', 'backups'], of: { graph: 'hugegraph' }, backupId: id });
    expect(parseBackupPath(['s3:', '', 'bucket', '_graphspaces', 'gs1', 'hugegraph', id])).toEqual({
      rootSegments: ['s3:', '', 'bucket'],
      of: { graph: 'hugegraph', graphspace: 'gs1' },
      backupId: id,
    });
    // A graph space folder with the root at its top.
    expect(parseBackupPath(['_graphspaces', 'gs1', 'g', id])).toEqual({ rootSegments: [], of: { graph: 'g', graphspace: 'gs1' }, backupId: id });
    expect(parseBackupPath(['backups', 'hugegraph', 'not-an-id'])).toBeUndefined();
    expect(parseBackupPath([id])).toBeUndefined();
  });
});
