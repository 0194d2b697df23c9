import { listBackups } from '../backup/catalog';
import type { ApiDeps } from './restores';
import { API_REFUSALS, ApiError } from './http';
import { GRAPH_NAME } from './restore-request';

/**
 * `GET /backups?graph=&graphspace=`: the complete backups (those with a manifest) below the root,
 * oldest first; `graph` picks one graph, of the DEFAULT graph space unless `graphspace` names another.
 */
export async function listCompleteBackups(deps: ApiDeps, graph: string | undefined, graphspace?: string): Promise<{ backups: unknown[] }> {
  if (graph !== undefined && !GRAPH_NAME.test(graph)) throw new ApiError(API_REFUSALS.invalidRequest, 'graph must be a graph name');
  if (graphspace !== undefined && (graph === undefined || !GRAPH_NAME.test(graphspace))) throw new ApiError(API_REFUSALS.invalidRequest, 'graphspace must be a graph space name, given with graph');
  const listings = await listBackups(deps.storage(deps.config.backupRoot), graph === undefined ? undefined : { graph, graphspace });
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
