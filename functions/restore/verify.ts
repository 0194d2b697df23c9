import { MESSAGES } from '../workflow/messages';
import type { WorkflowRuntime } from '../workflow/runtime';
import { mapWithConcurrency } from '../concurrency';
import type { ElementFold, GraphReader, SchemaReader } from '../hugegraph';
import { RestoreCountMismatchError, type CountMismatch } from './errors';
import { elementLabel } from './element-fix';
import { verifyRecordKey, workListKey } from './layout';
import type { PlanRecord } from './plan';
import { readDoneRecord, readPlanRecord, type DoneRecord } from './state';
import type { FileItem, RestoreJob, VerifyRecord, VerifyResult } from './types';

type Counts = Record<string, number>;
type ByType = Record<'vertices' | 'edges', Counts>;

/** Done records read at once, and labels counted at once on the target (the backup's label concurrency). */
const RECORD_READS = 16;
const LABEL_COUNTS = 4;
/**
 * Elements per request when counting. Pages are read as a stream, one element in memory at a
 * time, so a larger page costs no memory, only fewer requests.
 */
const PAGE_SIZE = 10_000;

/**
 * Checks that the target got what the backup held, per label, and reports every mismatch at once:
 *
 * - always: every file of the work lists has a done record, and the elements the server
 *   acknowledged (each batch answered with one id per element) add up, per label, to the manifest's
 *   files. For a hugegraph-tools folder (no manifest) the done records are all there is.
 * - with `job.verifyTarget`: every label is also counted on the target by paging through it, which
 *   reads the whole graph once more. RESTORING must find exactly the backup's count (this catches
 *   duplicate ids in the backup and writers that changed the graph meanwhile); MERGING at least it.
 *
 * The per-label figures go to a record in the state location (labels can be thousands; the state
 * machine's payload holds only totals), which finish reads for its summary.
 */
export async function verifyRestore(runtime: WorkflowRuntime, job: RestoreJob): Promise<VerifyResult> {
  const state = runtime.storage(job.stateLocation);
  const items: FileItem[] = [];
  for (const type of ['vertices', 'edges'] as const) {
    items.push(...(JSON.parse((await state.get(workListKey(job.statePrefix, type))).toString('utf8')) as FileItem[]));
  }
  const records = await mapWithConcurrency(items, RECORD_READS, (item) => readDoneRecord(state, job, item.name));
  const unrestored = items.filter((_, i) => records[i] === undefined).map((item) => item.name);
  const restored = restoredPerLabel(items, records);
  const expected = job.source.hasManifest ? expectedPerLabel(items, (await readPlanRecord(state, job))?.labels) : restored;

  const mismatches: CountMismatch[] = [];
  for (const type of ['vertices', 'edges'] as const) {
    for (const [label, want] of Object.entries(expected[type])) {
      const have = restored[type][label] ?? 0;
      if (have !== want) mismatches.push({ kind: kindOf(type), label, expected: want, actual: have, where: 'acknowledged' });
    }
  }
  if (mismatches.length || unrestored.length) throw new RestoreCountMismatchError(job.target.graph, job.mode, mismatches, unrestored);

  let counted: ByType | undefined;
  if (job.verifyTarget) {
    const client = await runtime.connect(job.target);
    const labels = Object.keys(expected.vertices).length + Object.keys(expected.edges).length;
    const report = (kind: 'vertex' | 'edge') => (label: string, elements: number) => runtime.notify(MESSAGES.labelCounted.of({ kind, label, elements, labels }));
    counted = {
      vertices: await countLabels(client, 'vertex', Object.keys(expected.vertices), report('vertex')),
      edges: await countLabels(client, 'edge', Object.keys(expected.edges), report('edge')),
    };
    for (const type of ['vertices', 'edges'] as const) {
      for (const [label, want] of Object.entries(expected[type])) {
        const have = counted[type][label] ?? 0;
        const ok = job.mode === 'MERGING' ? have >= want : have === want;
        if (!ok) mismatches.push({ kind: kindOf(type), label, expected: want, actual: have, where: 'target' });
      }
    }
    if (mismatches.length) throw new RestoreCountMismatchError(job.target.graph, job.mode, mismatches);
  }

  const record: VerifyRecord = { expected, ...(counted ? { counted } : {}) };
  await state.put(verifyRecordKey(job.statePrefix), JSON.stringify(record));
  const total = (counts: Counts) => Object.values(counts).reduce((a, b) => a + b, 0);
  return { vertices: total(expected.vertices), edges: total(expected.edges), countedOnTarget: counted !== undefined };
}

function kindOf(type: 'vertices' | 'edges'): 'vertex' | 'edge' {
  return type === 'vertices' ? 'vertex' : 'edge';
}

/**
 * The manifest's counts, as the work list carries them (every manifest file has a label and a
 * count), plus the manifest's empty labels at 0, which --verify-target checks too.
 */
function expectedPerLabel(items: readonly FileItem[], manifestLabels: PlanRecord['labels']): ByType {
  const out: ByType = { vertices: {}, edges: {} };
  for (const label of Object.keys(manifestLabels?.vertex ?? {})) out.vertices[label] = 0;
  for (const label of Object.keys(manifestLabels?.edge ?? {})) out.edges[label] = 0;
  for (const item of items) {
    const label = item.label ?? '';
    out[item.type][label] = (out[item.type][label] ?? 0) + (item.elements ?? 0);
  }
  return out;
}

function restoredPerLabel(items: readonly FileItem[], records: readonly (DoneRecord | undefined)[]): ByType {
  const out: ByType = { vertices: {}, edges: {} };
  records.forEach((record, i) => {
    if (!record) return;
    const type = (items[i] as FileItem).type;
    for (const [label, n] of Object.entries(record.labels)) out[type][label] = (out[type][label] ?? 0) + n;
  });
  return out;
}

/**
 * Elements per label on the target, by paging through each label, a few labels at a time. A label
 * without a label index cannot be listed by label; those are counted in one pass over every
 * element of the kind.
 */
export async function countLabels(
  client: GraphReader & Pick<SchemaReader, 'listVertexLabels' | 'listEdgeLabels'>,
  kind: 'vertex' | 'edge',
  labels: string[],
  onCounted: (label: string, elements: number) => void = () => undefined,
): Promise<Counts> {
  if (labels.length === 0) return {};
  const schema = kind === 'vertex' ? await client.listVertexLabels() : await client.listEdgeLabels();
  const unindexed = new Set(schema.elements.filter((l) => l.enable_label_index === false).map((l) => l.name));
  const known = new Set(schema.elements.map((l) => l.name));
  const counts: Counts = {};
  const indexed = labels.filter((l) => known.has(l) && !unindexed.has(l));
  for (const label of labels) if (!known.has(label)) counts[label] = 0;
  const perLabel = await mapWithConcurrency(indexed, LABEL_COUNTS, async (label) => {
    const elements = await client.count(kind, label, { pageSize: PAGE_SIZE });
    onCounted(label, elements);
    return elements;
  });
  for (const [i, label] of indexed.entries()) counts[label] = perLabel[i] as number;
  const scan = labels.filter((l) => unindexed.has(l));
  if (scan.length) {
    for (const label of scan) counts[label] = 0;
    for await (const page of client.foldPages(kind, undefined, tallyPerLabel(new Set(scan)), { pageSize: PAGE_SIZE })) {
      for (const [label, n] of page.value) counts[label] = (counts[label] ?? 0) + n;
    }
    for (const label of scan) onCounted(label, counts[label] ?? 0);
  }
  return counts;
}

/** Elements per label of a page, for the labels asked about. */
function tallyPerLabel(labels: ReadonlySet<string>): ElementFold<Map<string, number>> {
  return {
    start: () => new Map(),
    add: (counts, element) => {
      const label = elementLabel(element.toString('utf8'));
      if (label !== undefined && labels.has(label)) counts.set(label, (counts.get(label) ?? 0) + 1);
      return counts;
    },
  };
}
