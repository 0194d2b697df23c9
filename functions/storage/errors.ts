import { HgbrError } from '../errors';

/**
 * Errors every storage raises, whatever its backend, so callers classify failures without knowing
 * whether they talk to S3 or to a folder. The code is the class name (Step Functions matches on it).
 */

type Cause = { cause?: unknown };

/** The root a location string names is not one hgbr can use. */
export class InvalidLocationError extends HgbrError {
  static readonly code = 'InvalidLocationError';

  constructor(readonly location: string, reason: string) {
    super(
      `invalid backup location ${JSON.stringify(location)}: ${reason}`,
      InvalidLocationError.code,
      'use a local path, file:///absolute/path or s3://bucket/prefix',
    );
  }
}

/** A key that could escape the root or that no backend can store the same way (a bug in the caller). */
export class InvalidKeyError extends HgbrError {
  static readonly code = 'InvalidKeyError';

  constructor(readonly key: string, reason: string) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`, InvalidKeyError.code);
  }
}

export class ObjectNotFoundError extends HgbrError {
  static readonly code = 'ObjectNotFoundError';

  constructor(readonly uri: string, options?: Cause) {
    super(
      `${uri} does not exist`,
      ObjectNotFoundError.code,
      'check the location and the backup id (hgbr list --from ROOT shows what is there)',
      options,
    );
  }
}

/** A create-if-absent write found the object already there: another writer got there first. */
export class ObjectExistsError extends HgbrError {
  static readonly code = 'ObjectExistsError';

  constructor(readonly uri: string, options?: Cause) {
    super(`${uri} already exists`, ObjectExistsError.code, 'another run created it first', options);
  }
}

export class BucketNotFoundError extends HgbrError {
  static readonly code = 'BucketNotFoundError';

  constructor(readonly bucket: string, options?: Cause) {
    super(
      `bucket ${bucket} does not exist`,
      BucketNotFoundError.code,
      'create it, or check the bucket name, the region (AWS_REGION) and the endpoint (AWS_ENDPOINT_URL_S3)',
      options,
    );
  }
}

export class StorageAccessDeniedError extends HgbrError {
  static readonly code = 'StorageAccessDeniedError';

  constructor(readonly uri: string, operation: string, hint: string, options?: Cause) {
    super(`access denied: ${operation} ${uri}`, StorageAccessDeniedError.code, hint, options);
  }
}

/** The storage could not be reached at all (connection refused, DNS, time-out). Worth a retry. */
export class StorageUnavailableError extends HgbrError {
  static readonly code = 'StorageUnavailableError';

  constructor(readonly uri: string, operation: string, detail: string, hint: string, options?: Cause) {
    super(`${operation} ${uri} failed: ${detail}`, StorageUnavailableError.code, hint, options);
  }
}

/** Any other failure of a storage operation; the cause keeps the backend's own error. */
export class StorageError extends HgbrError {
  static readonly code = 'StorageError';

  constructor(readonly uri: string, operation: string, detail: string, hint?: string, options?: Cause) {
    super(`${operation} ${uri} failed: ${detail}`, StorageError.code, hint, options);
  }
}
