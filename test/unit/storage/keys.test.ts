import { checkKey, checkPrefix, prefixDirectory } from '../../../functions/storage/keys';
import { InvalidKeyError } from '../../../functions/storage/storage';

describe('checkKey', () => {
  it.each(['a', 'mygraph/20261124T215600Z-3f9a/vertices-0001-00001.zip', 'g/.hgbr-backup.lock', 'g/b/_hgbr/files/x.json', 'é/ü'])('accepts %s', (key) => {
    expect(checkKey(key)).toBe(key);
  });

  it.each([
    ['', /empty/],
    ['/a', /starts with/],
    ['a//b', /empty segment/],
    ['a/', /ends with "\/"/],
    ['a/../b', /"\.\." segment/],
    ['./a', /"\." segment/],
    ['..', /"\.\." segment/],
    ['a\\b', /backslash/],
    ['a\nb', /control character/],
    ['g/.hgbr-tmp-1234', /reserved/],
    ['x'.repeat(1025), /longer than 1024 bytes/],
  ])('rejects %j', (key, reason) => {
    expect(() => checkKey(key)).toThrow(InvalidKeyError);
    expect(() => checkKey(key)).toThrow(reason);
  });
});

describe('checkPrefix', () => {
  it.each(['', 'g/', 'g/2026', 'g/b/', 'g/.', 'g/..x'])('accepts %j', (prefix) => {
    expect(checkPrefix(prefix)).toBe(prefix);
  });

  it.each(['/', '/g', 'g//', '../g/', 'a\\b'])('rejects %j', (prefix) => {
    expect(() => checkPrefix(prefix)).toThrow(InvalidKeyError);
  });
});

describe('prefixDirectory', () => {
  it.each([
    ['', ''],
    ['g', ''],
    ['g/', 'g/'],
    ['g/2026', 'g/'],
    ['g/b/c', 'g/b/'],
  ])('of %j is %j', (prefix, directory) => {
    expect(prefixDirectory(prefix)).toBe(directory);
  });
});
