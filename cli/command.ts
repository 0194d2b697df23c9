import type { Output } from './output';

/** A command returns its exit code: 0 only when everything asked for was done. */
export type Command = (argv: string[], output: Output) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
