/**
 * Object keys of a restore in its state location (by default the backup's root):
 *
 *   _restores/<host>-<port>[-<graphspace>]-<graph>.lock   held while a restore writes to that graph
 *   _restores/<restoreId>/plan.json                      what plan found; read by finish
 *   _restores/<restoreId>/vertices.json, edges.json      the work lists the Distributed Maps read
 *   _restores/<restoreId>/done/<file name>.json          one record per restored file (resume)
 *   _restores/<restoreId>/verify.json                    per-label counts verify found; read by finish
 *   _restores/<restoreId>/results/                       the Distributed Maps' result files (AWS)
 *
 * `_restores` starts with none of the six backup file prefixes, so hugegraph-tools ignores it.
 */
import type { GraphRef } from '../workflow/graph-ref';
import { parseLocation } from '../storage/storage';
import type { ItemsRef } from './types';

export const RESTORES_FOLDER = '_restores';

/** One lock per target graph, named after where the graph lives. */
export function restoreLockKey(target: GraphRef): string {
  let host = target.url;
  let port = '';
  try {
    const url = new URL(target.url);
    host = url.hostname;
    port = url.port || (url.protocol === 'https:' ? '443' : '80');
  } catch {
    // not a URL: the request check reports it; keep the text for the key
  }
  const parts = [host, port, target.graphspace && target.graphspace !== 'DEFAULT' ? target.graphspace : '', target.graph].filter((p) => p !== '');
  return `${RESTORES_FOLDER}/${parts.map(safeSegment).join('-')}.lock`;
}

function safeSegment(text: string): string {
  return text.replace(/[^A-Za-z0-9._]/g, '_');
}

export function statePrefixOf(restoreId: string): string {
  return `${RESTORES_FOLDER}/${restoreId}/`;
}

export function planRecordKey(statePrefix: string): string {
  return `${statePrefix}plan.json`;
}

export function workListKey(statePrefix: string, type: 'vertices' | 'edges'): string {
  return `${statePrefix}${type}.json`;
}

/** Per-label counts verify found; read by finish. */
export function verifyRecordKey(statePrefix: string): string {
  return `${statePrefix}verify.json`;
}

export function doneRecordsPrefix(statePrefix: string): string {
  return `${statePrefix}done/`;
}

export function doneRecordKey(statePrefix: string, fileName: string): string {
  return `${doneRecordsPrefix(statePrefix)}${fileName}.json`;
}

/**
 * Where the Distributed Maps find the work lists. On S3 the keys are full object keys (the state
 * location's prefix included); in a local state folder `bucket` is the folder and keys are relative.
 */
export function itemsRef(stateLocation: string, statePrefix: string): ItemsRef {
  const location = parseLocation(stateLocation);
  const bucket = location.kind === 'local' ? location.path : location.bucket;
  const base = location.kind === 's3' && location.prefix !== '' ? `${location.prefix}/` : '';
  return {
    bucket,
    vertexKey: `${base}${workListKey(statePrefix, 'vertices')}`,
    edgeKey: `${base}${workListKey(statePrefix, 'edges')}`,
    resultsPrefix: `${base}${statePrefix}results/`,
  };
}
