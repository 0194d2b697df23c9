import { itemsRef, restoreLockKey } from '../../../functions/restore/layout';

describe('restoreLockKey', () => {
  it('names the lock after the target host, port, graphspace and graph', () => {
    expect(restoreLockKey({ url: 'http://127.0.0.1:8080', graph: 'hugegraph' })).toBe('_restores/127.0.0.1-8080-hugegraph.lock');
    expect(restoreLockKey({ url: 'https://hg.example.com/base', graph: 'g', graphspace: 'DEFAULT' })).toBe('_restores/hg.example.com-443-g.lock');
    expect(restoreLockKey({ url: 'http://[::1]:81', graph: 'g', graphspace: 'space' })).toBe('_restores/___1_-81-space-g.lock');
  });
});

describe('itemsRef', () => {
  it('gives S3 keys in full, the location prefix included', () => {
    expect(itemsRef('s3://bucket/backups', '_restores/r1/')).toEqual({
      bucket: 'bucket',
      vertexKey: 'backups/_restores/r1/vertices.json',
      edgeKey: 'backups/_restores/r1/edges.json',
      resultsPrefix: 'backups/_restores/r1/results/',
    });
    expect(itemsRef('s3://bucket', '_restores/r1/').vertexKey).toBe('_restores/r1/vertices.json');
  });

  it('gives a local state folder as the bucket, with keys relative to it', () => {
    expect(itemsRef('/tmp/state', '_restores/r1/')).toEqual({
      bucket: '/tmp/state',
      vertexKey: '_restores/r1/vertices.json',
      edgeKey: '_restores/r1/edges.json',
      resultsPrefix: '_restores/r1/results/',
    });
  });
});
