import {
  checkStoredFile,
  type ContentKind,
  type FileCheck,
  type FileProblem,
  IncompleteBackupError,
  isExtraKind,
  MANIFEST_FILE,
  parseBackupId,
  parseManifest,
  extraFileElements,
  readFileLines,
  unlistedDataFiles,
  type Manifest,
  type ManifestFile,
} from '../format';
import { ObjectNotFoundError, type BackupStorage } from '../storage/storage';
import { type BackupGraph, backupLockKey, backupPrefix, GRAPHSPACES_FOLDER, graphPrefix, manifestKey, namedGraphspace, prefixLocation } from './layout';
import { isLocalProcessAlive, readLock } from '../workflow/lock';
import { ignoreMessages, MESSAGES, type Notify } from '../workflow/messages';

export interface BackupListing {
  readonly graph: string;
  /** The graph space, when not DEFAULT (backups below `_graphspaces/<graphspace>/`). */
  readonly graphspace?: string;
  readonly backupId: string;
  /** complete: has a manifest; running: holds the graph's lock; incomplete: neither (a dead run). */
  readonly state: 'complete' | 'running' | 'incomplete';
  readonly location: string;
  /** What a complete backup holds (the manifest's `contents`). */
  readonly contents?: readonly ContentKind[];
  /** Whether the counts show the graph written during the backup; absent when it did not count. */
  readonly writesSeen?: boolean;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly vertices?: number;
  readonly edges?: number;
  readonly bytes?: number;
  readonly serverVersion?: string;
}

/**
 * Every backup under a root (or of one graph), oldest first, the DEFAULT graph space's graphs
 * first, then those of each other graph space. Reads manifests, never data files.
 */
export async function listBackups(storage: BackupStorage, only?: BackupGraph): Promise<BackupListing[]> {
  const listings: BackupListing[] = [];
  for (const of of only ? [only] : await graphFolders(storage)) {
    const space = namedGraphspace(of.graphspace);
    const where = { graph: of.graph, ...(space ? { graphspace: space } : {}) };
    const lock = await readLock(storage, backupLockKey(of)).catch(() => undefined);
    // A lock whose owner is provably dead (a process of this host) marks no running backup.
    const runningId = lock && (await isLocalProcessAlive(lock.owner)) !== false ? lock.runId : undefined;
    for await (const prefix of storage.listPrefixes(graphPrefix(of))) {
      const backupId = prefix.slice(graphPrefix(of).length, -1);
      if (!parseBackupId(backupId)) continue;
      const location = prefixLocation(storage.root, prefix);
      const manifest = await readManifestIfAny(storage, of, backupId);
      if (!manifest) {
        listings.push({ ...where, backupId, location, state: runningId === backupId ? 'running' : 'incomplete' });
        continue;
      }
      listings.push({
        ...where,
        backupId,
        location,
        state: 'complete',
        contents: manifest.contents,
        ...(manifest.window ? { writesSeen: manifest.window.writesSeen } : {}),
        startedAt: manifest.startedAt,
        finishedAt: manifest.finishedAt,
        vertices: manifest.totals.vertices,
        edges: manifest.totals.edges,
        bytes: manifest.totals.bytes,
        serverVersion: manifest.server.version,
      });
    }
  }
  // Oldest first; ids of backups started within the same second do not sort by time.
  const graphKey = (b: BackupListing) => `${b.graphspace === undefined ? 0 : 1}${b.graphspace ?? ''}/${b.graph}`;
  return listings.sort((a, b) => (graphKey(a) !== graphKey(b) ? (graphKey(a) < graphKey(b) ? -1 : 1) : (a.startedAt ?? a.backupId) < (b.startedAt ?? b.backupId) ? -1 : 1));
}

/**
 * The graphs a root holds backups of: its top folders (DEFAULT graph space) and those below
 * `_graphspaces/<graphspace>/`. Other folders starting with '_' are hgbr's own records (`_restores/`).
 */
async function graphFolders(storage: BackupStorage): Promise<BackupGraph[]> {
  const top = await collect(storage.listPrefixes(''), (p) => p.slice(0, -1));
  const folders: BackupGraph[] = top.filter((g) => !g.startsWith('_')).map((graph) => ({ graph }));
  if (!top.includes(GRAPHSPACES_FOLDER)) return folders;
  for (const space of await collect(storage.listPrefixes(`${GRAPHSPACES_FOLDER}/`), (p) => p.slice(GRAPHSPACES_FOLDER.length + 1, -1))) {
    for (const graph of await collect(storage.listPrefixes(`${GRAPHSPACES_FOLDER}/${space}/`), (p) => p.slice(GRAPHSPACES_FOLDER.length + space.length + 2, -1))) {
      folders.push({ graph, graphspace: space });
    }
  }
  return folders;
}

export async function readManifest(storage: BackupStorage, of: BackupGraph, backupId: string): Promise<Manifest> {
  const manifest = await readManifestIfAny(storage, of, backupId);
  if (!manifest) throw new IncompleteBackupError(prefixLocation(storage.root, backupPrefix(of, backupId)));
  return manifest;
}

async function readManifestIfAny(storage: BackupStorage, of: BackupGraph, backupId: string): Promise<Manifest | undefined> {
  try {
    return parseManifest((await storage.get(manifestKey(of, backupId))).toString('utf8'));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

export type { FileProblem } from '../format';

export interface VerifyReport {
  readonly backupId: string;
  readonly location: string;
  /** What the backup holds (the manifest's `contents`). */
  readonly contents: readonly ContentKind[];
  /** The manifest's consistency window, when the backup counted the labels. */
  readonly window?: Manifest['window'];
  readonly filesChecked: number;
  readonly bytesChecked: number;
  readonly elementsChecked: number;
  readonly problems: FileProblem[];
  /** Files named like backup files that the manifest does not list: not part of the backup, but hugegraph-tools would load them (a warning). */
  readonly unlisted: string[];
}

/**
 * Reads every file of a backup once: its size and SHA-256 must match the manifest, it must unzip
 * and parse line by line, and it must hold the number of elements the manifest says. Files named
 * like backup files that the manifest does not list are reported apart (FORMAT.md): a warning.
 */
export async function verifyBackup(storage: BackupStorage, of: BackupGraph, backupId: string, notify: Notify = ignoreMessages): Promise<VerifyReport> {
  const manifest = await readManifest(storage, of, backupId);
  const prefix = backupPrefix(of, backupId);
  const problems: FileProblem[] = [];
  let bytesChecked = 0;
  let elementsChecked = 0;
  const totalBytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  for (const file of manifest.files) {
    const result = await verifyFile(storage, `${prefix}${file.name}`, file);
    if (result.problem) problems.push(result.problem);
    bytesChecked += result.bytes;
    elementsChecked += result.elements;
    notify(MESSAGES.fileVerified.of({ file: file.name, bytes: file.bytes, files: manifest.files.length, totalBytes }));
  }
  const stored: string[] = [];
  for await (const object of storage.list(prefix)) stored.push(object.key.slice(prefix.length));
  const unlisted = unlistedDataFiles(stored, [...manifest.files.map((f) => f.name), MANIFEST_FILE]);
  return {
    backupId,
    location: prefixLocation(storage.root, prefix),
    contents: manifest.contents,
    ...(manifest.window ? { window: manifest.window } : {}),
    filesChecked: manifest.files.length,
    bytesChecked,
    elementsChecked,
    problems,
    unlisted,
  };
}

async function verifyFile(storage: BackupStorage, key: string, file: ManifestFile): Promise<FileCheck> {
  try {
    return await checkStoredFile(
      file,
      () => storage.openRead(key),
      (body) => countElements(file, body),
    );
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return { problem: { file: file.name, problem: 'missing' }, bytes: 0, elements: 0 };
    throw error;
  }
}

/** Elements a file holds: lines of elements, or the variables or auth objects of a file of those kinds. */
async function countElements(file: ManifestFile, body: AsyncIterable<Uint8Array>): Promise<number> {
  const type = file.type;
  if (isExtraKind(type)) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return extraFileElements(type, Buffer.concat(chunks), file.name);
  }
  let elements = 0;
  for await (const line of readFileLines(file.name, body, { expect: type })) elements += line.rawElements.length;
  return elements;
}

async function collect<T>(source: AsyncIterable<string>, map: (s: string) => T): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(map(item));
  return out;
}
