/**
 * File names inside one backup folder, and backup ids (FORMAT.md "Layout").
 *
 * hugegraph-tools picks files by name prefix (docs/hugegraph-tools.md §2.6), so the six prefixes below
 * are the whole contract: any other name (`manifest.json`) is invisible to the tool, and any name
 * starting with a prefix is read as that kind, whatever follows it (`vertices0.zip`, ours
 * `vertices-0003-00017.zip`).
 */
import { randomInt } from 'node:crypto';

export const SCHEMA_KINDS = ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'] as const;
export const DATA_KINDS = ['vertices', 'edges'] as const;
/** Schema first, in the order restore needs them. */
export const FILE_KINDS = [...SCHEMA_KINDS, ...DATA_KINDS] as const;

export type SchemaKind = (typeof SCHEMA_KINDS)[number];
export type DataKind = (typeof DATA_KINDS)[number];
export type FileKind = SchemaKind | DataKind;

export const ZIP_SUFFIX = '.zip';

/**
 * Files hgbr adds beside the tool's six kinds (FORMAT.md "Layout"), named so that hugegraph-tools,
 * which reads by the six prefixes, never picks them up. `variables`: the graph's variables;
 * `auth`: the server's users, groups, targets, belongs and accesses; `config`: the graph's
 * configuration (its properties file, secrets withheld).
 */
export const EXTRA_KINDS = ['variables', 'auth', 'config'] as const;
export type ExtraKind = (typeof EXTRA_KINDS)[number];
/** What a manifest file entry's `type` may be. */
export type ManifestFileType = FileKind | ExtraKind;
export const VARIABLES_FILE = 'variables.json';
export const AUTH_FILE = 'auth.json';
export const CONFIG_FILE = 'config.json';
const EXTRA_FILE_NAMES: Record<ExtraKind, string> = { variables: VARIABLES_FILE, auth: AUTH_FILE, config: CONFIG_FILE };

export function isExtraKind(kind: string): kind is ExtraKind {
  return (EXTRA_KINDS as readonly string[]).includes(kind);
}

/** The one name a file of an extra kind has. */
export function extraFileName(kind: ExtraKind): string {
  return EXTRA_FILE_NAMES[kind];
}

/**
 * What a backup may hold, as `--types` names it and the manifest's `contents` lists it: the schema
 * (the four schema files), the vertices, the edges, the graph's variables, the server's auth objects.
 */
export const CONTENT_KINDS = ['schema', 'vertices', 'edges', 'variables', 'auth', 'config'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];
/** What every version 1 backup holds, without saying so. */
export const V1_CONTENTS: readonly ContentKind[] = ['schema', 'vertices', 'edges'];

export function isContentKind(kind: string): kind is ContentKind {
  return (CONTENT_KINDS as readonly string[]).includes(kind);
}

export function isSchemaKind(kind: string): kind is SchemaKind {
  return (SCHEMA_KINDS as readonly string[]).includes(kind);
}

export function isDataKind(kind: string): kind is DataKind {
  return (DATA_KINDS as readonly string[]).includes(kind);
}

export function isFileKind(kind: string): kind is FileKind {
  return isSchemaKind(kind) || isDataKind(kind);
}

export interface ClassifiedFile {
  readonly kind: FileKind;
  /** Decided by the `.zip` suffix, as the tool's `LocalDirectory` does. */
  readonly compressed: boolean;
}

/**
 * The kind of a backup file, by name prefix exactly as hugegraph-tools decides it; undefined for
 * every other name (`manifest.json`, `_hgbr/…`). A path is reduced to its last segment.
 */
export function classifyFile(name: string): ClassifiedFile | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  // The six prefixes are disjoint (no one starts with another), so order does not matter.
  const kind = FILE_KINDS.find((k) => base.startsWith(k));
  return kind ? { kind, compressed: base.endsWith(ZIP_SUFFIX) } : undefined;
}

/** `propertykeys` or `propertykeys.zip`. */
export function schemaFileName(kind: SchemaKind, compressed = true): string {
  return compressed ? `${kind}${ZIP_SUFFIX}` : kind;
}

const DATA_NAME = /^(vertices|edges)-(\d{4,})-(\d{5,})(\.zip)?$/;

/**
 * `vertices-0003-00017.zip`: the label's position in the backup plan (4 digits) and the file's
 * sequence number within the label (5 digits). Wider numbers are written in full; names then
 * still classify and parse, they only stop sorting by number.
 */
export function dataFileName(type: DataKind, labelIndex: number, seq: number, compressed = true): string {
  for (const [what, n] of [
    ['label index', labelIndex],
    ['sequence number', seq],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid ${what} ${n} for a data file name`);
  }
  const name = `${type}-${String(labelIndex).padStart(4, '0')}-${String(seq).padStart(5, '0')}`;
  return compressed ? `${name}${ZIP_SUFFIX}` : name;
}

export interface ParsedDataFileName {
  readonly type: DataKind;
  readonly labelIndex: number;
  readonly seq: number;
  readonly compressed: boolean;
}

/** Parses a name written by {@link dataFileName}; undefined for any other name (the tool's `vertices0`). */
export function parseDataFileName(name: string): ParsedDataFileName | undefined {
  const m = DATA_NAME.exec(name.slice(name.lastIndexOf('/') + 1));
  if (!m) return undefined;
  return { type: m[1] as DataKind, labelIndex: Number(m[2]), seq: Number(m[3]), compressed: m[4] !== undefined };
}

/** The zip entry a file holds: the file name without `.zip` (`vertices0.zip` → `vertices0`). */
export function entryNameOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  return base.endsWith(ZIP_SUFFIX) ? base.slice(0, -ZIP_SUFFIX.length) : base;
}

const BACKUP_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([0-9a-f]{4})$/;

/**
 * A new backup id, `20261124T215600Z-3f9a`: the UTC start time to the second, then 16 random bits
 * so two runs in the same second differ. Ids sort by time as plain strings.
 * @param random returns an integer in [0, 0xffff]
 */
export function newBackupId(now: Date = new Date(), random: () => number = () => randomInt(0x10000)): string {
  if (Number.isNaN(now.getTime()) || now.getUTCFullYear() < 1000 || now.getUTCFullYear() > 9999) {
    throw new RangeError(`Cannot make a backup id from the date ${String(now)}`);
  }
  const r = random();
  if (!Number.isInteger(r) || r < 0 || r > 0xffff) throw new RangeError(`random() gave ${r}, expected an integer in [0, 65535]`);
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, ''); // 2026-11-24T21:56:00 → 20261124T215600
  return `${stamp}Z-${r.toString(16).padStart(4, '0')}`;
}

export interface ParsedBackupId {
  /** The start time encoded in the id (UTC, whole seconds). */
  readonly time: Date;
  readonly suffix: string;
}

/** Parses a backup id; undefined when the text is not one (e.g. another folder under the graph). */
export function parseBackupId(id: string): ParsedBackupId | undefined {
  const m = BACKUP_ID.exec(id);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Reject 20261332T…: Date.UTC rolls over out-of-range fields instead of failing.
  if (time.getUTCFullYear() !== y || time.getUTCMonth() !== mo - 1 || time.getUTCDate() !== d || time.getUTCHours() !== h || time.getUTCMinutes() !== mi || time.getUTCSeconds() !== s) {
    return undefined;
  }
  return { time, suffix: m[7] as string };
}
