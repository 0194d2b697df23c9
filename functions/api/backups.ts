import { listBackups } from '../backup/catalog';
import type { ApiDeps } from './restores';
import { API_REFUSALS, ApiError } from './http';
import { GRAPH_NAME } from './restore-request';

/** `GET /backups?graph=`: the complete backups (those with a manifest) below the root, oldest first; `graph` picks a graph of the DEFAULT graph space. */
export async function listCompleteBackups(deps: ApiDeps, graph: string | undefined): Promise<{ backups: unknown[] }> {
  if (graph !== undefined && !GRAPH_NAME.test(graph)) throw new ApiError(API_REFUSALS.invalidRequest, 'graph must be a graph name');
  const listings = await listBackups(deps.storage(deps.config.backupRoot), graph === undefined ? undefined : { graph });
  return {
    backups: listings
      .filter((b) => b.state === 'complete')
      .map((b) => ({
        graph: b.graph,
        ...(b.graphspace ? { graphspace: b.graphspace } : {}),
        backupId: b.backupId,
        location: b.location.replace(/\/+$/, ''),
        startedAt: b.startedAt,
        finishedAt: b.finishedAt,
        vertices: b.vertices,
        edges: b.edges,
        bytes: b.bytes,
        serverVersion: b.serverVersion,
      })),
  };
}
