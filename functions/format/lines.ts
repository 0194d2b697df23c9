/**
 * The line codec (FORMAT.md "Lines"): every line of a backup file is `{"<type>": [e1,e2,…]}\n`,
 * exactly as hugegraph-tools writes it (`{"<type>": ` with one space, then a compact array).
 *
 * Elements are raw JSON text, the server's bytes: they are never parsed, so ids above 2^53 and
 * every other number keep their exact text. Decoding finds element boundaries only (strings and
 * nesting, via the scanner in `functions/json`); it does not validate what is inside an element,
 * which the server does when the element is restored.
 */
import { countArrayBytes, skipWhitespace as skipWsBytes } from '../json/bytes';
import { JsonSyntaxError } from '../json/errors';
import { skipString, skipValue } from '../json/scan';
import { BackupFormatError } from './errors';
import { type DataKind, type FileKind, type SchemaKind, isDataKind, isFileKind, isSchemaKind } from './naming';

/** Elements per data line: one server batch (`BackupRestoreBaseManager.BATCH`). */
export const MAX_ELEMENTS_PER_LINE = 500;
/** Default bound on one line's size when reading, so a corrupt file cannot exhaust memory. */
export const DEFAULT_MAX_LINE_BYTES = 128 * 1024 * 1024;

const LINE_BREAK = /[\r\n]/;
const LINE_BREAKS = /[\r\n]/g;

function encodeLine(type: FileKind, rawElements: readonly string[]): string {
  let body = rawElements.join(',');
  // Valid JSON has no raw line break inside a string, so one here is whitespace between tokens
  // (a pretty-printed element): a space means the same and keeps the line one line.
  if (LINE_BREAK.test(body)) body = body.replace(LINE_BREAKS, ' ');
  return `{"${type}": [${body}]}\n`;
}

/** One data line, `{"vertices": [e1,e2]}\n`, holding 1 to 500 raw elements. */
export function encodeDataLine(type: DataKind, rawElements: readonly string[]): string {
  if (!isDataKind(type)) throw new RangeError(`'${String(type)}' is not a data type (vertices, edges)`);
  if (rawElements.length === 0 || rawElements.length > MAX_ELEMENTS_PER_LINE) {
    throw new RangeError(`A data line holds 1 to ${MAX_ELEMENTS_PER_LINE} elements, got ${rawElements.length}`);
  }
  return encodeLine(type, rawElements);
}

/**
 * {@link encodeDataLine} for elements given as bytes (views of a server answer) or text, as UTF-8.
 * Views that follow each other in the same answer, separated by one comma, are written as one
 * piece: a page's elements usually make a line without any copy but the line's own.
 */
export function encodeDataLineBytes(type: DataKind, rawElements: readonly (string | Uint8Array)[]): Buffer {
  if (!isDataKind(type)) throw new RangeError(`'${String(type)}' is not a data type (vertices, edges)`);
  if (rawElements.length === 0 || rawElements.length > MAX_ELEMENTS_PER_LINE) {
    throw new RangeError(`A data line holds 1 to ${MAX_ELEMENTS_PER_LINE} elements, got ${rawElements.length}`);
  }
  const parts: Uint8Array[] = [Buffer.from(`{"${type}": [`, 'latin1')];
  let run: Uint8Array | undefined;
  for (const raw of rawElements) {
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    if (run && follows(run, bytes)) {
      run = new Uint8Array(run.buffer, run.byteOffset, run.byteLength + 1 + bytes.byteLength);
      continue;
    }
    if (run) parts.push(run, COMMA_BYTES);
    run = bytes;
  }
  parts.push(run as Uint8Array, LINE_END_BYTES);
  const line = Buffer.concat(parts);
  // As in encodeLine: a raw line break can only be whitespace between tokens; a space keeps one line.
  const body = line.subarray(0, line.length - 1);
  for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) body[i] = 32;
  for (let i = body.indexOf(13); i >= 0; i = body.indexOf(13, i + 1)) body[i] = 32;
  return line;
}

const COMMA_BYTES = Buffer.from(',');
const LINE_END_BYTES = Buffer.from(']}\n');

/** Whether `next` starts right after `run` and one comma, in the same buffer. */
function follows(run: Uint8Array, next: Uint8Array): boolean {
  const gap = run.byteOffset + run.byteLength;
  return next.buffer === run.buffer && next.byteOffset === gap + 1 && new Uint8Array(run.buffer, gap, 1)[0] === COMMA;
}

/** The one line of a schema file, holding every element of that kind (possibly none). */
export function encodeSchemaLine(kind: SchemaKind, rawElements: readonly string[]): string {
  if (!isSchemaKind(kind)) throw new RangeError(`'${String(kind)}' is not a schema type`);
  return encodeLine(kind, rawElements);
}

export interface DecodedLine {
  readonly type: FileKind;
  readonly rawElements: string[];
  /** 1-based line number in the file. */
  readonly line: number;
}

export interface DecodeOptions {
  /** File name used in error messages. */
  readonly file: string;
  /** Every line must hold this type (e.g. the kind {@link classifyFile} gave the file). */
  readonly expect?: FileKind;
  /** @default 128 MiB */
  readonly maxLineBytes?: number;
}

// Character codes, local on purpose: see the note in functions/json/scan.ts.
const QUOTE = 34;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;
const COLON = 58;
const BOM = 0xfeff;

function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else return i;
  }
}

/**
 * Decodes the text of one line (without its `\n`). Strict like the tool: one object, one member
 * named after a type, an array of objects; a blank line is an error.
 */
export function decodeLine(text: string, file: string, line: number, expect?: FileKind): DecodedLine {
  function fail(problem: string, at?: number): never {
    throw new BackupFormatError(file, at === undefined ? problem : `${problem} at column ${at + 1}`, line);
  }
  let i = skipWs(text, line === 1 && text.charCodeAt(0) === BOM ? 1 : 0);
  if (i === text.length) fail('blank line (hugegraph-tools fails on it too)');
  if (text.charCodeAt(i) !== LBRACE) fail("expected '{'", i);
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) !== QUOTE) fail('expected a type name such as "vertices"', i);
  try {
    const keyEnd = skipString(text, i);
    const type = text.slice(i + 1, keyEnd - 1);
    if (!isFileKind(type)) fail(`unknown type "${type.slice(0, 40)}"`, i);
    if (expect !== undefined && type !== expect) fail(`holds "${type}", expected "${expect}"`, i);
    i = skipWs(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) fail("expected ':'", i);
    i = skipWs(text, i + 1);
    if (text.charCodeAt(i) !== LBRACKET) fail(`expected the "${type}" array`, i);
    const rawElements: string[] = [];
    i = skipWs(text, i + 1);
    if (text.charCodeAt(i) === RBRACKET) i++;
    else {
      for (;;) {
        if (text.charCodeAt(i) !== LBRACE) fail(`element ${rawElements.length + 1} is not a JSON object`, i);
        const end = skipValue(text, i);
        rawElements.push(text.slice(i, end));
        i = skipWs(text, end);
        const c = text.charCodeAt(i);
        if (c === RBRACKET) {
          i++;
          break;
        }
        if (c !== COMMA) fail("expected ',' or ']' after an element", i);
        i = skipWs(text, i + 1);
      }
    }
    i = skipWs(text, i);
    if (text.charCodeAt(i) === COMMA) fail('a line must hold exactly one member', i);
    if (text.charCodeAt(i) !== RBRACE) fail("expected '}'", i);
    if (skipWs(text, i + 1) !== text.length) fail("unexpected text after '}'", i + 1);
    if (isDataKind(type) && rawElements.length > MAX_ELEMENTS_PER_LINE) {
      fail(`${rawElements.length} elements on one line, at most ${MAX_ELEMENTS_PER_LINE} (one server batch) are allowed`);
    }
    return { type, rawElements, line };
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw syntaxError(err, file, line);
    throw err;
  }
}

function syntaxError(err: JsonSyntaxError, file: string, line: number): BackupFormatError {
  return new BackupFormatError(file, `${err.message.replace(/ at position \d+$/, '')} at column ${err.position + 1}`, line, { cause: err });
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array, file: string, line: number): string {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new BackupFormatError(file, 'invalid UTF-8', line, { cause: err });
  }
}

/** One line of a file as stored, without its `\n`, and its 1-based number. */
export interface LineBytes {
  readonly bytes: Buffer;
  readonly line: number;
}

/**
 * Splits a byte stream into lines, streaming: memory holds one line at a time (bounded by
 * `maxLineBytes`). A last line without `\n` is accepted, as Java's `readLine` does.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array>, options: Pick<DecodeOptions, 'file' | 'maxLineBytes'>): AsyncGenerator<LineBytes> {
  const { file } = options;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let parts: Buffer[] = [];
  let pending = 0;
  let line = 0;
  const tooLong = (): never => {
    throw new BackupFormatError(file, `line longer than ${maxLineBytes} bytes`, line + 1, {
      hint: 'the file is corrupt, or raise the line size limit if its elements are really this large',
    });
  };
  for await (const chunk of source) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) {
        if (start < buf.length) {
          pending += buf.length - start;
          if (pending > maxLineBytes) tooLong();
          parts.push(buf.subarray(start));
        }
        break;
      }
      if (pending + nl - start > maxLineBytes) tooLong();
      const bytes = parts.length === 0 ? buf.subarray(start, nl) : Buffer.concat([...parts, buf.subarray(start, nl)]);
      parts = [];
      pending = 0;
      yield { bytes, line: ++line };
      start = nl + 1;
    }
  }
  if (pending > 0) yield { bytes: Buffer.concat(parts), line: ++line };
}

/** Decodes one line as {@link splitLines} gives it (see {@link decodeLine}). */
export function decodeLineBytes({ bytes, line }: LineBytes, file: string, expect?: FileKind): DecodedLine {
  return decodeLine(decodeUtf8(bytes, file, line), file, line, expect);
}

/** Splits a byte stream into lines and decodes each one (see {@link splitLines}, {@link decodeLine}). */
export async function* decodeLines(source: AsyncIterable<Uint8Array>, options: DecodeOptions): AsyncGenerator<DecodedLine> {
  for await (const line of splitLines(source, options)) yield decodeLineBytes(line, options.file, options.expect);
}

/** Where a data line's array is, as bytes of the line: `[` to `]` inclusive, and its element count. */
export interface LineArray {
  readonly type: DataKind;
  /** The array's bytes, a view of the line: a batch body as it is. */
  readonly array: Buffer;
  readonly count: number;
}

/**
 * Finds the array of a data line `{"<type>": [e1,…]}` without decoding it, for lines whose
 * elements are sent on unchanged. The same rules as {@link decodeLine} on the line's structure
 * (one member named after the expected type, at most 500 elements); columns in errors count bytes.
 */
export function locateLineArray(bytes: Buffer, file: string, line: number, expect: DataKind): LineArray {
  const fail = (problem: string, at: number): never => {
    throw new BackupFormatError(file, `${problem} at column ${at + 1}`, line);
  };
  let i = skipWsBytes(bytes, line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  if (bytes[i] !== LBRACE) fail("expected '{'", i);
  i = skipWsBytes(bytes, i + 1);
  if (bytes[i] !== QUOTE) fail('expected a type name such as "vertices"', i);
  const keyEnd = bytes.indexOf(QUOTE, i + 1);
  const type = keyEnd < 0 ? '' : bytes.toString('latin1', i + 1, keyEnd);
  if (type !== expect) fail(`holds "${type.slice(0, 40)}", expected "${expect}"`, i);
  i = skipWsBytes(bytes, keyEnd + 1);
  if (bytes[i] !== COLON) fail("expected ':'", i);
  const start = skipWsBytes(bytes, i + 1);
  if (bytes[start] !== LBRACKET) fail(`expected the "${type}" array`, start);
  let counted: { count: number; end: number };
  try {
    counted = countArrayBytes(bytes, start, { objects: true });
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw syntaxError(err, file, line);
    throw err;
  }
  i = skipWsBytes(bytes, counted.end);
  if (bytes[i] !== RBRACE) fail("expected '}'", i);
  if (skipWsBytes(bytes, i + 1) !== bytes.length) fail("unexpected text after '}'", i + 1);
  if (counted.count > MAX_ELEMENTS_PER_LINE) {
    fail(`${counted.count} elements on one line, at most ${MAX_ELEMENTS_PER_LINE} (one server batch) are allowed`, start);
  }
  return { type: expect, array: bytes.subarray(start, counted.end), count: counted.count };
}
