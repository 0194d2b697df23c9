/**
 * Element-boundary scanning of JSON text (docs/design-notes.md §3 and §7).
 *
 * Backup does not need to understand graph elements to copy them: it finds where each element of a
 * response's array starts and ends and passes the server's text through untouched. The scanner
 * tracks only string boundaries and nesting depth, so it is several times faster than any parse
 * and can never alter a number. Everything it returns is a slice of the input.
 *
 * Offsets are UTF-16 code-unit offsets into the decoded text. Because UTF-8 multi-byte sequences
 * never contain ASCII bytes, a slice of valid UTF-8 re-encodes to exactly the server's bytes.
 */
import { JsonSyntaxError } from './errors';
import { LosslessNumber } from './lossless';
import { skipString } from './primitives';

export { skipString };

// Character codes, declared here rather than imported: in the hot loops below an imported binding
// can compile to a property read or a getter call per character (tsx does that), which halves speed.
const QUOTE = 34;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;
const COLON = 58;
const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly: invalid bytes are an error, never silently replaced. */
export function decodeUtf8(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  try {
    return utf8.decode(input);
  } catch {
    throw new JsonSyntaxError('Invalid UTF-8 in JSON text', 0, 'the server sent bytes that are not UTF-8');
  }
}

/** A JSON scalar as found at the top level of a document. Numbers keep their text. */
export type JsonScalar = string | boolean | null | LosslessNumber;

export interface ScannedArray {
  /** Raw text of every element, in order, exactly as it appears in the input. */
  readonly elements: string[];
  /** Raw text of the whole array, `[` to `]` inclusive. */
  readonly raw: string;
}

export interface ScannedDocument {
  /** The requested arrays that were present (a requested key whose value is `null` is absent). */
  readonly arrays: Record<string, ScannedArray>;
  /** Every top-level member whose value is a scalar (string, number, boolean, null). */
  readonly scalars: Record<string, JsonScalar>;
}

export interface ScannedPage {
  /** Raw text of each element of the named array. */
  readonly elements: string[];
  /** The `page` token: a string, or null when absent or null (the last page). */
  readonly page: string | null;
  /** Every top-level scalar member, `page` included when present. */
  readonly scalars: Record<string, JsonScalar>;
}

function isWs(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

function skipWs(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === LF || c === CR || c === TAB) i++;
    else break;
  }
  return i;
}

function fail(message: string, position: number): never {
  throw new JsonSyntaxError(message, position, 'the JSON text is malformed or truncated');
}

function skipScalar(s: string, i: number): number {
  const n = s.length;
  let j = i;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === COMMA || c === RBRACE || c === RBRACKET || c === COLON || isWs(c)) break;
    if (c === QUOTE || c === LBRACE || c === LBRACKET) fail('Unexpected character', j);
    j++;
  }
  if (j === i) fail(i >= n ? 'Unexpected end of JSON text' : `Unexpected character '${s[i]}'`, i);
  return j;
}

/** `i` is at the first character of a value; returns the index just after it. */
export function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return skipString(s, i);
  if (c !== LBRACE && c !== LBRACKET) return skipScalar(s, i);
  const n = s.length;
  let depth = 0;
  let j = i;
  while (j < n) {
    const d = s.charCodeAt(j);
    if (d === QUOTE) {
      j = skipString(s, j);
      continue;
    }
    if (d === LBRACE || d === LBRACKET) depth++;
    else if (d === RBRACE || d === RBRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return fail('Unterminated object or array', i);
}

function decodeKey(s: string, start: number, end: number): string {
  // start/end enclose the quotes. Keys almost never carry escapes; only then pay for a decode.
  const inner = s.slice(start + 1, end - 1);
  return inner.indexOf('\\') < 0 ? inner : (JSON.parse(s.slice(start, end)) as string);
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function parseScalar(s: string, start: number, end: number): JsonScalar {
  const c = s.charCodeAt(start);
  if (c === QUOTE) return decodeKey(s, start, end);
  const text = s.slice(start, end);
  if (text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (NUMBER.test(text)) return new LosslessNumber(text);
  return fail(`Invalid literal '${text.slice(0, 20)}'`, start);
}

/** Scans the elements of an array whose `[` is at `i`. Returns the index after `]`. */
function scanArrayAt(s: string, i: number, out: string[]): number {
  let j = skipWs(s, i + 1);
  if (s.charCodeAt(j) === RBRACKET) return j + 1;
  for (;;) {
    if (j >= s.length) fail('Unexpected end of JSON text in array', j);
    const end = skipValue(s, j);
    out.push(s.slice(j, end));
    j = skipWs(s, end);
    const c = s.charCodeAt(j);
    if (c === COMMA) {
      j = skipWs(s, j + 1);
      continue;
    }
    if (c === RBRACKET) return j + 1;
    fail("Expected ',' or ']' in array", j);
  }
}

function expectEnd(s: string, i: number): void {
  const j = skipWs(s, i);
  if (j !== s.length) fail('Unexpected text after the JSON value', j);
}

/**
 * Scans a document whose top level is an object. The named arrays are split into raw element
 * texts; scalar members are decoded (numbers as {@link LosslessNumber}); every other member is
 * skipped without being looked at.
 */
export function scanDocument(input: string | Uint8Array, arrayKeys: readonly string[]): ScannedDocument {
  const s = decodeUtf8(input);
  const arrays: Record<string, ScannedArray> = Object.create(null) as Record<string, ScannedArray>;
  const scalars: Record<string, JsonScalar> = Object.create(null) as Record<string, JsonScalar>;
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== LBRACE) fail('Expected a JSON object', i);
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === RBRACE) {
    expectEnd(s, i + 1);
    return { arrays, scalars };
  }
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) fail('Expected a member name', i);
    const keyEnd = skipString(s, i);
    const key = decodeKey(s, i, keyEnd);
    i = skipWs(s, keyEnd);
    if (s.charCodeAt(i) !== COLON) fail("Expected ':'", i);
    i = skipWs(s, i + 1);
    if (i >= s.length) fail('Unexpected end of JSON text', i);
    const c = s.charCodeAt(i);
    if (c === LBRACKET && arrayKeys.includes(key)) {
      const elements: string[] = [];
      const end = scanArrayAt(s, i, elements);
      arrays[key] = { elements, raw: s.slice(i, end) };
      i = end;
    } else if (c === LBRACE || c === LBRACKET) {
      i = skipValue(s, i);
    } else {
      const end = skipValue(s, i);
      scalars[key] = parseScalar(s, i, end);
      i = end;
    }
    i = skipWs(s, i);
    const d = s.charCodeAt(i);
    if (d === COMMA) {
      i = skipWs(s, i + 1);
      continue;
    }
    if (d === RBRACE) {
      expectEnd(s, i + 1);
      return { arrays, scalars };
    }
    fail("Expected ',' or '}' in object", i);
  }
}

/**
 * Scans a paged list response such as `{"vertices":[…],"page":"abc=="}`. A missing array (or
 * `null`) yields no elements; a missing `page` yields null. A non-string, non-null page is an error.
 */
export function scanPage(input: string | Uint8Array, arrayKey: string): ScannedPage {
  const doc = scanDocument(input, [arrayKey]);
  const page = doc.scalars['page'];
  if (page !== undefined && page !== null && typeof page !== 'string') {
    throw new JsonSyntaxError("The 'page' member is not a string", 0);
  }
  return { elements: doc.arrays[arrayKey]?.elements ?? [], page: page ?? null, scalars: doc.scalars };
}

/** Splits a document whose top level is an array (e.g. `[{…},{…}]` or `["1:a",42]`) into raw element texts. */
export function scanArray(input: string | Uint8Array): string[] {
  const s = decodeUtf8(input);
  const i = skipWs(s, 0);
  if (s.charCodeAt(i) !== LBRACKET) fail('Expected a JSON array', i);
  const out: string[] = [];
  expectEnd(s, scanArrayAt(s, i, out));
  return out;
}

/** Where one member of an object sits in its text. */
export interface ObjectMember {
  readonly key: string;
  /** Offset of the member name's opening quote. */
  readonly keyStart: number;
  /** Offset of the value's first character. */
  readonly valueStart: number;
  /** Offset just after the value. */
  readonly valueEnd: number;
}

/** Lists the top-level members of an object text (one element) without parsing their values. */
export function scanObjectMembers(text: string): ObjectMember[] {
  const s = text;
  const members: ObjectMember[] = [];
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== LBRACE) fail('Expected a JSON object', i);
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === RBRACE) {
    expectEnd(s, i + 1);
    return members;
  }
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) fail('Expected a member name', i);
    const keyStart = i;
    const keyEnd = skipString(s, i);
    const key = decodeKey(s, i, keyEnd);
    i = skipWs(s, keyEnd);
    if (s.charCodeAt(i) !== COLON) fail("Expected ':'", i);
    const valueStart = skipWs(s, i + 1);
    if (valueStart >= s.length) fail('Unexpected end of JSON text', valueStart);
    const valueEnd = skipValue(s, valueStart);
    members.push({ key, keyStart, valueStart, valueEnd });
    i = skipWs(s, valueEnd);
    const d = s.charCodeAt(i);
    if (d === COMMA) {
      i = skipWs(s, i + 1);
      continue;
    }
    if (d === RBRACE) {
      expectEnd(s, i + 1);
      return members;
    }
    fail("Expected ',' or '}' in object", i);
  }
}

/** Raw text of one top-level member's value, or undefined when the object has no such member. */
export function getMemberRaw(objectText: string, key: string): string | undefined {
  const m = scanObjectMembers(objectText).find((x) => x.key === key);
  return m ? objectText.slice(m.valueStart, m.valueEnd) : undefined;
}

export interface ObjectEdit {
  /** Members to drop (missing ones are ignored). */
  readonly remove?: readonly string[];
  /** Members to set, as raw JSON value text; replaced in place, or appended when absent. */
  readonly set?: Readonly<Record<string, string>>;
}

/**
 * Edits top-level members of one object text while keeping every other member's bytes as they
 * were: the targeted edit restore needs (drop a PRIMARY_KEY vertex `id`, rewrite an edge's
 * `outV`/`inV`) without a full parse. Whitespace between members is not kept.
 */
export function editObjectMembers(objectText: string, edit: ObjectEdit): string {
  const members = scanObjectMembers(objectText);
  const remove = new Set(edit.remove ?? []);
  const set = edit.set ?? {};
  const done = new Set<string>();
  const parts: string[] = [];
  for (const m of members) {
    if (remove.has(m.key)) continue;
    if (Object.hasOwn(set, m.key)) {
      parts.push(`${objectText.slice(m.keyStart, m.valueStart).trimEnd()}${set[m.key]}`);
      done.add(m.key);
    } else {
      parts.push(objectText.slice(m.keyStart, m.valueEnd));
    }
  }
  for (const key of Object.keys(set)) {
    if (!done.has(key) && !remove.has(key)) parts.push(`${JSON.stringify(key)}:${set[key]}`);
  }
  return `{${parts.join(',')}}`;
}

/** Wraps raw element texts into one array text: `[e1,e2,…]`. */
export function joinRawArray(elements: readonly string[]): string {
  return `[${elements.join(',')}]`;
}

/** Byte length of a text once encoded as UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Raw JSON text of an element's top-level `id` (`1208794584776818688`, `"1:marko"`), or undefined.
 * The server writes `id` first, so this usually reads only the first member.
 */
export function elementIdRaw(element: string): string | undefined {
  if (element.startsWith('{"id":')) {
    const end = skipValue(element, 6);
    return element.slice(6, end);
  }
  return getMemberRaw(element, 'id');
}
