import type { WorkflowRuntime } from '../backup/runtime';
import type { HugeGraphClient } from '../hugegraph';
import { RestoreCountMismatchError, type CountMismatch } from './errors';
import { elementLabel } from './element-fix';
import { workListKey } from './layout';
import { openBackup } from './source';
import { readDoneRecord } from './state';
import type { FileItem, RestoreJob, VerifyResult } from './types';

type Counts = Record<string, number>;

/**
 * Counts every label of the backup on the target. RESTORING: exactly what the backup held;
 * MERGING: at least that (the target has data of its own). What the backup held is the manifest's
 * per-label totals, or, for a hugegraph-tools folder, what the restored files held (their done
 * records). Every file of the work lists must have been restored. All mismatches are reported at once.
 */
export async function verifyRestore(runtime: WorkflowRuntime, job: RestoreJob): Promise<VerifyResult> {
  const state = runtime.storage(job.stateLocation);
  const items = [
    ...(JSON.parse((await state.get(workListKey(job.statePrefix, 'vertices'))).toString('utf8')) as FileItem[]),
    ...(JSON.parse((await state.get(workListKey(job.statePrefix, 'edges'))).toString('utf8')) as FileItem[]),
  ];
  const fromFiles: Record<'vertices' | 'edges', Counts> = { vertices: {}, edges: {} };
  const unrestored: string[] = [];
  for (const item of items) {
    const record = await readDoneRecord(state, job, item.name);
    if (!record) {
      unrestored.push(item.name);
      continue;
    }
    for (const [label, n] of Object.entries(record.labels)) fromFiles[item.type][label] = (fromFiles[item.type][label] ?? 0) + n;
  }
  let expected = fromFiles;
  if (job.source.hasManifest) {
    const manifest = (await openBackup(runtime.storage(job.source.root), job.source)).manifest;
    if (manifest) expected = { vertices: { ...manifest.labels.vertex }, edges: { ...manifest.labels.edge } };
  }

  const client = await runtime.connect(job.target);
  const actual = {
    vertices: await countLabels(client, 'vertex', Object.keys(expected.vertices)),
    edges: await countLabels(client, 'edge', Object.keys(expected.edges)),
  };
  const result: { vertices: VerifyResult['vertices']; edges: VerifyResult['edges'] } = { vertices: {}, edges: {} };
  const mismatches: CountMismatch[] = [];
  for (const type of ['vertices', 'edges'] as const) {
    for (const [label, want] of Object.entries(expected[type])) {
      const have = actual[type][label] ?? 0;
      result[type][label] = { expected: want, actual: have };
      const ok = job.mode === 'MERGING' ? have >= want : have === want;
      if (!ok) mismatches.push({ kind: type === 'vertices' ? 'vertex' : 'edge', label, expected: want, actual: have });
    }
  }
  if (mismatches.length || unrestored.length) throw new RestoreCountMismatchError(job.target.graph, job.mode, mismatches, unrestored);
  return result;
}

/**
 * Elements per label on the target, by paging through each label. A label without a label index
 * cannot be listed by label; those are counted in one pass over every element of the kind.
 */
export async function countLabels(client: HugeGraphClient, kind: 'vertex' | 'edge', labels: string[]): Promise<Counts> {
  if (labels.length === 0) return {};
  const schema = kind === 'vertex' ? await client.listVertexLabels() : await client.listEdgeLabels();
  const unindexed = new Set(schema.elements.filter((l) => l.enable_label_index === false).map((l) => l.name));
  const known = new Set(schema.elements.map((l) => l.name));
  const counts: Counts = {};
  for (const label of labels) {
    if (!known.has(label)) counts[label] = 0;
    else if (!unindexed.has(label)) counts[label] = await client.count(kind, label);
  }
  const scan = labels.filter((l) => unindexed.has(l));
  if (scan.length) {
    for (const label of scan) counts[label] = 0;
    for await (const page of client.pages(kind, undefined, { pageSize: 10_000 })) {
      for (const raw of page.elements) {
        const label = elementLabel(raw);
        if (label !== undefined && label in counts && unindexed.has(label)) counts[label] = (counts[label] ?? 0) + 1;
      }
    }
  }
  return counts;
}
