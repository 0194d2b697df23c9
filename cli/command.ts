import { HgbrError } from '../functions/errors';
import { UsageError } from './errors';
import type { Output } from './output';

/** A command returns its exit code: 0 only when everything asked for was done. */
export type Command = (argv: string[], output: Output) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * The exit status of each error, by its reported code (so a task's error counts the same whether
 * the workflow ran here or in AWS). One line per error that gets its own status; any other error
 * exits EXIT_FAILED.
 */
const EXIT_BY_ERROR: Readonly<Record<string, number>> = {
  [UsageError.code]: EXIT_USAGE,
};

export function exitCodeOf(error: unknown): number {
  return (HgbrError.isHgbrError(error) && EXIT_BY_ERROR[error.reportedCode]) || EXIT_FAILED;
}
