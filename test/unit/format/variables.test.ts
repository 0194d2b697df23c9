import { BackupFormatError, buildVariablesFile, parseVariables } from '../../../functions/format';
import { createHash } from 'node:crypto';

describe('the variables file', () => {
  const serverText = '{"big":9223372036854775807,"d":1.0,"e":-1.5E-300,"s":"héllo \\"q\\"","l":[1.0,2],"b":true,"o":[]}';

  it('stores the server text as written, with a final newline, counted and hashed', () => {
    const built = buildVariablesFile(`${serverText}\r\n`);
    expect(built.body.toString('utf8')).toBe(`${serverText}\n`);
    expect(built.file).toEqual({ name: 'variables.json', type: 'variables', elements: 7, bytes: built.body.length, sha256: createHash('sha256').update(built.body).digest('hex'), compressed: false });
  });

  it('gives each value back as its exact JSON text: numbers keep their digits and their form', () => {
    expect(parseVariables(Buffer.from(serverText), 'variables.json')).toEqual([
      { key: 'big', rawValue: '9223372036854775807' },
      { key: 'd', rawValue: '1.0' },
      { key: 'e', rawValue: '-1.5E-300' },
      { key: 's', rawValue: '"héllo \\"q\\""' },
      { key: 'l', rawValue: '[1.0,2]' },
      { key: 'b', rawValue: 'true' },
      { key: 'o', rawValue: '[]' },
    ]);
  });

  it('refuses a file that is not a JSON object, naming it', () => {
    expect(() => parseVariables(Buffer.from('[1,2]'), 'variables.json')).toThrow(BackupFormatError);
    expect(() => parseVariables(Buffer.from('{"a":'), 'variables.json')).toThrow(/^variables.json: not a JSON object of variables/);
    expect(() => parseVariables(Buffer.from([0x7b, 0xff, 0x7d]), 'variables.json')).toThrow(/not valid UTF-8/);
  });
});
