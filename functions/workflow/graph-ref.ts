export { type BackupGraph, graphFolder, namedGraphspace } from '../format/folders';

/** Where a graph lives. Credentials never travel with it: handlers resolve them from their runtime. */
export interface GraphRef {
  readonly url: string;
  readonly graph: string;
  readonly graphspace?: string;
}
