/** Marks an HgbrError across copies of this module (two bundles, two versions): see isHgbrError. */
const BRAND = Symbol.for('hgbr.HgbrError');

export interface HgbrErrorOptions {
  /** What a person should do next; replaces the class's default hint. */
  readonly hint?: string;
  /** The error this one explains (a backend's own error, a response…), kept for logs and debugging. */
  readonly cause?: unknown;
}

/**
 * Base of every error hgbr raises on purpose. Each class sets:
 * - `static code`: stable, PascalCase, the class name (so it ends in `Error`). It is also the
 *   error's `name`, which is what Step Functions' Retry and Catch match (`ErrorEquals`) and what
 *   `hgbr --json` prints: renaming one is a breaking change. Written out, not taken from the class
 *   name, because the Lambda bundles are minified.
 * - `static transient`: a retry may cure it. Step Functions' Retry (infra/workflows) and the
 *   HugeGraph client's own retry are both derived from it (functions/workflow/errors.ts).
 * - `static hint` (optional): what to do next, unless the instance says more.
 */
export abstract class HgbrError extends Error {
  static readonly code: string = 'HgbrError';
  static readonly transient: boolean = false;
  static readonly hint: string | undefined = undefined;

  readonly code: string;
  readonly hint?: string;

  constructor(message: string, options: HgbrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const type = new.target as unknown as typeof HgbrError;
    this.code = type.code;
    this.name = type.code;
    this.hint = options.hint ?? type.hint;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * Whether `value` is an HgbrError, from this copy of the module or another one: `instanceof`
   * fails across copies (the CDK toolkit's ToolkitError uses the same `Symbol.for` brand).
   */
  static isHgbrError(value: unknown): value is HgbrError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Whether a retry may cure `value`: only an HgbrError whose class says so. */
  static isTransient(value: unknown): boolean {
    return HgbrError.isHgbrError(value) && value.transient;
  }

  get transient(): boolean {
    return (this.constructor as typeof HgbrError).transient;
  }

  /** The code people and scripts see; a failed workflow shows the error of the task that failed. */
  get reportedCode(): string {
    return this.code;
  }
}

/** An error class as the taxonomy sees it: its statics, whatever its constructor takes. */
export type HgbrErrorClass = Pick<typeof HgbrError, 'code' | 'transient' | 'hint'> & { readonly name: string; readonly prototype: HgbrError };
