import * as path from 'node:path';
import { formatLocation, InvalidLocationError, parseLocation } from '../../../functions/storage/storage';

describe('parseLocation', () => {
  it.each([
    ['s3://bucket', { kind: 's3', bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { kind: 's3', bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/backups', { kind: 's3', bucket: 'my.bucket-1', prefix: 'backups' }],
    ['s3://bucket/a/b/', { kind: 's3', bucket: 'bucket', prefix: 'a/b' }],
    ['S3://bucket/a', { kind: 's3', bucket: 'bucket', prefix: 'a' }],
    ['s3://bucket/with space/%20', { kind: 's3', bucket: 'bucket', prefix: 'with space/%20' }],
  ])('reads %s as a bucket and a prefix', (input, expected) => {
    expect(parseLocation(input)).toEqual(expected);
  });

  it.each([
    ['/var/backups', '/var/backups'],
    ['/var/backups/', '/var/backups'],
    ['backups', '/work/dir/backups'],
    ['./a/../b', '/work/dir/b'],
    ['file:///var/backups', '/var/backups'],
    ['file:///var/my%20backups/', '/var/my backups'],
    ['file://localhost/var/backups', '/var/backups'],
  ])('reads %s as the local directory %s', (input, expected) => {
    expect(parseLocation(input, '/work/dir')).toEqual({ kind: 'local', path: expected });
  });

  it('resolves a relative path against the working directory by default', () => {
    expect(parseLocation('x')).toEqual({ kind: 'local', path: path.resolve('x') });
  });

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['s3://', /bucket name is missing/],
    ['s3:///prefix', /bucket name is missing/],
    ['s3://ab', /3 to 63/],
    ['s3://My_Bucket/x', /lowercase letters/],
    ['s3://-bucket', /lowercase letters/],
    ['s3://a..b', /two dots/],
    ['s3://192.168.1.1', /IP address/],
    ['s3://bucket//x', /empty, "\." or "\.\." segment/],
    ['s3://bucket/a/../b', /empty, "\." or "\.\." segment/],
    ['gs://bucket/x', /scheme gs:\/\/ is not supported/],
    ['https://example.com/x', /scheme https:\/\/ is not supported/],
    ['file://server/share', /not a usable file URL/],
    ['/tmp/a\0b', /NUL/],
  ])('rejects %j, naming the input', (input, reason) => {
    let error: unknown;
    try {
      parseLocation(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidLocationError);
    expect((error as InvalidLocationError).message).toContain(JSON.stringify(input));
    expect((error as InvalidLocationError).message).toMatch(reason);
    expect((error as InvalidLocationError).name).toBe('InvalidLocationError');
    expect((error as InvalidLocationError).hint).toMatch(/s3:\/\/bucket\/prefix/);
  });

  it.each(['s3://bucket', 's3://bucket/a/b', '/var/backups'])('round-trips %s through formatLocation', (input) => {
    expect(formatLocation(parseLocation(input))).toBe(input);
    expect(parseLocation(formatLocation(parseLocation(input)))).toEqual(parseLocation(input));
  });
});
