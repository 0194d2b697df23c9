import { HgbrError, type HgbrErrorOptions } from '../errors';

/**
 * Errors every storage raises, whatever its backend, so callers classify failures without knowing
 * whether they talk to S3 or to a folder.
 */

type Cause = Pick<HgbrErrorOptions, 'cause'>;

/** The root a location string names is not one hgbr can use. */
export class InvalidLocationError extends HgbrError {
  static override readonly code = 'InvalidLocationError';
  static override readonly hint = 'use a local path, file:///absolute/path or s3://bucket/prefix';

  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`invalid backup location ${JSON.stringify(location)}: ${reason}`);
  }
}

/** A key that could escape the root or that no backend can store the same way (a bug in the caller). */
export class InvalidKeyError extends HgbrError {
  static override readonly code = 'InvalidKeyError';
  static override readonly hint = 'this is a bug in hgbr: it asked its storage for a key no backend can hold; please report it';

  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`);
  }
}

export class ObjectNotFoundError extends HgbrError {
  static override readonly code = 'ObjectNotFoundError';
  static override readonly hint = 'check the location and the backup id (hgbr list --from ROOT shows what is there)';

  constructor(
    readonly uri: string,
    options?: Cause,
  ) {
    super(`${uri} does not exist`, options);
  }
}

/** A create-if-absent write found the object already there: another writer got there first. */
export class ObjectExistsError extends HgbrError {
  static override readonly code = 'ObjectExistsError';
  static override readonly hint = 'another run created it first';

  constructor(
    readonly uri: string,
    options?: Cause,
  ) {
    super(`${uri} already exists`, options);
  }
}

export class BucketNotFoundError extends HgbrError {
  static override readonly code = 'BucketNotFoundError';
  static override readonly hint = 'create it, or check the bucket name, the region (AWS_REGION) and the endpoint (AWS_ENDPOINT_URL_S3)';

  constructor(
    readonly bucket: string,
    options?: Cause,
  ) {
    super(`bucket ${bucket} does not exist`, options);
  }
}

export class StorageAccessDeniedError extends HgbrError {
  static override readonly code = 'StorageAccessDeniedError';

  constructor(
    readonly uri: string,
    operation: string,
    hint: string,
    options?: Cause,
  ) {
    super(`access denied: ${operation} ${uri}`, { ...options, hint });
  }
}

/** The storage could not be reached at all (connection refused, DNS, time-out). Worth a retry. */
export class StorageUnavailableError extends HgbrError {
  static override readonly code = 'StorageUnavailableError';
  static override readonly transient = true;
  static override readonly hint =
    'the store could not be reached, or kept failing or throttling after the retries; run again later (a restore run again with the same --restore-id skips the files it finished)';

  constructor(
    readonly uri: string,
    operation: string,
    detail: string,
    hint: string,
    options?: Cause,
  ) {
    super(`${operation} ${uri} failed: ${detail}`, { ...options, hint });
  }
}

/** Any other failure of a storage operation; the cause keeps the backend's own error. */
export class StorageError extends HgbrError {
  static override readonly code = 'StorageError';

  constructor(
    readonly uri: string,
    operation: string,
    detail: string,
    hint?: string,
    options?: Cause,
  ) {
    super(`${operation} ${uri} failed: ${detail}`, { ...options, hint });
  }
}
