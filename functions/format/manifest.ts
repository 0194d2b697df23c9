/**
 * `manifest.json` (FORMAT.md "Manifest"): written last, it is the commit marker of a backup. It
 * lists every file with its SHA-256 and size as stored, and the element totals per label.
 *
 * The manifest holds no graph data (only counts, names and hashes), so plain `JSON.parse` is fine.
 */
import { ManifestInvalidError, UnsupportedFormatVersionError } from './errors';
import { type FileKind, classifyFile, isDataKind, isFileKind, isSchemaKind } from './naming';

export const MANIFEST_FILE = 'manifest.json';
export const FORMAT_VERSION = 1;
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [FORMAT_VERSION];

/** One stored file. Data files hold one label's elements; schema files hold all of one kind. */
export interface ManifestFile {
  readonly name: string;
  readonly type: FileKind;
  /** The vertex or edge label, for data files only. */
  readonly label?: string;
  readonly elements: number;
  /** Size as stored (the zip when compressed). */
  readonly bytes: number;
  /** SHA-256 of the bytes as stored, lowercase hex. */
  readonly sha256: string;
  readonly compressed: boolean;
}

export interface LabelTotals {
  readonly vertex: Readonly<Record<string, number>>;
  readonly edge: Readonly<Record<string, number>>;
}

export interface ManifestTotals {
  readonly vertices: number;
  readonly edges: number;
  readonly files: number;
  readonly bytes: number;
}

export interface Manifest {
  readonly formatVersion: typeof FORMAT_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly backupId?: string;
  readonly graph: string;
  /** Null for servers without graph spaces. */
  readonly graphspace: string | null;
  readonly server: { readonly version: string; readonly backend: string };
  /** Modes seen on the source graph when the backup started. */
  readonly modes: { readonly graphMode: string; readonly readMode: string };
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Schema files first, then vertex files, then edge files. */
  readonly files: readonly ManifestFile[];
  /** Elements per label, labels with no element included (0). */
  readonly labels: LabelTotals;
  readonly totals: ManifestTotals;
}

export type ManifestInput = Omit<Manifest, 'formatVersion' | 'labels' | 'totals' | 'files'> & {
  readonly files: readonly ManifestFile[];
  /** Labels to list even when no file holds them (empty labels). */
  readonly emptyLabels?: { readonly vertex?: readonly string[]; readonly edge?: readonly string[] };
};

const KIND_ORDER: Record<FileKind, number> = { propertykeys: 0, vertexlabels: 1, edgelabels: 2, indexlabels: 3, vertices: 4, edges: 5 };

/** Builds a manifest: orders the files and computes the per-label totals and grand totals. */
export function createManifest(input: ManifestInput): Manifest {
  const { emptyLabels, files: unordered, ...rest } = input;
  const files = [...unordered].sort((a, b) => KIND_ORDER[a.type] - KIND_ORDER[b.type] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const vertex = new Map<string, number>((emptyLabels?.vertex ?? []).map((l) => [l, 0]));
  const edge = new Map<string, number>((emptyLabels?.edge ?? []).map((l) => [l, 0]));
  for (const f of files) {
    if (f.label === undefined) continue;
    const totals = f.type === 'vertices' ? vertex : edge;
    totals.set(f.label, (totals.get(f.label) ?? 0) + f.elements);
  }
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    tool: rest.tool,
    ...(rest.backupId === undefined ? {} : { backupId: rest.backupId }),
    graph: rest.graph,
    graphspace: rest.graphspace,
    server: rest.server,
    modes: rest.modes,
    startedAt: rest.startedAt,
    finishedAt: rest.finishedAt,
    files: files.map(normalizeFile),
    labels: { vertex: sortKeys(vertex), edge: sortKeys(edge) },
    totals: {
      vertices: sum([...vertex.values()]),
      edges: sum([...edge.values()]),
      files: files.length,
      bytes: sum(files.map((f) => f.bytes)),
    },
  };
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new ManifestInvalidError(problems);
  return manifest;
}

function normalizeFile(f: ManifestFile): ManifestFile {
  return {
    name: f.name,
    type: f.type,
    ...(f.label === undefined ? {} : { label: f.label }),
    elements: f.elements,
    bytes: f.bytes,
    sha256: f.sha256,
    compressed: f.compressed,
  };
}

function sortKeys(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** The manifest's text: indented JSON with a final newline. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Parses and validates `manifest.json`. An unknown `formatVersion` gives an
 * {@link UnsupportedFormatVersionError}; every other problem is collected and reported at once in
 * one {@link ManifestInvalidError}. Unknown members are ignored (later v1 writers may add some).
 */
export function parseManifest(text: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ManifestInvalidError([`not valid JSON (${(err as Error).message})`], { cause: err });
  }
  if (!isObject(value)) throw new ManifestInvalidError(['the top level is not a JSON object']);
  if (!('formatVersion' in value)) throw new ManifestInvalidError(['formatVersion is missing']);
  if (!SUPPORTED_FORMAT_VERSIONS.includes(value['formatVersion'] as number)) {
    throw new UnsupportedFormatVersionError(value['formatVersion'], SUPPORTED_FORMAT_VERSIONS);
  }
  const problems = manifestProblems(value);
  if (problems.length > 0) throw new ManifestInvalidError(problems);
  return value as unknown as Manifest;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SHA256 = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Every rule a v1 manifest must meet; an empty list means valid. */
function manifestProblems(m: Record<string, unknown> | Manifest): string[] {
  const p: string[] = [];
  const o = m as Record<string, unknown>;
  const str = (path: string, v: unknown, nullable = false): void => {
    if (!(typeof v === 'string' && v.length > 0) && !(nullable && v === null)) p.push(`${path} must be a non-empty string${nullable ? ' or null' : ''}`);
  };
  const count = (path: string, v: unknown): v is number => {
    const ok = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (!ok) p.push(`${path} must be a whole number ≥ 0`);
    return ok;
  };
  const obj = (path: string, v: unknown): Record<string, unknown> => {
    if (isObject(v)) return v;
    p.push(`${path} must be an object`);
    return {};
  };

  const tool = obj('tool', o['tool']);
  str('tool.name', tool['name']);
  str('tool.version', tool['version']);
  if (o['backupId'] !== undefined) str('backupId', o['backupId']);
  str('graph', o['graph']);
  str('graphspace', o['graphspace'], true);
  const server = obj('server', o['server']);
  str('server.version', server['version']);
  str('server.backend', server['backend']);
  const modes = obj('modes', o['modes']);
  str('modes.graphMode', modes['graphMode']);
  str('modes.readMode', modes['readMode']);
  for (const k of ['startedAt', 'finishedAt']) {
    if (typeof o[k] !== 'string' || !ISO_UTC.test(o[k] as string) || Number.isNaN(Date.parse(o[k] as string))) {
      p.push(`${k} must be an ISO 8601 UTC time such as 2026-11-24T21:56:00.000Z`);
    }
  }

  const perLabel = { vertices: new Map<string, number>(), edges: new Map<string, number>() };
  let fileBytes = 0;
  if (!Array.isArray(o['files'])) p.push('files must be an array');
  const files = Array.isArray(o['files']) ? (o['files'] as unknown[]) : [];
  const names = new Set<string>();
  const schemaKinds = new Set<string>();
  files.forEach((raw, i) => {
    const at = `files[${i}]`;
    if (!isObject(raw)) {
      p.push(`${at} must be an object`);
      return;
    }
    const { name, type, label, elements, bytes, sha256, compressed } = raw;
    if (typeof name !== 'string' || name.length === 0 || name.includes('/')) {
      p.push(`${at}.name must be a file name without '/'`);
      return;
    }
    const where = `${at} (${name})`;
    if (names.has(name)) p.push(`${where} is listed twice`);
    names.add(name);
    const kind = typeof type === 'string' && isFileKind(type) ? type : undefined;
    if (!kind) p.push(`${where}.type must be one of propertykeys, vertexlabels, edgelabels, indexlabels, vertices, edges`);
    const classified = classifyFile(name);
    if (kind && classified?.kind !== kind) p.push(`${where}: type is ${kind}, so the name must start with '${kind}'`);
    if (typeof compressed !== 'boolean') p.push(`${where}.compressed must be true or false`);
    else if (classified && classified.compressed !== compressed) p.push(`${where}: compressed is ${compressed} but the name ${compressed ? 'lacks' : 'has'} the .zip suffix`);
    const n = count(`${where}.elements`, elements);
    if (count(`${where}.bytes`, bytes)) fileBytes += bytes;
    if (typeof sha256 !== 'string' || !SHA256.test(sha256)) p.push(`${where}.sha256 must be 64 lowercase hex digits`);
    if (kind && isSchemaKind(kind)) {
      if (label !== undefined) p.push(`${where}: a schema file has no label`);
      if (schemaKinds.has(kind)) p.push(`${where}: more than one ${kind} file (hugegraph-tools requires exactly one)`);
      schemaKinds.add(kind);
    } else if (kind && isDataKind(kind)) {
      if (typeof label !== 'string' || label.length === 0) p.push(`${where}.label must name the file's ${kind === 'vertices' ? 'vertex' : 'edge'} label`);
      else if (n) perLabel[kind].set(label, (perLabel[kind].get(label) ?? 0) + (elements as number));
    }
  });

  const labels = obj('labels', o['labels']);
  const checkTotals = (key: 'vertex' | 'edge', kind: 'vertices' | 'edges'): number => {
    const recorded = obj(`labels.${key}`, labels[key]);
    let total = 0;
    for (const [label, v] of Object.entries(recorded)) {
      if (!count(`labels.${key}.${label}`, v)) continue;
      total += v;
      const inFiles = perLabel[kind].get(label) ?? 0;
      if (v !== inFiles) p.push(`labels.${key}.${label} is ${v} but its files hold ${inFiles} elements`);
    }
    for (const label of perLabel[kind].keys()) {
      if (!Object.hasOwn(recorded, label)) p.push(`labels.${key} lacks '${label}', which files hold`);
    }
    return total;
  };
  const vertices = checkTotals('vertex', 'vertices');
  const edges = checkTotals('edge', 'edges');
  const totals = obj('totals', o['totals']);
  const expected: Record<string, number> = { vertices, edges, files: files.length, bytes: fileBytes };
  for (const [k, v] of Object.entries(expected)) {
    if (count(`totals.${k}`, totals[k]) && totals[k] !== v) p.push(`totals.${k} is ${String(totals[k])} but the files add up to ${v}`);
  }
  return p;
}
