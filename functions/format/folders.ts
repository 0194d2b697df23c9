/**
 * Where a graph's backups are below a root (FORMAT.md "Folders"): `<graph>/` for the DEFAULT graph
 * space (and servers without graph spaces, before 1.7.0), `_graphspaces/<graphspace>/<graph>/` for
 * any other graph space. Graph names start with a letter (HugeGraph: `^[A-Za-z][A-Za-z0-9_]{0,47}$`),
 * so no graph's folder is `_graphspaces`; hgbr before graph spaces skips folders starting with `_`
 * when it lists a root, and still reads a backup below one given its full location.
 */
import { parseBackupId } from './naming';

export const GRAPHSPACES_FOLDER = '_graphspaces';
export const DEFAULT_GRAPHSPACE = 'DEFAULT';

/** Which graph a backup is of, as far as where it is stored goes. */
export interface BackupGraph {
  readonly graph: string;
  /** Absent, null or DEFAULT: the DEFAULT graph space (or a server before 1.7.0). */
  readonly graphspace?: string | null;
}

/** The graph space a graph's folder is apart for: undefined for DEFAULT (and servers without graph spaces). */
export function namedGraphspace(graphspace: string | null | undefined): string | undefined {
  return graphspace && graphspace !== DEFAULT_GRAPHSPACE ? graphspace : undefined;
}

/** The graph's folder below a root, without slashes at either end. */
export function graphFolder(of: BackupGraph): string {
  const space = namedGraphspace(of.graphspace);
  return space ? `${GRAPHSPACES_FOLDER}/${space}/${of.graph}` : of.graph;
}

/** A backup's folder split into the root's segments, the graph (and graph space) and the backup id. */
export interface BackupPath {
  readonly rootSegments: string[];
  readonly of: BackupGraph;
  readonly backupId: string;
}

/**
 * Reads `…/<graph>/<backupId>` or `…/_graphspaces/<graphspace>/<graph>/<backupId>` from the
 * segments of a path; undefined when the last segment is no backup id.
 */
export function parseBackupPath(segments: readonly string[]): BackupPath | undefined {
  const backupId = segments.at(-1);
  const graph = segments.at(-2);
  if (backupId === undefined || graph === undefined || graph === '' || !parseBackupId(backupId)) return undefined;
  if (segments.at(-4) === GRAPHSPACES_FOLDER && segments.length >= 4) {
    return { rootSegments: segments.slice(0, -4), of: { graph, graphspace: segments.at(-3) as string }, backupId };
  }
  return { rootSegments: segments.slice(0, -2), of: { graph }, backupId };
}
