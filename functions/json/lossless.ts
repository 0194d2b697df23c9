/**
 * Lossless JSON parse and stringify for the few places that must edit graph data or schema
 * (docs/design-notes.md §3: `JSON.parse` is not allowed on graph data).
 *
 * - A JSON number is parsed into a {@link LosslessNumber} holding its exact text, so Snowflake ids
 *   (1208794584776818688), LONG values and -9223372036854775808 survive; stringify writes the
 *   text back unchanged. A number stays a number and a string stays a string.
 * - With `numbers: 'exact'`, numbers whose text a JS number reproduces exactly (e.g. `42`,
 *   `1.5`) become plain numbers and only the others stay {@link LosslessNumber}; stringify then
 *   still writes every number back with its original text. Convenient for schema (small ids).
 * - {@link RawJson} splices already-serialised JSON (a raw element from the scanner) into output.
 *
 * Object member order is kept, except that JavaScript itself lists integer-like keys ("1", "42")
 * first; JSON objects are unordered, so this changes no meaning.
 */
import { JsonSyntaxError } from './errors';
import { skipString } from './primitives';

const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

const LOSSLESS_BRAND = Symbol.for('hgbr.LosslessNumber');
const RAW_BRAND = Symbol.for('hgbr.RawJson');

/** A JSON number kept as its exact text. */
export class LosslessNumber {
  readonly [LOSSLESS_BRAND] = true;

  constructor(readonly value: string) {
    if (!NUMBER_TEXT.test(value)) throw new JsonSyntaxError(`Invalid JSON number '${value}'`, 0);
  }

  static from(value: number | bigint | string): LosslessNumber {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new JsonSyntaxError(`${value} cannot be written as a JSON number`, 0);
    }
    return new LosslessNumber(String(value));
  }

  /** True when it is an integer (no fraction or exponent in its text). */
  isInteger(): boolean {
    return /^-?\d+$/.test(this.value);
  }

  /** True when a JS number represents this text exactly (`String(Number(text)) === text`). */
  isSafe(): boolean {
    return String(Number(this.value)) === this.value;
  }

  /** The value as a bigint; only for integers. */
  toBigInt(): bigint {
    if (!this.isInteger()) throw new JsonSyntaxError(`'${this.value}' is not an integer`, 0);
    return BigInt(this.value);
  }

  /** Possibly lossy. */
  valueOf(): number {
    return Number(this.value);
  }

  toString(): string {
    return this.value;
  }
}

/** Already-serialised JSON text that {@link stringifyLossless} inserts verbatim. */
export class RawJson {
  readonly [RAW_BRAND] = true;

  constructor(readonly text: string) {}
}

export function rawJson(text: string): RawJson {
  return new RawJson(text);
}

export type JsonValue = null | boolean | string | number | bigint | LosslessNumber | RawJson | JsonValue[] | { [key: string]: JsonValue | undefined };

export type JsonObject = { [key: string]: JsonValue | undefined };

export function isLosslessNumber(value: unknown): value is LosslessNumber {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[LOSSLESS_BRAND] === true;
}

export function isRawJson(value: unknown): value is RawJson {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RAW_BRAND] === true;
}

/** A JSON number in any of our representations. */
export function isJsonNumber(value: unknown): value is number | bigint | LosslessNumber {
  return typeof value === 'number' || typeof value === 'bigint' || isLosslessNumber(value);
}

/**
 * A vertex id written as a JSON number (AUTOMATIC, CUSTOMIZE_NUMBER). HugeGraph requires the same
 * JSON type back, so number ids must be re-sent as numbers and string ids as strings.
 */
export function isNumberId(id: unknown): id is number | bigint | LosslessNumber {
  return isJsonNumber(id);
}

/** A vertex id written as a JSON string (PRIMARY_KEY, CUSTOMIZE_STRING, CUSTOMIZE_UUID). */
export function isStringId(id: unknown): id is string {
  return typeof id === 'string';
}

/** The JSON type of a raw id text, as returned in batch-create responses or found by the scanner. */
export function rawIdKind(rawId: string): 'number' | 'string' {
  const t = rawId.trimStart();
  if (t.startsWith('"')) return 'string';
  if (NUMBER_TEXT.test(t.trimEnd())) return 'number';
  throw new JsonSyntaxError(`'${rawId.slice(0, 40)}' is neither a JSON string nor a JSON number`, 0);
}

export interface ParseOptions {
  /**
   * `lossless` (default): every number becomes a {@link LosslessNumber}.
   * `exact`: a plain number when `String(Number(text)) === text`, otherwise a LosslessNumber.
   */
  readonly numbers?: 'lossless' | 'exact';
}

class Parser {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly exact: boolean,
  ) {}

  parse(): JsonValue {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail('Unexpected text after the JSON value');
    return v;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(message, this.i, 'the JSON text is malformed or truncated');
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  private value(): JsonValue {
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 123:
        return this.object();
      case 91:
        return this.array();
      case 34:
        return this.string();
      case 116:
        return this.literal('true', true);
      case 102:
        return this.literal('false', false);
      case 110:
        return this.literal('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        return this.fail(Number.isNaN(c) ? 'Unexpected end of JSON text' : `Unexpected character '${this.s[this.i]}'`);
    }
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail('Invalid literal');
    this.i += word.length;
    return v;
  }

  private number(): number | LosslessNumber {
    NUMBER_AT.lastIndex = this.i;
    const m = NUMBER_AT.exec(this.s);
    if (!m) return this.fail('Invalid number');
    const text = m[0];
    this.i += text.length;
    if (this.exact) {
      const n = Number(text);
      if (String(n) === text) return n;
    }
    return new LosslessNumber(text);
  }

  private string(): string {
    const start = this.i;
    const end = skipString(this.s, start);
    this.i = end;
    const inner = this.s.slice(start + 1, end - 1);
    if (inner.indexOf('\\') < 0) {
      for (let k = 0; k < inner.length; k++) {
        if (inner.charCodeAt(k) < 0x20) {
          this.i = start + 1 + k;
          this.fail('Control character in string');
        }
      }
      return inner;
    }
    try {
      return JSON.parse(this.s.slice(start, end)) as string;
    } catch {
      this.i = start;
      return this.fail('Invalid string escape');
    }
  }

  private array(): JsonValue[] {
    const out: JsonValue[] = [];
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === 44) continue;
      if (c === 93) return out;
      this.i--;
      this.fail("Expected ',' or ']'");
    }
  }

  private object(): JsonObject {
    const out: JsonObject = {};
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 34) this.fail('Expected a member name');
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 58) this.fail("Expected ':'");
      this.i++;
      this.ws();
      const v = this.value();
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === 44) continue;
      if (c === 125) return out;
      this.i--;
      this.fail("Expected ',' or '}'");
    }
  }
}

/** Parses JSON text without losing any number (see the module comment). */
export function parseLossless(text: string, options: ParseOptions = {}): JsonValue {
  return new Parser(text, options.numbers === 'exact').parse();
}

/** Parses text whose top level must be an object. */
export function parseLosslessObject(text: string, options: ParseOptions = {}): JsonObject {
  const v = parseLossless(text, options);
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isLosslessNumber(v) || isRawJson(v)) {
    throw new JsonSyntaxError('Expected a JSON object', 0);
  }
  return v;
}

function write(value: unknown, out: string[]): boolean {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return true;
    case 'number':
      if (!Number.isFinite(value)) throw new JsonSyntaxError(`${value} cannot be written as a JSON number`, 0);
      out.push(String(value));
      return true;
    case 'bigint':
      out.push(value.toString());
      return true;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return true;
    case 'undefined':
    case 'function':
    case 'symbol':
      return false;
    default:
  }
  if (value === null) {
    out.push('null');
    return true;
  }
  if (isLosslessNumber(value)) {
    out.push(value.value);
    return true;
  }
  if (isRawJson(value)) {
    out.push(value.text);
    return true;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let k = 0; k < value.length; k++) {
      if (k > 0) out.push(',');
      if (!write(value[k], out)) out.push('null');
    }
    out.push(']');
    return true;
  }
  out.push('{');
  let first = true;
  for (const key of Object.keys(value as object)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out.push(first ? '' : ',', JSON.stringify(key), ':');
    write(v, out);
    first = false;
  }
  out.push('}');
  return true;
}

/** Serialises a value compactly, writing {@link LosslessNumber}s and {@link RawJson} verbatim. */
export function stringifyLossless(value: JsonValue | unknown): string {
  const out: string[] = [];
  if (!write(value, out)) throw new JsonSyntaxError('Value cannot be written as JSON', 0);
  return out.join('');
}
