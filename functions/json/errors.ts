import { HgbrError } from '../errors';

/** Text that is not the JSON we expected: truncated response, stray byte, wrong top-level shape. */
export class JsonSyntaxError extends HgbrError {
  static override readonly code = 'JsonSyntaxError';
  static override readonly hint = 'the text was cut short or is not the JSON expected here';

  constructor(
    message: string,
    /** Offset (in UTF-16 code units of the decoded text) where the problem was found. */
    readonly position: number,
    hint?: string,
  ) {
    super(`${message} at position ${position}`, { hint });
  }
}
