import { HgbrError } from '../errors';

/**
 * A backup file whose content breaks the format (bad line, bad zip, wrong element type). Names the
 * file and, for line problems, the 1-based line number, as hugegraph-tools would fail on it too.
 */
export class BackupFormatError extends HgbrError {
  static readonly code = 'BackupFormatError';

  constructor(
    readonly file: string,
    problem: string,
    readonly line?: number,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(
      `${file}${line === undefined ? '' : `, line ${line}`}: ${problem}`,
      BackupFormatError.code,
      options?.hint ?? 'the file is corrupt or was not written by hgbr or hugegraph-tools',
      options,
    );
  }
}

/** The bytes of a stored file do not hash to what the manifest recorded. */
export class ChecksumMismatchError extends HgbrError {
  static readonly code = 'ChecksumMismatchError';

  constructor(
    readonly file: string,
    readonly expected: { sha256: string; bytes?: number },
    readonly actual: { sha256: string; bytes: number },
  ) {
    const size = expected.bytes !== undefined && expected.bytes !== actual.bytes
      ? ` (expected ${expected.bytes} bytes, got ${actual.bytes})`
      : '';
    super(
      `${file}: SHA-256 mismatch, expected ${expected.sha256}, got ${actual.sha256}${size}`,
      ChecksumMismatchError.code,
      'the stored file changed or was damaged after the backup; restore it from another copy or use another backup',
    );
  }
}

/** `manifest.json` is not valid JSON or breaks the manifest rules; lists every problem found. */
export class ManifestInvalidError extends HgbrError {
  static readonly code = 'ManifestInvalidError';

  constructor(readonly problems: readonly string[], options?: { cause?: unknown }) {
    super(
      `manifest.json is invalid: ${problems.join('; ')}`,
      ManifestInvalidError.code,
      'the backup is damaged or was not written by hgbr; it cannot be restored as is',
      options,
    );
  }
}

/** The manifest declares a format version this hgbr does not know. */
export class UnsupportedFormatVersionError extends HgbrError {
  static readonly code = 'UnsupportedFormatVersionError';

  constructor(
    readonly found: unknown,
    readonly supported: readonly number[],
  ) {
    super(
      `manifest.json has formatVersion ${JSON.stringify(found)}, this hgbr reads formatVersion ${supported.join(', ')}`,
      UnsupportedFormatVersionError.code,
      'use an hgbr release that supports this format version',
    );
  }
}

/** A backup folder without manifest.json: the manifest is the commit marker, so it never completed. */
export class IncompleteBackupError extends HgbrError {
  constructor(uri: string) {
    super(`${uri} has no manifest.json: it is not a complete backup`, 'IncompleteBackup', 'an interrupted backup never becomes complete; run the backup again');
  }
}
