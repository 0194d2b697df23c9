/**
 * Fakes of the workflows' ports, written against their interfaces: a test gives the calls the step
 * under test makes, and any other call fails loudly, naming itself.
 */
import type { GraphSession } from '../../functions/hugegraph';
import { openStorage } from '../../functions/storage/open';
import { ignoreMessages } from '../../functions/workflow/messages';
import type { WorkflowRuntime } from '../../functions/workflow/runtime';

function notGiven(name: string): () => never {
  return () => {
    throw new Error(`the fake graph was not given ${name}()`);
  };
}

/** A graph session whose every call fails unless `calls` gives it. */
export function fakeGraph(calls: Partial<GraphSession> = {}): GraphSession {
  const graph: GraphSession = {
    withSignal: () => graph,
    serverVersion: '1.5.0',
    graphInfo: notGiven('graphInfo'),
    getMode: notGiven('getMode'),
    setMode: notGiven('setMode'),
    getReadMode: notGiven('getReadMode'),
    readVariables: notGiven('readVariables'),
    readGraphConfig: notGiven('readGraphConfig'),
    setVariable: notGiven('setVariable'),
    countPerLabel: notGiven('countPerLabel'),
    listAuth: notGiven('listAuth'),
    createAuth: notGiven('createAuth'),
    updateAuth: notGiven('updateAuth'),
    getSchema: notGiven('getSchema'),
    listPropertyKeys: notGiven('listPropertyKeys'),
    listVertexLabels: notGiven('listVertexLabels'),
    listEdgeLabels: notGiven('listEdgeLabels'),
    listIndexLabels: notGiven('listIndexLabels'),
    createPropertyKey: notGiven('createPropertyKey'),
    createVertexLabel: notGiven('createVertexLabel'),
    createEdgeLabel: notGiven('createEdgeLabel'),
    createIndexLabel: notGiven('createIndexLabel'),
    fetchRawPage: notGiven('fetchRawPage'),
    pages: notGiven('pages'),
    foldPages: notGiven('foldPages'),
    count: notGiven('count'),
    shards: notGiven('shards'),
    scanRawPage: notGiven('scanRawPage'),
    createVertices: notGiven('createVertices'),
    createEdges: notGiven('createEdges'),
    getVertex: notGiven('getVertex'),
    ...calls,
  };
  return graph;
}

/** A runtime on this machine with storages opened as asked, the given graph, and a fixed clock. */
export function fakeRuntime(overrides: Partial<WorkflowRuntime> = {}): WorkflowRuntime {
  return {
    connect: async () => fakeGraph(),
    storage: (location) => openStorage(location),
    lockOwner: () => ({ type: 'process', host: 'h', pid: 1 }),
    isLockOwnerAlive: async () => undefined,
    now: () => new Date('2026-11-24T22:00:00Z'),
    remainingMs: () => 60_000,
    notify: ignoreMessages,
    ...overrides,
  };
}
