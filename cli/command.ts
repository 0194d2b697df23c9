import { HgbrError } from '../functions/errors';
import type { Output } from './output';

/** A command returns its exit code: 0 only when everything asked for was done. */
export type Command = (argv: string[], output: Output) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_LOCKED = 3;
export const EXIT_BACKUP_DAMAGED = 4;
export const EXIT_TARGET_CONFLICT = 5;
export const EXIT_UNREACHABLE = 6;
/** 128 + the signal's number, as shells report a process a signal ended. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/**
 * Every exit status hgbr uses, what it means, and the error codes that give it: `--help`, the README
 * and `--json` (its `exitCode`) all say the same (test/unit/cli/exit-codes.test.ts ties them). Keyed
 * by the code an error reports, so a task's error counts the same whether the workflow ran here or in
 * AWS. Any error not listed exits EXIT_FAILED.
 */
export const EXIT_CODES: readonly { readonly status: number; readonly meaning: string; readonly errors: readonly string[] }[] = [
  { status: EXIT_OK, meaning: 'done: everything asked for was done', errors: [] },
  { status: EXIT_FAILED, meaning: 'failed: any other error (its code and hint are printed)', errors: [] },
  {
    status: EXIT_USAGE,
    meaning: 'usage: a missing or wrong option, URL or location; nothing was done',
    errors: ['UsageError', 'InvalidBackupRequestError', 'InvalidRestoreRequestError', 'InvalidLocationError', 'ContentNotInBackupError'],
  },
  {
    status: EXIT_LOCKED,
    meaning: 'another run holds the lock of this graph (backup) or target (restore)',
    errors: ['LockHeldError', 'LockContentionError', 'RestoreLockLostError', 'TargetInRestoreModeError'],
  },
  {
    status: EXIT_BACKUP_DAMAGED,
    meaning: 'the backup is incomplete, damaged or not a backup',
    errors: [
      'IncompleteBackupError',
      'ChecksumMismatchError',
      'ManifestInvalidError',
      'UnsupportedFormatVersionError',
      'BackupFormatError',
      'BackupFilesMissingError',
      'BackupDamagedError',
      'NotABackupError',
      'ElementFixError',
    ],
  },
  {
    status: EXIT_TARGET_CONFLICT,
    meaning: 'the target graph is not empty (restoring), its schema or variables conflict (merging), or its server has the auth objects (--auth-conflict stop)',
    errors: ['TargetNotEmptyError', 'SchemaConflictError', 'VariablesConflictError', 'AuthConflictError'],
  },
  {
    status: EXIT_UNREACHABLE,
    meaning: 'a server cannot be reached, the graph does not exist, or the credentials were refused',
    errors: [
      'ServerUnreachableError',
      'GraphNotFoundError',
      'GraphspaceNotSupportedError',
      'HugeGraphConnectionError',
      'HugeGraphUnauthorizedError',
      'HugeGraphForbiddenError',
      'StorageAccessDeniedError',
      'StorageUnavailableError',
      'RestoreResetFailedError',
    ],
  },
  { status: EXIT_SIGINT, meaning: 'stopped by Ctrl-C (SIGINT); the clean-up ran', errors: [] },
  { status: EXIT_SIGTERM, meaning: 'stopped by SIGTERM; the clean-up ran', errors: [] },
];

const EXIT_BY_ERROR: ReadonlyMap<string, number> = new Map(EXIT_CODES.flatMap(({ status, errors }) => errors.map((code) => [code, status] as const)));

/** The exit status after a run a signal stopped. */
export const EXIT_BY_SIGNAL: Readonly<Record<string, number>> = { SIGINT: EXIT_SIGINT, SIGTERM: EXIT_SIGTERM };

export function exitCodeOf(error: unknown): number {
  return (HgbrError.isHgbrError(error) && EXIT_BY_ERROR.get(error.reportedCode)) || EXIT_FAILED;
}

/** A command's --help, with the exit status table under it. */
export function showHelp(output: Output, help: string): number {
  const text = `${help}\n\n${describeExitCodes()}`;
  output.result({ usage: text }, text);
  return EXIT_OK;
}

/** The table as `--help` and the README show it. */
export function describeExitCodes(): string {
  return ['exit status:', ...EXIT_CODES.map(({ status, meaning }) => `  ${String(status).padStart(3)}  ${meaning}`)].join('\n');
}
