/** Low-level helpers shared by the scanner and the lossless parser. */
import { JsonSyntaxError } from './errors';

const BACKSLASH = 92;

/**
 * `i` is at an opening quote; returns the index just after the closing quote. Jumps from quote to
 * quote with `indexOf` and counts the backslashes before each, so long strings cost little.
 */
export function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) throw new JsonSyntaxError('Unterminated string', i, 'the JSON text is malformed or truncated');
    let k = q - 1;
    let backslashes = 0;
    while (k > i && s.charCodeAt(k) === BACKSLASH) {
      backslashes++;
      k--;
    }
    if ((backslashes & 1) === 0) return q + 1;
    j = q + 1;
  }
}
