import { InvalidKeyError } from './errors';

/**
 * Keys are relative to the storage root, '/'-separated, and map one to one onto both an S3 key
 * and a path below a local directory. So a key must not be able to leave the root ("..") or to
 * name the same file two ways ("a//b", "./a"), and must not collide with the local storage's
 * temporary files.
 */

/** Name prefix of the local storage's temporary files; listings skip them, keys may not use it. */
export const TEMP_PREFIX = '.hgbr-tmp-';

const MAX_KEY_BYTES = 1024; // S3's limit, minus nothing: the root prefix is checked by S3 itself

/** Throws InvalidKeyError unless `key` names an object. */
export function checkKey(key: string): string {
  if (key === '') throw new InvalidKeyError(key, 'it is empty');
  if (key.endsWith('/')) throw new InvalidKeyError(key, 'it ends with "/" (that is a prefix, not an object)');
  checkSegments(key, key.split('/'));
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (name.startsWith(TEMP_PREFIX)) throw new InvalidKeyError(key, `names starting with ${TEMP_PREFIX} are reserved`);
  return key;
}

/**
 * Throws InvalidKeyError unless `prefix` is a usable listing prefix: '' (everything), a key prefix
 * such as "graph/" or "graph/2026". Every complete segment (before the last '/') follows the key rules.
 */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const segments = prefix.split('/');
  const last = segments.pop() as string;
  checkSegments(prefix, segments);
  checkChars(prefix, last);
  return prefix;
}

/** The part of a prefix up to and including its last '/': the "directory" a listing starts from. */
export function prefixDirectory(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

function checkSegments(key: string, segments: string[]): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new InvalidKeyError(key, `it is longer than ${MAX_KEY_BYTES} bytes`);
  for (const segment of segments) {
    if (segment === '') throw new InvalidKeyError(key, 'it starts with "/" or has an empty segment ("//")');
    if (segment === '.' || segment === '..') throw new InvalidKeyError(key, `it has a "${segment}" segment`);
    checkChars(key, segment);
  }
}

function checkChars(key: string, segment: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\\\u0000-\u001f\u007f]/.test(segment)) {
    throw new InvalidKeyError(key, 'it contains a backslash or a control character');
  }
}
