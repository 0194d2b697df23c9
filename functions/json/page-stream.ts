/**
 * A page answer `{"<arrayKey>": [e1,…], "page": "<token>"|null, …}` read chunk by chunk, as the
 * bytes arrive: each element of the array is handed on as soon as it is complete, and nothing is
 * kept but the element in progress. So reading a page costs memory for one element, whatever the
 * page size, where `scanPageBytes` needs the whole answer at once. Same contract: other members
 * are skipped, a missing array is empty, `page` must be a string or null, elements are UTF-8. Like
 * the other scanners it tracks string boundaries and nesting only.
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
const COLON = 58;
/** A UTF-8 byte order mark, allowed before the object. */
const BOM = [0xef, 0xbb, 0xbf];

function isWhitespace(b: number): boolean {
  return b === 32 || b === 9 || b === 10 || b === 13;
}

/** Where the scanner is in the top-level object (the array's elements have their own phases). */
enum Phase {
  Start,
  FirstKey,
  Key,
  InKey,
  Colon,
  Value,
  InValue,
  AfterValue,
  FirstElement,
  Element,
  InElement,
  AfterElement,
  Done,
}

/** One JSON value in progress: a string, an object or array (with its nesting), or a bare scalar. */
enum ValueKind {
  String,
  Container,
  Scalar,
}

/** The value bytes seen so far, across chunks: the parts of earlier chunks, then where it began in this one. */
class Capture {
  private parts: Buffer[] = [];
  private start = -1;

  begin(at: number): void {
    this.parts = [];
    this.start = at;
  }

  /** At the end of a chunk: keep the captured tail of it. */
  carry(chunk: Buffer): void {
    if (this.start < 0) return;
    this.parts.push(chunk.subarray(this.start));
    this.start = 0;
  }

  /** The whole value, ending just before `end` of this chunk: a view of the chunk when it lies in one. */
  finish(chunk: Buffer, end: number): Buffer {
    const tail = chunk.subarray(this.start, end);
    const value = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.start = -1;
    return value;
  }

  get active(): boolean {
    return this.start >= 0;
  }
}

export class PageStreamScanner {
  private phase = Phase.Start;
  private kind = ValueKind.Scalar;
  private nesting = 0;
  private inString = false;
  private escaped = false;
  /** Bytes before the current chunk, for error positions. */
  private offset = 0;
  private key = '';
  private readonly capture = new Capture();
  private capturing = false;
  private pageToken: string | null = null;

  constructor(
    private readonly arrayKey: string,
    /** Gets each element's bytes; a view that stays valid after the call (it may share a chunk's memory). */
    private readonly onElement: (element: Buffer) => void,
  ) {}

  /** Scans the next chunk of the answer. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) i = this.at(chunk, i);
    if (this.capturing) this.capture.carry(chunk);
    this.offset += n;
  }

  /** After the last chunk: the `page` token, or an error when the answer stopped short. */
  end(): { page: string | null } {
    if (this.phase !== Phase.Done) this.fail(this.phase === Phase.Start ? 'Expected a JSON object' : 'Unterminated object or array', 0);
    return { page: this.pageToken };
  }

  /** Handles the byte at `i`; returns the index of the last byte handled (a run of value bytes may be skipped at once). */
  private at(chunk: Buffer, i: number): number {
    const b = chunk[i] as number;
    switch (this.phase) {
      case Phase.InElement:
      case Phase.InValue:
      case Phase.InKey:
        return this.inValue(chunk, i);
      case Phase.Start:
        if (isWhitespace(b) || b === BOM[this.offset + i]) return i;
        if (b !== LBRACE) this.fail('Expected a JSON object', i);
        this.phase = Phase.FirstKey;
        return i;
      case Phase.FirstKey:
      case Phase.Key:
        if (isWhitespace(b)) return i;
        if (b === RBRACE && this.phase === Phase.FirstKey) return this.close(i);
        if (b !== QUOTE) this.fail('Expected a member name', i);
        this.phase = Phase.InKey;
        return this.beginValue(chunk, i, b, true);
      case Phase.Colon:
        if (isWhitespace(b)) return i;
        if (b !== COLON) this.fail("Expected ':'", i);
        this.phase = Phase.Value;
        return i;
      case Phase.Value:
        if (isWhitespace(b)) return i;
        if (this.key === this.arrayKey && b === LBRACKET) {
          this.phase = Phase.FirstElement;
          return i;
        }
        this.phase = Phase.InValue;
        return this.beginValue(chunk, i, b, this.key === 'page');
      case Phase.AfterValue:
        if (isWhitespace(b)) return i;
        if (b === RBRACE) return this.close(i);
        if (b !== COMMA) this.fail("Expected ',' or '}' after a member", i);
        this.phase = Phase.Key;
        return i;
      case Phase.FirstElement:
      case Phase.Element:
        if (isWhitespace(b)) return i;
        if (b === RBRACKET && this.phase === Phase.FirstElement) {
          this.phase = Phase.AfterValue;
          return i;
        }
        this.phase = Phase.InElement;
        return this.beginValue(chunk, i, b, true);
      case Phase.AfterElement:
        if (isWhitespace(b)) return i;
        if (b === RBRACKET) this.phase = Phase.AfterValue;
        else if (b === COMMA) this.phase = Phase.Element;
        else this.fail("Expected ',' or ']' after an array element", i);
        return i;
      case Phase.Done:
        if (!isWhitespace(b)) this.fail('Unexpected text after the JSON value', i);
        return i;
    }
  }

  private close(i: number): number {
    this.phase = Phase.Done;
    return i;
  }

  private beginValue(chunk: Buffer, i: number, b: number, capture: boolean): number {
    this.capturing = capture;
    if (capture) this.capture.begin(i);
    this.inString = false;
    this.escaped = false;
    if (b === QUOTE) {
      this.kind = ValueKind.String;
      this.inString = true;
    } else if (b === LBRACE || b === LBRACKET) {
      this.kind = ValueKind.Container;
      this.nesting = 1;
    } else if (b === COMMA || b === RBRACE || b === RBRACKET || b === COLON) {
      this.fail('Expected a value', i);
    } else {
      this.kind = ValueKind.Scalar;
    }
    return this.kind === ValueKind.Scalar ? this.scalar(chunk, i + 1) : i;
  }

  /** Inside a value: runs to its end or the chunk's, whichever comes first. */
  private inValue(chunk: Buffer, i: number): number {
    if (this.kind === ValueKind.Scalar) return this.scalar(chunk, i);
    const n = chunk.length;
    for (let j = i; j < n; j++) {
      const c = chunk[j] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.kind === ValueKind.String) return this.endValue(chunk, j + 1);
        }
      } else if (c === QUOTE) this.inString = true;
      else if (c === LBRACE || c === LBRACKET) this.nesting++;
      else if ((c === RBRACE || c === RBRACKET) && --this.nesting === 0) return this.endValue(chunk, j + 1);
    }
    return n - 1;
  }

  /** A bare scalar ends before the first delimiter; returns the last byte that belongs to it. */
  private scalar(chunk: Buffer, from: number): number {
    const n = chunk.length;
    for (let j = from; j < n; j++) {
      const c = chunk[j] as number;
      if (isWhitespace(c) || c === COMMA || c === RBRACE || c === RBRACKET) {
        this.endValue(chunk, j);
        return j - 1;
      }
    }
    return n - 1;
  }

  /** The value ended just before `end`; returns the index of its last byte. */
  private endValue(chunk: Buffer, end: number): number {
    const value = this.capturing ? this.capture.finish(chunk, end) : undefined;
    this.capturing = false;
    if (this.phase === Phase.InKey) {
      this.key = this.parsed(value as Buffer, end, 'member name') as string;
      this.phase = Phase.Colon;
    } else if (this.phase === Phase.InElement) {
      this.phase = Phase.AfterElement;
      // Checked per element, as the whole answer cannot be: a chunk may end inside a character.
      if (!isUtf8(value as Buffer)) this.fail('Invalid UTF-8 in JSON text', end);
      this.onElement(value as Buffer);
    } else {
      if (value !== undefined) this.pageToken = this.pageOf(value, end);
      this.phase = Phase.AfterValue;
    }
    return end - 1;
  }

  private pageOf(value: Buffer, at: number): string | null {
    const token = this.parsed(value, at, "'page' member");
    if (token !== null && typeof token !== 'string') this.fail("The 'page' member is not a string", at);
    return token as string | null;
  }

  private parsed(value: Buffer, at: number, what: string): unknown {
    try {
      return JSON.parse(value.toString('utf8'));
    } catch {
      return this.fail(`The ${what} is not valid JSON`, at);
    }
  }

  private fail(message: string, i: number): never {
    throw new JsonSyntaxError(message, this.offset + i, 'the JSON text is malformed or truncated');
  }
}
