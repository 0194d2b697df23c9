import { type GraphInfo, type GraphSession, HugeGraphConnectionError, HugeGraphNotFoundError, HugeGraphTimeoutError, usesGraphspaces } from '../hugegraph';
import { type GraphRef, namedGraphspace } from './graph-ref';
import { GraphNotFoundError, GraphspaceNotSupportedError, ServerUnreachableError } from './errors';
import type { WorkflowRuntime } from './runtime';

/**
 * A run's first contact with a graph: the server answers, the graph exists and the credentials are
 * accepted (`GET` of the graph needs them), checked once before anything is written. What fails here
 * fails at once with an error a person can act on (a refused connection is a ServerUnreachableError,
 * which no Retry matches; a 401 says whether credentials were given): a dead port costs a second,
 * not the retries meant for errors in the middle of a run. (A backup whose request says
 * `waitForServer` waits for a server it cannot reach: the state machine plans again after a delay.)
 */
export async function connectChecked(runtime: Pick<WorkflowRuntime, 'connect'>, server: GraphRef): Promise<{ session: GraphSession; info: GraphInfo }> {
  try {
    const session = await runtime.connect(server);
    const space = namedGraphspace(server.graphspace);
    // Before 1.7.0 the client ignores the graph space: the graph of DEFAULT would be read or written.
    if (space && !usesGraphspaces(session.serverVersion)) throw new GraphspaceNotSupportedError(server.url, session.serverVersion, space);
    return { session, info: await session.graphInfo() };
  } catch (error) {
    if (error instanceof HugeGraphConnectionError || error instanceof HugeGraphTimeoutError) throw new ServerUnreachableError(server.url, error);
    if (error instanceof HugeGraphNotFoundError) throw new GraphNotFoundError(server.url, server.graph, server.graphspace, error);
    throw error;
  }
}
