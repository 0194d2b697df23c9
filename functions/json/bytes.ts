/**
 * Element boundaries in UTF-8 bytes, for text that is passed on without being looked at: a restore
 * posts a backup line's array as it is stored, so decoding it into a string, slicing and joining
 * it again would only cost CPU and memory. UTF-8 multi-byte sequences never contain ASCII bytes,
 * so quotes, backslashes and brackets are found byte by byte as in text. Like the text scanner,
 * this tracks string boundaries and nesting only; the server validates what is inside.
 */
import { isUtf8 } from 'node:buffer';
import { JsonSyntaxError } from './errors';

// Byte values, local on purpose (see the note in scan.ts).
const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;

/** What a byte means to the nesting scan of {@link skipValueBytes}: 0 nothing, or one of these. */
const STRING_START = 1;
const NEST_OPEN = 2;
const NEST_CLOSE = 3;
const BYTE_ROLE = new Uint8Array(256);
BYTE_ROLE[QUOTE] = STRING_START;
BYTE_ROLE[LBRACE] = NEST_OPEN;
BYTE_ROLE[LBRACKET] = NEST_OPEN;
BYTE_ROLE[RBRACE] = NEST_CLOSE;
BYTE_ROLE[RBRACKET] = NEST_CLOSE;

/**
 * `i` is at an opening quote; returns the index just after the closing quote. A plain loop: most
 * strings of an element are short (keys, ids), where Buffer's indexOf costs more than it saves.
 */
function skipStringBytes(buf: Uint8Array, i: number): number {
  const n = buf.length;
  for (let j = i + 1; j < n; j++) {
    const b = buf[j];
    if (b === QUOTE) return j + 1;
    if (b === BACKSLASH) j++;
  }
  throw new JsonSyntaxError('Unterminated string', i, 'the JSON text is malformed or truncated');
}

function isWhitespace(b: number | undefined): boolean {
  return b === 32 || b === 9 || b === 10 || b === 13;
}

/** Index of the first byte at or after `i` that is not JSON whitespace. */
export function skipWhitespace(buf: Uint8Array, i: number): number {
  while (isWhitespace(buf[i])) i++;
  return i;
}

/** Index just after the JSON value that starts at `i` (an object, array, string or scalar). */
export function skipValueBytes(buf: Uint8Array, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return skipStringBytes(buf, i);
  if (c !== LBRACE && c !== LBRACKET) {
    let j = i;
    while (j < buf.length && buf[j] !== COMMA && buf[j] !== RBRACKET && buf[j] !== RBRACE && !isWhitespace(buf[j])) j++;
    if (j === i) throw new JsonSyntaxError('Expected a value', i);
    return j;
  }
  let depth = 0;
  const n = buf.length;
  for (let j = i; j < n; j++) {
    // One table load per byte instead of five compares: this loop walks every byte of a backup.
    const role = BYTE_ROLE[buf[j] as number];
    if (role === 0) continue;
    if (role === STRING_START) j = skipStringBytes(buf, j) - 1;
    else if (role === NEST_OPEN) depth++;
    else if (--depth === 0) return j + 1;
  }
  throw new JsonSyntaxError('Unterminated object or array', i, 'the JSON text is malformed or truncated');
}

/**
 * How many values the array starting at `start` (its `[`) holds, and the index just after its `]`.
 * With `objects`, every value must be a JSON object (as graph elements are).
 */
export function countArrayBytes(buf: Uint8Array, start: number, options: { objects?: boolean } = {}): { count: number; end: number } {
  if (buf[start] !== LBRACKET) throw new JsonSyntaxError("Expected '['", start);
  let i = skipWhitespace(buf, start + 1);
  if (buf[i] === RBRACKET) return { count: 0, end: i + 1 };
  let count = 0;
  for (;;) {
    if (options.objects && buf[i] !== LBRACE) throw new JsonSyntaxError(`element ${count + 1} is not a JSON object`, i);
    i = skipWhitespace(buf, skipValueBytes(buf, i));
    count++;
    const c = buf[i];
    if (c === RBRACKET) return { count, end: i + 1 };
    if (c !== COMMA) throw new JsonSyntaxError("Expected ',' or ']' after an array element", i);
    i = skipWhitespace(buf, i + 1);
  }
}

/** A page answer `{"<arrayKey>": [e1,…], "page": "<token>"|null, …}` split in bytes; elements are views of `buf`. */
export interface ScannedPageBytes {
  readonly elements: Buffer[];
  readonly page: string | null;
}

/**
 * Splits a page answer into its elements, as views of the answer's bytes (nothing is decoded but
 * member names and the page token), for a backup that writes the server's bytes as they are.
 * The same contract as the text scanner's `scanPage`: other members are skipped, a missing array
 * is empty, `page` must be a string or null.
 */
export function scanPageBytes(buf: Buffer, arrayKey: string): ScannedPageBytes {
  // Nothing is decoded, so check the encoding here: a backup must not store what is not UTF-8.
  if (!isUtf8(buf)) throw new JsonSyntaxError('Invalid UTF-8 in JSON text', 0, 'the server sent bytes that are not UTF-8');
  const elements: Buffer[] = [];
  let page: string | null = null;
  let i = skipWhitespace(buf, buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0);
  if (buf[i] !== LBRACE) throw new JsonSyntaxError('Expected a JSON object', i);
  i = skipWhitespace(buf, i + 1);
  if (buf[i] === RBRACE) return { elements, page };
  for (;;) {
    if (buf[i] !== QUOTE) throw new JsonSyntaxError('Expected a member name', i);
    const keyEnd = skipStringBytes(buf, i);
    const key = JSON.parse(buf.toString('utf8', i, keyEnd)) as string;
    i = skipWhitespace(buf, keyEnd);
    if (buf[i] !== 58 /* : */) throw new JsonSyntaxError("Expected ':'", i);
    const valueStart = skipWhitespace(buf, i + 1);
    // The elements' array is walked once: collecting its elements finds its end.
    const isElements = key === arrayKey && buf[valueStart] === LBRACKET;
    const valueEnd = isElements ? collectElements(buf, valueStart, elements) : skipValueBytes(buf, valueStart);
    if (!isElements && key === 'page') {
      const value = JSON.parse(buf.toString('utf8', valueStart, valueEnd)) as unknown;
      if (value !== null && typeof value !== 'string') throw new JsonSyntaxError("The 'page' member is not a string", valueStart);
      page = value;
    }
    i = skipWhitespace(buf, valueEnd);
    if (buf[i] === RBRACE) break;
    if (buf[i] !== COMMA) throw new JsonSyntaxError("Expected ',' or '}' after a member", i);
    i = skipWhitespace(buf, i + 1);
  }
  if (skipWhitespace(buf, i + 1) !== buf.length) throw new JsonSyntaxError('Unexpected text after the JSON value', i + 1);
  return { elements, page };
}

/** The values of the array that starts at `start` (its `[`), as views of `buf`. */
export function arrayElementsBytes(buf: Buffer, start: number): Buffer[] {
  if (buf[start] !== LBRACKET) throw new JsonSyntaxError("Expected '['", start);
  const out: Buffer[] = [];
  collectElements(buf, start, out);
  return out;
}

/** Adds the values of the array that starts at `start` (its `[`) to `out`; returns the index after its `]`. */
function collectElements(buf: Buffer, start: number, out: Buffer[]): number {
  let i = skipWhitespace(buf, start + 1);
  if (buf[i] === RBRACKET) return i + 1;
  for (;;) {
    const end = skipValueBytes(buf, i);
    out.push(buf.subarray(i, end));
    i = skipWhitespace(buf, end);
    if (buf[i] === RBRACKET) return i + 1;
    if (i >= buf.length) throw new JsonSyntaxError('Unterminated array', start, 'the JSON text is malformed or truncated');
    if (buf[i] !== COMMA) throw new JsonSyntaxError("Expected ',' or ']' after an array element", i);
    i = skipWhitespace(buf, i + 1);
  }
}

/** Raw JSON text of an element's `id` member when it comes first (as the server writes it), else undefined. */
export function leadingIdBytes(element: Uint8Array): string | undefined {
  const ID = '{"id":';
  for (let k = 0; k < ID.length; k++) if (element[k] !== ID.charCodeAt(k)) return undefined;
  return Buffer.from(element.buffer, element.byteOffset, element.byteLength).toString('utf8', ID.length, skipValueBytes(element, ID.length));
}

const OPEN_BRACE = Buffer.from('{');

/**
 * The element without its `id` member, when that member comes first (as the server writes it):
 * `{"id":…,"label":…}` → the pieces `{` and `"label":…}`, views of the element. Undefined when the
 * id is not the first member, so that the caller can edit the text instead.
 */
export function withoutLeadingIdBytes(element: Buffer): Buffer[] | undefined {
  const ID = '{"id":';
  for (let k = 0; k < ID.length; k++) if (element[k] !== ID.charCodeAt(k)) return undefined;
  const after = skipWhitespace(element, skipValueBytes(element, skipWhitespace(element, ID.length)));
  if (element[after] === COMMA) return [OPEN_BRACE, element.subarray(skipWhitespace(element, after + 1))];
  if (element[after] === RBRACE) return [OPEN_BRACE, element.subarray(after)];
  return undefined;
}

/** A member name as the bytes of its JSON string (quotes included), made once per name. */
const memberNames = new Map<string, Buffer>();

function memberNameBytes(name: string): Buffer {
  let bytes = memberNames.get(name);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(name), 'utf8');
    if (memberNames.size < 64) memberNames.set(name, bytes);
  }
  return bytes;
}

/** Whether `buf` holds `wanted` from `i` to `end`: compared in place (a native compare costs more for a few bytes). */
function bytesEqualAt(buf: Uint8Array, i: number, end: number, wanted: Uint8Array): boolean {
  if (end - i !== wanted.length) return false;
  for (let k = 0; k < wanted.length; k++) if (buf[i + k] !== wanted[k]) return false;
  return true;
}

/**
 * The string value of a top-level member of an object (`"label"` of an element), decoded; undefined
 * when the member is missing or not a string. Members before it are skipped, not decoded: an
 * element's label is its second member, after the id. Runs once per element of a key-range
 * backup, so it allocates nothing but the answer, and decodes a string without escapes directly.
 */
export function memberStringBytes(element: Buffer, name: string): string | undefined {
  let i = skipWhitespace(element, 0);
  if (element[i] !== LBRACE) throw new JsonSyntaxError('Expected a JSON object', i);
  i = skipWhitespace(element, i + 1);
  const wanted = memberNameBytes(name);
  while (element[i] === QUOTE) {
    const keyEnd = skipStringBytes(element, i);
    const isWanted = bytesEqualAt(element, i, keyEnd, wanted);
    i = skipWhitespace(element, keyEnd);
    if (element[i] !== 58 /* : */) throw new JsonSyntaxError("Expected ':'", i);
    const valueStart = skipWhitespace(element, i + 1);
    const valueEnd = skipValueBytes(element, valueStart);
    if (isWanted) return element[valueStart] === QUOTE ? decodeStringBytes(element, valueStart, valueEnd) : undefined;
    i = skipWhitespace(element, valueEnd);
    if (element[i] !== COMMA) return undefined;
    i = skipWhitespace(element, i + 1);
  }
  return undefined;
}

/** The last string decoded, as bytes and text: labels repeat from one element to the next. */
let lastDecoded: { bytes: Buffer; text: string } = { bytes: Buffer.alloc(0), text: '' };

/** The JSON string from `start` (its opening quote) to `end` (after its closing quote), decoded. */
function decodeStringBytes(buf: Buffer, start: number, end: number): string {
  if (bytesEqualAt(buf, start, end, lastDecoded.bytes)) return lastDecoded.text;
  for (let k = start + 1; k < end - 1; k++) if (buf[k] === BACKSLASH) return JSON.parse(buf.toString('utf8', start, end)) as string;
  const text = buf.toString('utf8', start + 1, end - 1);
  if (end - start <= 256) lastDecoded = { bytes: Buffer.from(buf.subarray(start, end)), text };
  return text;
}
