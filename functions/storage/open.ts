import { LocalStorage } from './local';
import { parseLocation, type StorageLocation } from './location';
import type { S3StorageOptions } from './s3';
import type { BackupStorage } from './storage';

export type StorageOptions = S3StorageOptions;

/**
 * Opens the storage a location string (see parseLocation) or a parsed location names. Kept apart
 * from the interface so that the backends, which implement it, do not import each other through it.
 */
export function openStorage(location: string | StorageLocation, options: StorageOptions = {}): BackupStorage {
  const parsed = typeof location === 'string' ? parseLocation(location) : location;
  if (parsed.kind === 'local') return new LocalStorage(parsed.path, { signal: options.signal });
  // Loaded on first use: a backup to a folder never needs the AWS SDK (its load is a tenth of the
  // CLI's start-up and ~10 MiB).
  const { S3Storage } = require('./s3') as typeof import('./s3');
  return new S3Storage(parsed, options);
}
