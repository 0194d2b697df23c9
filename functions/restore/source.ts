/**
 * What a restore reads: an hgbr backup (ROOT/<graph>/<backupId> with manifest.json) or a folder
 * written by hugegraph-tools (the same files, no manifest, so no checksums and no counts).
 */
import {
  classifyFile,
  IncompleteBackupError,
  MANIFEST_FILE,
  graphFolder,
  parseBackupPath,
  parseDataFileName,
  parseManifest,
  readFileLines,
  readVerified,
  SCHEMA_KINDS,
  unlistedDataFiles,
  checkStoredFile,
  describeFileProblem,
  type Manifest,
  type SchemaKind,
} from '../format';
import type { EdgeLabel, IndexLabel, PropertyKey, VertexLabel } from '../hugegraph';
import { parseLosslessObject } from '../json/lossless';
import { formatLocation, ObjectNotFoundError, parseLocation, type BackupStorage } from '../storage/storage';
import { mapWithConcurrency } from '../concurrency';
import { BackupDamagedError, BackupFilesMissingError, NotABackupError } from './errors';
import type { FileItem, SourceRef } from './types';

/** Work folder of a backup being written (backup/layout.ts `workPrefix`); gone once its manifest is. */
const BACKUP_WORK_FOLDER = '_hgbr/';

/** A backup's schema, parsed (schema holds no graph data: small ids, names, enums). */
export interface SchemaSet {
  readonly propertykeys: PropertyKey[];
  readonly vertexlabels: VertexLabel[];
  readonly edgelabels: EdgeLabel[];
  readonly indexlabels: IndexLabel[];
}

/** A schema file to read: its name, and the checksum the manifest gives (none in a tools folder). */
export interface SchemaFileRef {
  readonly name: string;
  readonly sha256?: string;
  readonly bytes?: number;
}

export interface BackupContents {
  readonly source: SourceRef;
  /** Absent for a hugegraph-tools folder. */
  readonly manifest?: Manifest;
  readonly schemaFiles: Record<SchemaKind, SchemaFileRef>;
  /** The graph's variables, when the backup holds any. */
  readonly variablesFile?: SchemaFileRef;
  /** The server's auth objects, when the backup holds any. */
  readonly authFile?: SchemaFileRef;
  readonly vertexFiles: FileItem[];
  readonly edgeFiles: FileItem[];
  readonly warnings: string[];
}

/**
 * Splits a source location into a storage root and the backup's folder below it: ROOT/<graph>/<id>
 * gives root ROOT and prefix `<graph>/<id>/`, ROOT/_graphspaces/<gs>/<graph>/<id> root ROOT and
 * prefix `_graphspaces/<gs>/<graph>/<id>/` (so the state location defaults to ROOT); any other
 * folder (a hugegraph-tools backup) is its own root.
 */
export function resolveSource(source: string): Omit<SourceRef, 'hasManifest'> {
  const location = parseLocation(source);
  const path = location.kind === 'local' ? location.path : location.prefix;
  const parsed = parseBackupPath(path.split('/').filter((p) => p !== ''));
  if (!parsed) return { root: formatLocation(location), prefix: '' };
  const rest = parsed.rootSegments.join('/');
  const root = location.kind === 'local' ? formatLocation({ kind: 'local', path: `/${rest}` }) : formatLocation({ ...location, prefix: rest });
  return { root, prefix: `${graphFolder(parsed.of)}/${parsed.backupId}/` };
}

/** Reads the manifest, or recognises a hugegraph-tools folder; checks that every listed file is stored. */
export async function openBackup(storage: BackupStorage, source: Omit<SourceRef, 'hasManifest'>): Promise<BackupContents> {
  const where = `${storage.root.replace(/\/+$/, '')}/${source.prefix}`;
  const stored = new Map<string, number>();
  let hasWorkFolder = false;
  for await (const object of storage.list(source.prefix)) {
    const name = object.key.slice(source.prefix.length);
    if (name.startsWith(BACKUP_WORK_FOLDER)) hasWorkFolder = true;
    if (!name.includes('/')) stored.set(name, object.size);
  }
  const manifest = stored.has(MANIFEST_FILE) ? await readManifestAt(storage, source.prefix) : undefined;
  if (manifest) return fromManifest(source, manifest, stored, where);
  return fromToolsFolder(source, stored, where, hasWorkFolder);
}

async function readManifestAt(storage: BackupStorage, prefix: string): Promise<Manifest | undefined> {
  try {
    return parseManifest((await storage.get(`${prefix}${MANIFEST_FILE}`)).toString('utf8'));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

function fromManifest(source: Omit<SourceRef, 'hasManifest'>, manifest: Manifest, stored: Map<string, number>, where: string): BackupContents {
  const problems: string[] = [];
  for (const file of manifest.files) {
    const size = stored.get(file.name);
    if (size === undefined) problems.push(`${file.name} is missing`);
    else if (size !== file.bytes) problems.push(`${file.name} holds ${size} bytes, the manifest says ${file.bytes}`);
  }
  const schemaFiles: Partial<Record<SchemaKind, SchemaFileRef>> = {};
  for (const kind of SCHEMA_KINDS) {
    const file = manifest.files.find((f) => f.type === kind);
    if (file) schemaFiles[kind] = { name: file.name, sha256: file.sha256, bytes: file.bytes };
    else problems.push(`the manifest lists no ${kind} file`);
  }
  if (problems.length) throw new BackupFilesMissingError(where, problems);
  const unlisted = unlistedDataFiles(stored.keys(), [...manifest.files.map((f) => f.name), MANIFEST_FILE]);
  const item = (f: Manifest['files'][number]): FileItem => ({
    name: f.name,
    type: f.type as 'vertices' | 'edges',
    label: f.label,
    elements: f.elements,
    bytes: f.bytes,
    sha256: f.sha256,
  });
  return {
    source: { ...source, hasManifest: true },
    manifest,
    schemaFiles: schemaFiles as Record<SchemaKind, SchemaFileRef>,
    ...extraFilesOf(manifest),
    vertexFiles: manifest.files.filter((f) => f.type === 'vertices').map(item),
    edgeFiles: manifest.files.filter((f) => f.type === 'edges').map(item),
    warnings: unlisted.map((name) => `${where}${name} is named like a backup file but the manifest does not list it: it is not restored (hugegraph-tools would load it)`),
  };
}

function extraFilesOf(manifest: Manifest): Pick<BackupContents, 'variablesFile' | 'authFile'> {
  const ref = (type: 'variables' | 'auth') => {
    const file = manifest.files.find((f) => f.type === type);
    return file && { name: file.name, sha256: file.sha256, bytes: file.bytes };
  };
  const [variablesFile, authFile] = [ref('variables'), ref('auth')];
  return { ...(variablesFile ? { variablesFile } : {}), ...(authFile ? { authFile } : {}) };
}

/**
 * A folder without manifest is restorable only as what hugegraph-tools writes: files named by the
 * six prefixes, exactly one per schema kind (the tool's own rule). A folder that hgbr was writing
 * (work records, or data files named the hgbr way) is an unfinished backup, never restored.
 */
function fromToolsFolder(source: Omit<SourceRef, 'hasManifest'>, stored: Map<string, number>, where: string, hasWorkFolder: boolean): BackupContents {
  const names = [...stored.keys()].filter((n) => classifyFile(n) !== undefined).sort();
  if (names.length === 0) throw new NotABackupError(where, `it has no ${MANIFEST_FILE} and no backup files`);
  if (hasWorkFolder || names.some((n) => parseDataFileName(n) !== undefined)) throw new IncompleteBackupError(where);
  const problems: string[] = [];
  const schemaFiles: Partial<Record<SchemaKind, SchemaFileRef>> = {};
  for (const kind of SCHEMA_KINDS) {
    const found = names.filter((n) => classifyFile(n)?.kind === kind);
    if (found.length === 1) schemaFiles[kind] = { name: found[0] as string };
    else problems.push(found.length === 0 ? `no ${kind} file` : `${found.length} ${kind} files (${found.join(', ')}), hugegraph-tools allows exactly one`);
  }
  if (problems.length) throw new NotABackupError(where, `as a hugegraph-tools backup it has ${problems.join(', ')}`);
  const item = (name: string, type: 'vertices' | 'edges'): FileItem => ({ name, type, bytes: stored.get(name) });
  return {
    source: { ...source, hasManifest: false },
    schemaFiles: schemaFiles as Record<SchemaKind, SchemaFileRef>,
    vertexFiles: names.filter((n) => classifyFile(n)?.kind === 'vertices').map((n) => item(n, 'vertices')),
    edgeFiles: names.filter((n) => classifyFile(n)?.kind === 'edges').map((n) => item(n, 'edges')),
    warnings: [
      `${where} has no ${MANIFEST_FILE}: restoring it as a hugegraph-tools backup; its files carry no checksums, so a damaged file is only noticed while its elements are being written, and counts are checked against what the files held`,
    ],
  };
}

/** Reads the four schema files, each verified against its SHA-256 when the manifest gives one. */
export async function readSchema(storage: BackupStorage, contents: Pick<BackupContents, 'source' | 'schemaFiles'>): Promise<SchemaSet> {
  const read = async <T>(kind: SchemaKind): Promise<T[]> => {
    const file = contents.schemaFiles[kind];
    const body = await openBackupFile(storage, contents.source.prefix, file);
    const elements: T[] = [];
    for await (const line of readFileLines(file.name, body, { expect: kind })) {
      for (const raw of line.rawElements) elements.push(parseLosslessObject(raw, { numbers: 'exact' }) as T);
    }
    return elements;
  };
  return {
    propertykeys: await read<PropertyKey>('propertykeys'),
    vertexlabels: await read<VertexLabel>('vertexlabels'),
    edgelabels: await read<EdgeLabel>('edgelabels'),
    indexlabels: await read<IndexLabel>('indexlabels'),
  };
}

/**
 * A file of the backup, as the format readers take it. A file the manifest gives a checksum is read
 * whole (files are bounded) and verified before anything of it is used; a hugegraph-tools file has
 * no checksum to wait for and no bound on its size, so it is streamed.
 */
export async function openBackupFile(storage: BackupStorage, prefix: string, file: { readonly name: string; readonly sha256?: string; readonly bytes?: number }): Promise<AsyncIterable<Uint8Array>> {
  const key = `${prefix}${file.name}`;
  if (!file.sha256) return storage.openRead(key);
  return inMemory(await readVerified(await storage.openRead(key), file.name, { sha256: file.sha256, bytes: file.bytes }));
}

/** A small file of the backup (variables, auth), whole, verified against its SHA-256. */
export async function readWholeFile(storage: BackupStorage, prefix: string, file: SchemaFileRef): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await openBackupFile(storage, prefix, file)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Bytes already in memory, as the stream the format readers take. */
export async function* inMemory(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Files read at once by {@link preflightRead}. */
const PREFLIGHT_CONCURRENCY = 4;

/**
 * Reads every data file of the backup once before anything is written (plan): SHA-256 and size
 * against the manifest, every line's shape, element counts; a hugegraph-tools file, which has no
 * checksum nor count, for its shape. Every damaged file is named in one BackupDamagedError.
 */
export async function preflightRead(storage: BackupStorage, contents: Pick<BackupContents, 'source' | 'vertexFiles' | 'edgeFiles'>): Promise<void> {
  const files = [...contents.vertexFiles, ...contents.edgeFiles];
  const checks = await mapWithConcurrency(files, PREFLIGHT_CONCURRENCY, (file) => checkStoredFile(file, () => storage.openRead(`${contents.source.prefix}${file.name}`)));
  const problems = checks.flatMap((check) => (check.problem ? [describeFileProblem(check.problem)] : []));
  if (problems.length) throw new BackupDamagedError(`${storage.root.replace(/\/+$/, '')}/${contents.source.prefix}`, problems);
}
