import type { AslDefinition } from '../functions/workflow/asl';

/** Reads a Distributed Map's work list (a JSON array) from where its ItemReader points. */
export type ItemSource = (reader: { Bucket: string; Key: string }) => Promise<unknown[]>;

/** Name of the Task state the adapter puts in front of a Distributed Map. */
export const itemReaderStateName = (mapName: string) => mapName;
const innerMapName = (mapName: string) => `${mapName} (inline)`;
const BATCHES_PATH = '$.__itemBatches';

/**
 * aws-local-stepfunctions runs a Distributed Map as an inline Map over its input and ignores
 * ItemReader, ItemBatcher and ResultWriter. This adapter makes the same definition run locally with
 * the same semantics for what we use: each Distributed Map `M` becomes
 *
 *   M (Task: reads the work list as the ItemReader says, cuts it into {BatchInput, Items} batches
 *      as the ItemBatcher says) ─► "M (inline)" (the Map, inline, over those batches)
 *
 * keeping M's name for the entry state, so every Next and Catch that pointed at M still does; an
 * ItemSelector (unbatched maps only) is applied by the inline Map to each item. The
 * reader's and batcher's JSONPath parameters are evaluated by the runner itself, as Step Functions
 * would. Results are not written anywhere (the ResultWriter's S3 output is an AWS-side report).
 */
export function adaptDistributedMaps(definition: AslDefinition): { definition: AslDefinition; readerStates: string[] } {
  const readerStates: string[] = [];
  const adapt = (machine: { States: Record<string, any> }): { States: Record<string, any> } => {
    const states: Record<string, any> = {};
    for (const [name, state] of Object.entries(machine.States)) {
      const adapted = adaptNested(state, adapt);
      if (adapted.Type !== 'Map' || adapted.ItemProcessor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') {
        states[name] = adapted;
        continue;
      }
      // ResultWriter, the tolerated failures and Label concern AWS's run of the map: dropped here.
      const { ItemReader, ItemBatcher, ResultWriter: _writer, ToleratedFailurePercentage: _p, ToleratedFailureCount: _c, Label: _label, ItemSelector, ...map } = adapted;
      if (!ItemReader) throw new Error(`Distributed Map ${name}: only maps with an ItemReader are supported locally`);
      // The inline Map applies an ItemSelector itself; with batches, Step Functions would apply it per batch.
      if (ItemSelector && ItemBatcher) throw new Error(`Distributed Map ${name}: ItemSelector with an ItemBatcher is not supported locally`);
      states[itemReaderStateName(name)] = {
        Type: 'Task',
        Resource: 'arn:aws:states:::hgbr:local-item-reader',
        Parameters: {
          reader: ItemReader.Parameters,
          batcher: { MaxItemsPerBatch: ItemBatcher?.MaxItemsPerBatch ?? 1, BatchInput: ItemBatcher?.BatchInput ?? {}, batched: Boolean(ItemBatcher) },
        },
        ResultPath: BATCHES_PATH,
        Next: innerMapName(name),
      };
      states[innerMapName(name)] = {
        ...map,
        ...(ItemSelector ? { ItemSelector } : {}),
        ItemsPath: BATCHES_PATH,
        ItemProcessor: { ...map.ItemProcessor, ProcessorConfig: { Mode: 'INLINE' } },
      };
      readerStates.push(itemReaderStateName(name));
    }
    return { ...machine, States: states };
  };
  return { definition: adapt(definition) as AslDefinition, readerStates };
}

function adaptNested(state: any, adapt: (m: { States: Record<string, any> }) => { States: Record<string, any> }): any {
  if (state.Type === 'Parallel') return { ...state, Branches: state.Branches.map(adapt) };
  if (state.Type === 'Map' && state.ItemProcessor) return { ...state, ItemProcessor: adapt(state.ItemProcessor) };
  if (state.Type === 'Map' && state.Iterator) return { ...state, Iterator: adapt(state.Iterator) };
  return state;
}

/** The reader Task's handler: the work list, cut into batches as ItemBatcher would. */
export function itemReaderHandler(source: ItemSource) {
  return async (input: { reader: { Bucket: string; Key: string }; batcher: { MaxItemsPerBatch: number; BatchInput: unknown; batched: boolean } }) => {
    const items = await source(input.reader);
    if (!Array.isArray(items)) throw new Error(`the work list at ${input.reader.Bucket}/${input.reader.Key} is not a JSON array`);
    if (!input.batcher.batched) return items;
    const size = Math.max(1, input.batcher.MaxItemsPerBatch);
    const batches: { BatchInput: unknown; Items: unknown[] }[] = [];
    for (let i = 0; i < items.length; i += size) batches.push({ BatchInput: input.batcher.BatchInput, Items: items.slice(i, i + size) });
    return batches;
  };
}

/**
 * The definition with the MaxConcurrency of the map named `mapName` set to `concurrency` (when
 * given): the local runner's `--workers`, where AWS takes the construct's setting.
 */
export function withConcurrency(definition: AslDefinition, mapName: string, concurrency: number | undefined): AslDefinition {
  if (concurrency === undefined) return definition;
  const set = (machine: { States: Record<string, any> }): { States: Record<string, any> } => ({
    ...machine,
    States: Object.fromEntries(
      Object.entries(machine.States).map(([name, state]) => {
        const nested = adaptNested(state, set);
        return [name, name === mapName && nested.Type === 'Map' ? { ...nested, MaxConcurrency: concurrency } : nested];
      }),
    ),
  });
  return set(definition) as AslDefinition;
}
