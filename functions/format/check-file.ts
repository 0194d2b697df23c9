import { classifyFile, isExtraKind, type ManifestFileType } from './naming';
import { readFileLines } from './file-reader';
import { DigestCounter, sha256OfStream } from './verify';

/** What a stored file should be: the manifest's entry (a hugegraph-tools file has no checksum nor count). */
export interface ExpectedFile {
  readonly name: string;
  readonly type: ManifestFileType;
  readonly sha256?: string;
  readonly bytes?: number;
  readonly elements?: number;
}

export type FileProblem =
  | { readonly file: string; readonly problem: 'missing' }
  | { readonly file: string; readonly problem: 'checksum'; readonly expected: string; readonly actual: string; readonly expectedBytes: number; readonly actualBytes: number }
  | { readonly file: string; readonly problem: 'unreadable'; readonly detail: string }
  | { readonly file: string; readonly problem: 'count'; readonly expected: number; readonly actual: number };

export interface FileCheck {
  readonly problem?: FileProblem;
  readonly bytes: number;
  readonly elements: number;
}

/**
 * Reads a stored file once: its size and SHA-256 must be the expected ones, it must unzip and
 * every line must have the shape of its kind (FORMAT.md "Lines"), and it must hold the expected
 * number of elements. `open` gives the file's bytes; it is called again only after a read error,
 * to tell damage (checksum) from a bad writer (unreadable).
 */
export async function checkStoredFile(
  file: ExpectedFile,
  open: () => Promise<AsyncIterable<Uint8Array>>,
  count: (body: AsyncIterable<Uint8Array>) => Promise<number> = (body) => countLineElements(file, body),
): Promise<FileCheck> {
  const source = (await open())[Symbol.asyncIterator]();
  const digest = new DigestCounter();
  const hashed = async function* () {
    try {
      for (let next = await source.next(); !next.done; next = await source.next()) {
        digest.update(next.value);
        yield next.value;
      }
    } finally {
      // The counter stops at the end of the last line, which in a zip is before the archive's
      // trailer: the bytes it leaves are hashed too (a file whose trailer began a chunk of its own
      // came out short by that chunk, and was called damaged).
      for (let next = await source.next(); !next.done; next = await source.next()) digest.update(next.value);
    }
  };
  let elements = 0;
  let readError: Error | undefined;
  try {
    elements = await count(hashed());
  } catch (error) {
    readError = error as Error;
  }
  const actual = readError && file.sha256 ? await sha256OfStream(await open()) : digest.digest();
  if (file.sha256 && (actual.sha256 !== file.sha256 || (file.bytes !== undefined && actual.bytes !== file.bytes))) {
    return {
      problem: { file: file.name, problem: 'checksum', expected: file.sha256, actual: actual.sha256, expectedBytes: file.bytes ?? actual.bytes, actualBytes: actual.bytes },
      bytes: actual.bytes,
      elements: 0,
    };
  }
  if (readError) return { problem: { file: file.name, problem: 'unreadable', detail: readError.message }, bytes: actual.bytes, elements: 0 };
  if (file.elements !== undefined && elements !== file.elements) {
    return { problem: { file: file.name, problem: 'count', expected: file.elements, actual: elements }, bytes: actual.bytes, elements };
  }
  return { bytes: actual.bytes, elements };
}

/** Elements of a file of lines, each line checked for the shape of the file's kind. */
async function countLineElements(file: ExpectedFile, body: AsyncIterable<Uint8Array>): Promise<number> {
  let elements = 0;
  for await (const line of readFileLines(file.name, body, { expect: isExtraKind(file.type) ? undefined : file.type })) elements += line.rawElements.length;
  return elements;
}

/** One line for a person. */
export function describeFileProblem(p: FileProblem): string {
  switch (p.problem) {
    case 'missing':
      return `${p.file}: missing`;
    case 'checksum':
      return `${p.file}: SHA-256 ${p.actual} (${p.actualBytes} bytes), manifest says ${p.expected} (${p.expectedBytes} bytes)`;
    case 'unreadable':
      return `${p.file}: cannot be read: ${p.detail}`;
    case 'count':
      return `${p.file}: holds ${p.actual} elements, manifest says ${p.expected}`;
  }
}

/**
 * Files of a backup folder named like backup files (one of the six prefixes) that the manifest does not list
 * (FORMAT.md "Unlisted files"): readers restore only what the manifest lists, and warn of these,
 * since hugegraph-tools would load them.
 */
export function unlistedDataFiles(stored: Iterable<string>, listed: Iterable<string>): string[] {
  const known = new Set(listed);
  return [...stored].filter((name) => !known.has(name) && !name.includes('/') && classifyFile(name) !== undefined);
}
