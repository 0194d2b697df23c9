import { LocalStorage } from './local';
import { parseLocation, type StorageLocation } from './location';
import { S3Storage, type S3StorageOptions } from './s3';
import type { BackupStorage } from './storage';

export type StorageOptions = S3StorageOptions;

/**
 * Opens the storage a location string (see parseLocation) or a parsed location names. Kept apart
 * from the interface so that the backends, which implement it, do not import each other through it.
 */
export function openStorage(location: string | StorageLocation, options: StorageOptions = {}): BackupStorage {
  const parsed = typeof location === 'string' ? parseLocation(location) : location;
  return parsed.kind === 'local' ? new LocalStorage(parsed.path, { signal: options.signal }) : new S3Storage(parsed, options);
}
