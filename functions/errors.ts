/**
 * Base of every error hgbr raises on purpose. `code` is stable (scripts and the state machine's
 * Retry/Catch match on it through `name`); `hint` tells a person what to do next.
 */
export class HgbrError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code;
  }

  /** Message plus hint, as a CLI prints it. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}
