import { HgbrError, type HgbrErrorOptions } from '../errors';

/**
 * A backup file whose content breaks the format (bad line, bad zip, wrong element type). Names the
 * file and, for line problems, the 1-based line number, as hugegraph-tools would fail on it too.
 */
export class BackupFormatError extends HgbrError {
  static override readonly code = 'BackupFormatError';
  static override readonly hint = 'the file is corrupt or was not written by hgbr or hugegraph-tools';

  constructor(
    readonly file: string,
    problem: string,
    readonly line?: number,
    options?: HgbrErrorOptions,
  ) {
    super(`${file}${line === undefined ? '' : `, line ${line}`}: ${problem}`, options);
  }
}

/** The bytes of a stored file do not hash to what the manifest recorded. */
export class ChecksumMismatchError extends HgbrError {
  static override readonly code = 'ChecksumMismatchError';
  static override readonly hint = 'the stored file changed or was damaged after the backup; restore it from another copy or use another backup';

  constructor(
    readonly file: string,
    readonly expected: { sha256: string; bytes?: number },
    readonly actual: { sha256: string; bytes: number },
  ) {
    const size = expected.bytes !== undefined && expected.bytes !== actual.bytes ? ` (expected ${expected.bytes} bytes, got ${actual.bytes})` : '';
    super(`${file}: SHA-256 mismatch, expected ${expected.sha256}, got ${actual.sha256}${size}`);
  }
}

/** `manifest.json` is not valid JSON or breaks the manifest rules; lists every problem found. */
export class ManifestInvalidError extends HgbrError {
  static override readonly code = 'ManifestInvalidError';
  static override readonly hint = 'the backup is damaged or was not written by hgbr; it cannot be restored as is';

  constructor(
    readonly problems: readonly string[],
    options?: HgbrErrorOptions,
  ) {
    super(`manifest.json is invalid: ${problems.join('; ')}`, options);
  }
}

/** The manifest declares a format version this hgbr does not know. */
export class UnsupportedFormatVersionError extends HgbrError {
  static override readonly code = 'UnsupportedFormatVersionError';
  static override readonly hint = 'use an hgbr release that supports this format version';

  constructor(
    readonly found: unknown,
    readonly supported: readonly number[],
  ) {
    super(`manifest.json has formatVersion ${JSON.stringify(found)}, this hgbr reads formatVersion ${supported.join(', ')}`);
  }
}

/** A backup folder without manifest.json: the manifest is the commit marker, so it never completed. */
export class IncompleteBackupError extends HgbrError {
  static override readonly code = 'IncompleteBackupError';
  static override readonly hint = 'an interrupted backup never becomes complete; run the backup again';

  constructor(uri: string) {
    super(`${uri} has no manifest.json: it is not a complete backup`);
  }
}
