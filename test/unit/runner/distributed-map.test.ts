import { adaptDistributedMaps, itemReaderHandler } from '../../../cli/distributed-map';
import { runLocally } from '../../../cli/local-runner';
import type { AslDefinition } from '../../../functions/workflow/asl';

/** A machine shaped like the restore machine: a Distributed Map inside a Parallel with a Catch. */
const definition: AslDefinition = {
  StartAt: 'Body',
  States: {
    Body: {
      Type: 'Parallel',
      End: true,
      OutputPath: '$[0]',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Cleanup' }],
      Branches: [
        {
          StartAt: 'Files',
          States: {
            Files: {
              Type: 'Map',
              End: true,
              ResultPath: null,
              MaxConcurrency: 2,
              ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Bucket.$': '$.items.bucket', 'Key.$': '$.items.key' } },
              ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'job.$': '$.job' } },
              ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { 'Bucket.$': '$.items.bucket', Prefix: 'results' } },
              ItemProcessor: {
                ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
                StartAt: 'Work',
                States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:W', End: true } },
              },
            },
          },
        },
      ],
    },
    Cleanup: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:C', End: true },
  },
};

describe('the Distributed Map adapter', () => {
  it('reads the work list where the ItemReader points and hands out batches as the ItemBatcher says', async () => {
    const { definition: adapted, readerStates } = adaptDistributedMaps(definition);
    expect(readerStates).toEqual(['Files']);
    const reads: unknown[] = [];
    const batches: unknown[] = [];
    const outcome = await runLocally(
      adapted,
      { items: { bucket: 'b', key: 'work.json' }, job: { id: 7 } },
      {
        handlers: {
          Files: itemReaderHandler(async (reader) => {
            reads.push(reader);
            return ['a', 'b', 'c', 'd', 'e'];
          }),
          Work: async (input) => {
            batches.push(input);
            return { done: true };
          },
          Cleanup: async () => ({}),
        },
      },
    );
    expect(outcome.status).toBe('SUCCEEDED');
    expect(reads).toEqual([{ Bucket: 'b', Key: 'work.json' }]);
    expect(batches).toHaveLength(3);
    expect(batches).toEqual(
      expect.arrayContaining([
        { BatchInput: { job: { id: 7 } }, Items: ['a', 'b'] },
        { BatchInput: { job: { id: 7 } }, Items: ['c', 'd'] },
        { BatchInput: { job: { id: 7 } }, Items: ['e'] },
      ]),
    );
  });

  it('keeps the Catch path: a failing child reaches the clean-up state', async () => {
    const { definition: adapted } = adaptDistributedMaps(definition);
    const cleaned: unknown[] = [];
    const outcome = await runLocally(
      adapted,
      { items: { bucket: 'b', key: 'k' }, job: {} },
      {
        handlers: {
          Files: itemReaderHandler(async () => ['x']),
          Work: async () => {
            throw Object.assign(new Error('file is corrupt'), { name: 'ChecksumMismatchError' });
          },
          Cleanup: async (input) => {
            cleaned.push(input.error);
            return {};
          },
        },
      },
    );
    expect(outcome.status).toBe('SUCCEEDED');
    expect(cleaned).toEqual([{ Error: 'ChecksumMismatchError', Cause: 'file is corrupt' }]);
  });

  it('passes an un-batched work list through item by item', async () => {
    const handler = itemReaderHandler(async () => [1, 2, 3]);
    expect(await handler({ reader: { Bucket: 'b', Key: 'k' }, batcher: { MaxItemsPerBatch: 1, BatchInput: {}, batched: false } })).toEqual([1, 2, 3]);
  });

  it('refuses a work list that is not an array, naming where it came from', async () => {
    const handler = itemReaderHandler(async () => ({ not: 'an array' }) as unknown as unknown[]);
    await expect(handler({ reader: { Bucket: 'b', Key: 'k.json' }, batcher: { MaxItemsPerBatch: 2, BatchInput: {}, batched: true } })).rejects.toThrow('b/k.json');
  });
});
