import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IncompleteBackupError } from '../../../functions/format';
import { BackupFilesMissingError, NotABackupError } from '../../../functions/restore/errors';
import { openBackup, resolveSource } from '../../../functions/restore/source';
import { openStorage } from '../../../functions/storage/open';

describe('resolveSource', () => {
  it('splits ROOT/<graph>/<backupId> into the root and the backup folder', () => {
    expect(resolveSource('/data/backups/hugegraph/20261124T215600Z-3f9a/')).toEqual({ root: '/data/backups', prefix: 'hugegraph/20261124T215600Z-3f9a/' });
    expect(resolveSource('s3://bucket/pre/fix/g1/20261124T215600Z-3f9a')).toEqual({ root: 's3://bucket/pre/fix', prefix: 'g1/20261124T215600Z-3f9a/' });
    expect(resolveSource('s3://bucket/g1/20261124T215600Z-3f9a')).toEqual({ root: 's3://bucket', prefix: 'g1/20261124T215600Z-3f9a/' });
    expect(resolveSource('file:///g/20261124T215600Z-3f9a')).toEqual({ root: '/', prefix: 'g/20261124T215600Z-3f9a/' });
    expect(resolveSource('/data/backups/_graphspaces/gs1/hugegraph/20261124T215600Z-3f9a')).toEqual({ root: '/data/backups', prefix: '_graphspaces/gs1/hugegraph/20261124T215600Z-3f9a/' });
    expect(resolveSource('s3://bucket/pre/_graphspaces/gs1/g1/20261124T215600Z-3f9a/')).toEqual({ root: 's3://bucket/pre', prefix: '_graphspaces/gs1/g1/20261124T215600Z-3f9a/' });
  });

  it('takes any other folder (a hugegraph-tools backup) as its own root', () => {
    expect(resolveSource('/data/tools/hugegraph')).toEqual({ root: '/data/tools/hugegraph', prefix: '' });
    expect(resolveSource('s3://bucket/tools')).toEqual({ root: 's3://bucket/tools', prefix: '' });
  });
});

describe('openBackup without a manifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-source-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, body = '') => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  };
  const open = () => openBackup(openStorage(dir), { root: dir, prefix: '' });

  it('recognises a hugegraph-tools folder by its file names, and warns that it has no checksums', async () => {
    for (const name of ['propertykeys.zip', 'vertexlabels.zip', 'edgelabels.zip', 'indexlabels.zip', 'vertices0.zip', 'vertices1.zip', 'edges0', 'notes.txt']) write(name, 'x');
    write('_restores/other.lock', '{}');
    const contents = await open();
    expect(contents.source.hasManifest).toBe(false);
    expect(contents.schemaFiles.propertykeys).toEqual({ name: 'propertykeys.zip' });
    expect(contents.vertexFiles).toEqual([
      { name: 'vertices0.zip', type: 'vertices', bytes: 1 },
      { name: 'vertices1.zip', type: 'vertices', bytes: 1 },
    ]);
    expect(contents.edgeFiles.map((f) => f.name)).toEqual(['edges0']);
    expect(contents.warnings.join()).toMatch(/no manifest\.json.*hugegraph-tools.*no checksums/);
  });

  it('refuses a folder with two files of one schema kind, as the tool does', async () => {
    for (const name of ['propertykeys', 'propertykeys.zip', 'vertexlabels', 'edgelabels', 'indexlabels']) write(name);
    await expect(open()).rejects.toThrow(/2 propertykeys files/);
  });

  it('refuses a folder missing a schema file', async () => {
    for (const name of ['propertykeys', 'vertexlabels', 'vertices0']) write(name);
    await expect(open()).rejects.toThrow(NotABackupError);
  });

  it('refuses a folder with nothing a backup holds', async () => {
    write('readme.md');
    await expect(open()).rejects.toThrow(/no manifest\.json and no backup files/);
  });

  it('takes a folder hgbr was still writing for an incomplete backup, not a tools folder', async () => {
    for (const name of ['propertykeys.zip', 'vertexlabels.zip', 'edgelabels.zip', 'indexlabels.zip', 'vertices-0001-00001.zip']) write(name);
    await expect(open()).rejects.toThrow(IncompleteBackupError);
    fs.rmSync(path.join(dir, 'vertices-0001-00001.zip'));
    write('_hgbr/plan.json', '{}');
    await expect(open()).rejects.toThrow(IncompleteBackupError);
  });
});

describe('openBackup with a manifest', () => {
  it('reports every listed file that is missing or has another size', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-source-'));
    try {
      const sha = 'a'.repeat(64);
      const file = (name: string, type: string, bytes: number, label?: string) => ({ name, type, label, elements: label ? 1 : 0, bytes, sha256: sha, compressed: true });
      const files = [
        file('propertykeys.zip', 'propertykeys', 1),
        file('vertexlabels.zip', 'vertexlabels', 1),
        file('edgelabels.zip', 'edgelabels', 1),
        file('indexlabels.zip', 'indexlabels', 1),
        file('vertices-0001-00001.zip', 'vertices', 5, 'v'),
      ];
      const manifest = {
        formatVersion: 1,
        tool: { name: 'hgbr', version: '0.1.0' },
        graph: 'g',
        graphspace: null,
        server: { version: '1.5.0', backend: 'rocksdb' },
        modes: { graphMode: 'NONE', readMode: 'OLTP_ONLY' },
        startedAt: '2026-11-24T21:56:00.000Z',
        finishedAt: '2026-11-24T21:57:00.000Z',
        files,
        labels: { vertex: { v: 1 }, edge: {} },
        totals: { vertices: 1, edges: 0, files: 5, bytes: 9 },
      };
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      for (const name of ['propertykeys.zip', 'vertexlabels.zip', 'indexlabels.zip']) fs.writeFileSync(path.join(dir, name), 'x');
      fs.writeFileSync(path.join(dir, 'vertices-0001-00001.zip'), 'abc');
      const error = await openBackup(openStorage(dir), { root: dir, prefix: '' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackupFilesMissingError);
      expect((error as BackupFilesMissingError).problems).toEqual(['edgelabels.zip is missing', 'vertices-0001-00001.zip holds 3 bytes, the manifest says 5']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
