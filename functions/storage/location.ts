import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidLocationError } from './errors';

/** A backup root: a local directory, or a bucket and a key prefix (without slashes at either end). */
export type StorageLocation = { readonly kind: 'local'; readonly path: string } | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/**
 * Parses what a user passes as ROOT or BACKUP: a local path (relative ones resolve against the
 * working directory), `file:///absolute/path`, or `s3://bucket[/prefix]`. The S3 prefix is taken
 * verbatim (no percent-decoding, as the AWS CLI does) and a trailing slash is optional.
 */
export function parseLocation(input: string, cwd: string = process.cwd()): StorageLocation {
  const location = input.trim();
  if (location === '') throw new InvalidLocationError(input, 'it is empty');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(location)?.[1]?.toLowerCase();
  if (scheme === 's3') return parseS3(input, location.slice('s3://'.length));
  if (scheme === 'file') return { kind: 'local', path: parseFileUrl(input, location) };
  if (scheme !== undefined) {
    throw new InvalidLocationError(input, `scheme ${scheme}:// is not supported (only s3:// and file://)`);
  }
  if (location.includes('\0')) throw new InvalidLocationError(input, 'it contains a NUL character');
  return { kind: 'local', path: path.resolve(cwd, location) };
}

/** The canonical form of a location; parsing it again gives the same location. */
export function formatLocation(location: StorageLocation): string {
  if (location.kind === 'local') return location.path;
  return location.prefix === '' ? `s3://${location.bucket}` : `s3://${location.bucket}/${location.prefix}`;
}

function parseS3(input: string, rest: string): StorageLocation {
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (bucket === '') throw new InvalidLocationError(input, 'the bucket name is missing (s3://bucket/prefix)');
  const bucketProblem = checkBucketName(bucket);
  if (bucketProblem) throw new InvalidLocationError(input, `bucket name ${JSON.stringify(bucket)} ${bucketProblem}`);
  if (prefix !== '') {
    const bad = prefix.split('/').find((segment) => segment === '' || segment === '.' || segment === '..');
    if (bad !== undefined) {
      throw new InvalidLocationError(input, `the prefix has an empty, "." or ".." segment`);
    }
  }
  return { kind: 's3', bucket, prefix };
}

/** S3's naming rules for general purpose buckets; undefined when the name is fine. */
function checkBucketName(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    return 'may hold only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit';
  }
  if (bucket.includes('..')) return 'must not contain two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'must not look like an IP address';
  return undefined;
}

function parseFileUrl(input: string, location: string): string {
  try {
    return path.resolve(fileURLToPath(location));
  } catch (error) {
    throw new InvalidLocationError(input, `not a usable file URL (${(error as Error).message}); write file:///absolute/path`);
  }
}
