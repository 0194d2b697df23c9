/**
 * `manifest.json` (FORMAT.md "Manifest"): written last, it is the commit marker of a backup. It
 * lists every file with its SHA-256 and size as stored, and the element totals per label.
 *
 * The manifest holds no graph data (only counts, names and hashes), so plain `JSON.parse` is fine.
 */
import { ManifestInvalidError, UnsupportedFormatVersionError } from './errors';
import { CONTENT_KINDS, type ContentKind, classifyFile, extraFileName, isContentKind, isDataKind, isExtraKind, isFileKind, isSchemaKind, type ManifestFileType, V1_CONTENTS } from './naming';

export const MANIFEST_FILE = 'manifest.json';
/** The newest version; a writer writes the lowest one that describes the backup ({@link formatVersionFor}). */
export const FORMAT_VERSION = 2;
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1, 2];

/** One stored file. Data files hold one label's elements; schema files hold all of one kind. */
export interface ManifestFile {
  readonly name: string;
  readonly type: ManifestFileType;
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

/** Elements of one label the server counted before the export and after it. */
export interface LabelCountWindow {
  readonly atStart: number;
  readonly atEnd: number;
}

/**
 * What the graph did while it was backed up (from `startedAt` to `finishedAt`; HugeGraph has no
 * snapshot over REST). Present when the backup counted every label before and after its export.
 */
export interface ConsistencyWindow {
  readonly counts: {
    readonly vertex: Readonly<Record<string, LabelCountWindow>>;
    readonly edge: Readonly<Record<string, LabelCountWindow>>;
  };
  /** True when a count moved, or differs from what the backup holds: the graph was written meanwhile. */
  readonly writesSeen: boolean;
}

export interface Manifest {
  readonly formatVersion: 1 | 2;
  /**
   * What the backup holds. Written by every writer since version 2; a version 1 manifest without it
   * holds {@link V1_CONTENTS}, and {@link parseManifest} fills that in.
   */
  readonly contents: readonly ContentKind[];
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
  /** Counts before and after the export, when taken (FORMAT.md "Consistency window"). */
  readonly window?: ConsistencyWindow;
}

export type ManifestInput = Omit<Manifest, 'formatVersion' | 'contents' | 'labels' | 'totals' | 'files' | 'window'> & {
  /** Per-label counts the server gave before and after the export; `writesSeen` is derived. */
  readonly counts?: ConsistencyWindow['counts'];
  /** @default {@link V1_CONTENTS} */
  readonly contents?: readonly ContentKind[];
  readonly files: readonly ManifestFile[];
  /** Labels to list even when no file holds them (empty labels). */
  readonly emptyLabels?: { readonly vertex?: readonly string[]; readonly edge?: readonly string[] };
};

const KIND_ORDER: Record<ManifestFileType, number> = { propertykeys: 0, vertexlabels: 1, edgelabels: 2, indexlabels: 3, vertices: 4, edges: 5, variables: 6, auth: 7, config: 8 };

/**
 * The version a manifest must have. Version 1 readers take a backup to hold the schema, every
 * vertex and every edge, and know the six file kinds only: a backup that lacks one of those, or
 * holds a file of another kind, would be misread by them, so it is version 2. Any other backup
 * stays version 1, which every hgbr reads.
 */
export function formatVersionFor(contents: readonly ContentKind[], files: readonly Pick<ManifestFile, 'type'>[]): 1 | 2 {
  const v1Readable = V1_CONTENTS.every((k) => contents.includes(k)) && files.every((f) => isFileKind(f.type));
  return v1Readable ? 1 : 2;
}

/** Builds a manifest: orders the files and computes the per-label totals and grand totals. */
export function createManifest(input: ManifestInput): Manifest {
  const { emptyLabels, files: unordered, contents: given, counts, ...rest } = input;
  const contents = CONTENT_KINDS.filter((k) => (given ?? V1_CONTENTS).includes(k));
  const files = [...unordered].sort((a, b) => KIND_ORDER[a.type] - KIND_ORDER[b.type] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const vertex = new Map<string, number>((emptyLabels?.vertex ?? []).map((l) => [l, 0]));
  const edge = new Map<string, number>((emptyLabels?.edge ?? []).map((l) => [l, 0]));
  for (const f of files) {
    if (f.label === undefined) continue;
    const totals = f.type === 'vertices' ? vertex : edge;
    totals.set(f.label, (totals.get(f.label) ?? 0) + f.elements);
  }
  const manifest: Manifest = {
    formatVersion: formatVersionFor(contents, files),
    contents,
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
  if (counts) Object.assign(manifest, { window: { counts, writesSeen: writesSeen(counts, manifest.labels) } });
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new ManifestInvalidError(problems);
  return manifest;
}

/**
 * Whether the counts show the graph written during the backup: a label whose count moved between
 * start and end, or whose count differs from what the backup holds (a write between the count and
 * the read), or that one count saw and the backup does not hold.
 */
export function writesSeen(counts: ConsistencyWindow['counts'], labels: LabelTotals): boolean {
  return (['vertex', 'edge'] as const).some((kind) => {
    const names = new Set([...Object.keys(counts[kind]), ...Object.keys(labels[kind])]);
    return [...names].some((label) => {
      const c = counts[kind][label];
      const held = labels[kind][label];
      return c === undefined || held === undefined || c.atStart !== c.atEnd || c.atStart !== held;
    });
  });
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
  return (value['contents'] === undefined ? { ...value, contents: V1_CONTENTS } : value) as unknown as Manifest;
}

/**
 * `contents`, checked: required from version 2, optional in version 1 (absent means
 * {@link V1_CONTENTS}). Undefined when it is unusable (the problem is recorded).
 */
function contentsOf(o: Record<string, unknown>, p: string[]): readonly ContentKind[] | undefined {
  const raw = o['contents'];
  if (raw === undefined && o['formatVersion'] === 1) return V1_CONTENTS;
  const ok = Array.isArray(raw) && raw.every((k) => typeof k === 'string' && isContentKind(k)) && new Set(raw).size === raw.length && raw.includes('schema');
  if (!ok) {
    p.push(`contents must list each of what the backup holds once (${CONTENT_KINDS.join(', ')}), schema always`);
    return undefined;
  }
  return raw as ContentKind[];
}

function windowProblems(p: string[], raw: unknown, labels: LabelTotals | undefined): void {
  const counts = isObject(raw) && isObject(raw['counts']) ? raw['counts'] : undefined;
  const wellFormed =
    counts !== undefined &&
    (['vertex', 'edge'] as const).every((kind) => {
      const byLabel = counts[kind];
      return isObject(byLabel) && Object.values(byLabel).every((c) => isObject(c) && isCount(c['atStart']) && isCount(c['atEnd']));
    });
  if (!wellFormed || !isObject(raw) || typeof raw['writesSeen'] !== 'boolean') {
    p.push('window must be {counts: {vertex, edge}: label → {atStart, atEnd}, writesSeen: true or false}');
    return;
  }
  if (labels && raw['writesSeen'] !== writesSeen(counts as unknown as ConsistencyWindow['counts'], labels)) p.push(`window.writesSeen is ${String(raw['writesSeen'])} but the counts say otherwise`);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A file of a kind beyond the tool's six (version 2): its one name, no label, listed in contents. */
function extraFileProblems(p: string[], where: string, type: ManifestFileType & string, raw: Record<string, unknown>, seen: Set<string>, contents: readonly ContentKind[] | undefined): void {
  if (!isExtraKind(type)) return;
  if (raw['name'] !== extraFileName(type)) p.push(`${where}: a ${type} file must be named ${extraFileName(type)}`);
  if (raw['label'] !== undefined) p.push(`${where}: a ${type} file has no label`);
  if (raw['compressed'] !== false) p.push(`${where}: a ${type} file is not compressed`);
  if (seen.has(type)) p.push(`${where}: more than one ${type} file`);
  seen.add(type);
  if (contents && !contents.includes(type)) p.push(`${where}: a ${type} file, but contents does not list ${type}`);
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

  const contents = contentsOf(o, p);
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
  const extraKinds = new Set<string>();
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
    if (typeof type === 'string' && isExtraKind(type) && o['formatVersion'] !== 1) {
      extraFileProblems(p, where, type, raw, extraKinds, contents);
      count(`${where}.elements`, elements);
      if (count(`${where}.bytes`, bytes)) fileBytes += bytes;
      if (typeof sha256 !== 'string' || !SHA256.test(sha256)) p.push(`${where}.sha256 must be 64 lowercase hex digits`);
      return;
    }
    const kind = typeof type === 'string' && isFileKind(type) ? type : undefined;
    if (!kind) p.push(`${where}.type must be one of propertykeys, vertexlabels, edgelabels, indexlabels, vertices, edges${o['formatVersion'] === 1 ? '' : ', variables'}`);
    const classified = classifyFile(name);
    if (kind && classified?.kind !== kind) p.push(`${where}: type is ${kind}, so the name must start with '${kind}'`);
    if (kind && isDataKind(kind) && contents && !contents.includes(kind)) p.push(`${where} holds ${kind}, which contents does not list`);
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
  for (const [key, kind] of [
    ['vertex', 'vertices'],
    ['edge', 'edges'],
  ] as const) {
    if (contents && !contents.includes(kind) && isObject(labels[key]) && Object.keys(labels[key]).length > 0) p.push(`labels.${key} must be empty: contents does not list ${kind}`);
  }
  if (contents) {
    const version = formatVersionFor(contents, files.filter(isObject) as unknown as Pick<ManifestFile, 'type'>[]);
    if (o['formatVersion'] === 1 && version === 2) p.push('formatVersion is 1, but a version 1 reader would misread this backup (contents lacks schema, vertices or edges): it must be 2');
  }
  if (o['window'] !== undefined) windowProblems(p, o['window'], isObject(labels['vertex']) && isObject(labels['edge']) ? (labels as unknown as LabelTotals) : undefined);
  const totals = obj('totals', o['totals']);
  const expected: Record<string, number> = { vertices, edges, files: files.length, bytes: fileBytes };
  for (const [k, v] of Object.entries(expected)) {
    if (count(`totals.${k}`, totals[k]) && totals[k] !== v) p.push(`totals.${k} is ${String(totals[k])} but the files add up to ${v}`);
  }
  return p;
}
