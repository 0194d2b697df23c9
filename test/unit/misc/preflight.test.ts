import type { GraphSession } from '../../../functions/hugegraph';
import { GraphspaceNotSupportedError } from '../../../functions/workflow/errors';
import { connectChecked } from '../../../functions/workflow/preflight';

/** A runtime whose server is of `version` and has every graph. */
function runtimeOf(version: string) {
  const session = { serverVersion: version, graphInfo: async () => ({ name: 'g', backend: 'rocksdb' }) } as unknown as GraphSession;
  return { connect: async () => session };
}

describe('connectChecked and graph spaces', () => {
  it('refuses a graph space other than DEFAULT on a server before 1.7.0, which would read DEFAULT instead', async () => {
    await expect(connectChecked(runtimeOf('1.5.0'), { url: 'http://h:8080', graph: 'g', graphspace: 'gs1' })).rejects.toThrow(GraphspaceNotSupportedError);
    await expect(connectChecked(runtimeOf('1.5.0'), { url: 'http://h:8080', graph: 'g', graphspace: 'gs1' })).rejects.toThrow(/1\.5\.0, which has no graph spaces/);
  });

  it('takes DEFAULT anywhere, and any graph space from 1.7.0 on', async () => {
    await expect(connectChecked(runtimeOf('1.5.0'), { url: 'http://h:8080', graph: 'g', graphspace: 'DEFAULT' })).resolves.toMatchObject({ info: { backend: 'rocksdb' } });
    await expect(connectChecked(runtimeOf('1.7.0'), { url: 'http://h:8080', graph: 'g', graphspace: 'gs1' })).resolves.toMatchObject({ info: { backend: 'rocksdb' } });
  });
});
