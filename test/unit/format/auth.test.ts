import { BackupFormatError, buildAuthFile, parseAuthFile } from '../../../functions/format';

const lists = {
  users: [
    { id: '-63:admin', user_name: 'admin', user_password: '$2a$04$hash' },
    { id: '-63:alice', user_name: 'alice', user_password: '$2a$04$other', user_email: 'a@example.com' },
  ],
  groups: [{ id: '-69:readers', group_name: 'readers' }],
  targets: [],
  belongs: [{ id: 'S-63:alice>-82>>S-69:readers', user: '-63:alice', group: '-69:readers' }],
  accesses: [],
};

describe('the auth file', () => {
  it('leaves out every password hash and the admin user, and counts the objects', () => {
    const built = buildAuthFile(lists);
    const text = built.body.toString('utf8');
    expect(text).not.toMatch(/user_password|\$2a\$|"admin"/);
    expect(text.endsWith('}\n')).toBe(true);
    expect(built.file).toMatchObject({ name: 'auth.json', type: 'auth', elements: 3, compressed: false });
    expect(parseAuthFile(built.body, 'auth.json').users).toEqual([{ id: '-63:alice', user_name: 'alice', user_email: 'a@example.com' }]);
  });

  it('refuses a file that lacks a kind, naming it', () => {
    expect(() => parseAuthFile(Buffer.from('{"users":[],"groups":[]}'), 'auth.json')).toThrow(BackupFormatError);
    expect(() => parseAuthFile(Buffer.from('{"users":[],"groups":[]}'), 'auth.json')).toThrow('auth.json: lacks a list of objects for targets, belongs, accesses');
  });
});
