import type { ContentKind } from '../../../functions/format';
import { ContentNotInBackupError } from '../../../functions/restore/errors';
import { restoredContents } from '../../../functions/restore/plan';
import { checkSettable } from '../../../functions/restore/variables';
import type { BackupContents } from '../../../functions/restore/source';

const source = { root: 'file:///backups', prefix: 'g/20261124T215600Z-3f9a/', hasManifest: true };
const holding = (contents: ContentKind[]) => ({ source, manifest: { contents } }) as unknown as Pick<BackupContents, 'manifest' | 'source'>;

describe('restoredContents', () => {
  it('restores all the backup holds when nothing is asked', () => {
    expect(restoredContents(undefined, holding(['schema', 'vertices']))).toEqual(['schema', 'vertices']);
  });

  it('takes a folder without manifest (hugegraph-tools) to hold schema, vertices and edges', () => {
    expect(restoredContents(undefined, { source: { ...source, hasManifest: false } })).toEqual(['schema', 'vertices', 'edges']);
  });

  it('restores what is asked, in the backup order, the schema always', () => {
    expect(restoredContents(['edges'], holding(['schema', 'vertices', 'edges']))).toEqual(['schema', 'edges']);
  });

  it('refuses to restore what the backup does not hold, naming both', () => {
    const ask = () => restoredContents(['vertices', 'edges'], holding(['schema', 'vertices']));
    expect(ask).toThrow(ContentNotInBackupError);
    expect(ask).toThrow('file:///backups/g/20261124T215600Z-3f9a/ holds schema, vertices only: it has no edges to restore');
  });
});

describe('variables a restore cannot set', () => {
  it('refuses keys with a slash (the REST API answers 500 to them), naming each', () => {
    expect(() =>
      checkSettable([
        { key: 'a/b', rawValue: '1' },
        { key: 'ok', rawValue: '2' },
      ]),
    ).toThrow(`the backup holds variables whose keys contain '/', which HugeGraph's REST API cannot set: "a/b"`);
    expect(() => checkSettable([{ key: 'a b:c?#%é', rawValue: '1' }])).not.toThrow();
  });
});
