import type { WorkflowRuntime } from '../workflow/runtime';
import type { SchemaElement, SchemaWriter } from '../hugegraph';
import { SchemaConflictError } from './errors';
import { readTargetSchema } from './plan';
import { differences, kindName, schemaCreationOrder, type SchemaStep } from './schema-diff';
import { readSchema, openBackup } from './source';
import { assertLockHeld, readPlanRecord } from './state';
import type { RestoreJob } from './types';
import { readBackupVariables, restoreVariables } from './variables';
import { readBackupAuth, restoreAuth } from './auth';

export interface PrepareResult {
  readonly created: number;
  readonly reused: number;
}

/**
 * Puts the target in the restore's mode, creates the backup's schema in dependency order, sets
 * the backup's variables (read back to check them) and restores its auth objects.
 * RESTORING keeps every schema id (so PRIMARY_KEY vertex ids and edge ids come out identical);
 * MERGING lets the server choose ids. Elements the target already has are skipped after checking
 * they are still identical, so a re-run after a partial prepare carries on where it stopped.
 */
export async function prepareRestore(runtime: WorkflowRuntime, job: RestoreJob): Promise<PrepareResult> {
  await assertLockHeld(runtime, job);
  const client = await runtime.connect(job.target);
  const storage = runtime.storage(job.source.root);
  // Plan listed the backup and kept where its schema files are; a record from before that did not.
  const plan = await readPlanRecord(runtime.storage(job.stateLocation), job);
  const schemaFiles = plan?.schemaFiles ?? (await openBackup(storage, job.source)).schemaFiles;
  const backup = await readSchema(storage, { source: job.source, schemaFiles });
  await client.setMode(job.mode);
  const target = await readTargetSchema(client);
  const existing = new Map<string, SchemaElement>();
  for (const kind of ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'] as const) {
    for (const e of target[kind]) existing.set(`${kind}/${e.name}`, e);
  }
  let created = 0;
  let reused = 0;
  const changed = [];
  for (const step of schemaCreationOrder(backup)) {
    const other = existing.get(`${step.kind}/${step.element.name}`);
    if (!other) {
      await createElement(client, job, step);
      created++;
      continue;
    }
    const diff = differences(step.kind, step.element, other, { compareIds: job.mode === 'RESTORING' });
    if (diff.length) changed.push({ kind: kindName(step.kind), name: step.element.name, differences: diff });
    else reused++;
  }
  // Plan found none: the target was changed since. Nothing of the backup's data is written yet.
  if (changed.length) throw new SchemaConflictError(job.target.graph, changed);
  if (plan?.variables) await restoreVariables(client, job.target.graph, await readBackupVariables(storage, job.source.prefix, plan.variables.file));
  if (plan?.auth) await restoreAuth(client, job.target.graph, await readBackupAuth(storage, job.source.prefix, plan.auth.file), plan.auth.onConflict);
  return { created, reused };
}

/**
 * One create. `check_exist: false` makes a repeat of a create that reached the server (a retried
 * request, or two runs racing) harmless: an identical element is answered with the existing one.
 */
async function createElement(client: SchemaWriter, job: RestoreJob, step: SchemaStep): Promise<void> {
  const options = { keepId: job.mode === 'RESTORING', checkExist: false };
  switch (step.kind) {
    case 'propertykeys':
      await client.createPropertyKey(step.element, options);
      return;
    case 'vertexlabels':
      await client.createVertexLabel(step.element, options);
      return;
    case 'edgelabels':
      await client.createEdgeLabel(step.element, options);
      return;
    case 'indexlabels':
      // RESTORING writes into an empty graph: nothing to index yet, so no rebuild task to wait for.
      // MERGING indexes what the target already holds, and waits for that task.
      await client.createIndexLabel(step.element, { ...options, rebuild: job.mode === 'MERGING' });
  }
}
