import { scanPageBytes } from '../../../functions/json/bytes';
import { PageStreamScanner } from '../../../functions/json/page-stream';

const ELEMENTS = [
  '{"id":1190241039214968832,"label":"a","properties":{"t":"]}\\"\\\\,","n":[1,{"x":"}"}],"d":-1.5e-7}}',
  '{"id":"2:中文 🌍","label":"a","properties":{}}',
  '{"label":"b","id":"x\\"y","properties":{"empty":""}}',
  '{}',
];
const page = (elements: string[], token: string | null, extra = '') => `{"vertices": [ ${elements.join(' , ')} ] ,${extra}"page":${JSON.stringify(token)}}`;

/** Scans `bytes` cut into chunks of `size` bytes; returns the elements (as text) and the page token. */
function scanInChunks(bytes: Buffer, size: number, arrayKey = 'vertices'): { elements: string[]; page: string | null } {
  const elements: string[] = [];
  const scanner = new PageStreamScanner(arrayKey, (e) => elements.push(e.toString('utf8')));
  for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  return { elements, page: scanner.end().page };
}

describe('page stream scanner', () => {
  it('finds what the whole-page scanner finds, wherever the chunks are cut', () => {
    const answers = [
      page(ELEMENTS, 'tok"en\\u00e9'),
      page(ELEMENTS, null, '"other":{"vertices":[1,2]},"n":-12.5e3,"t":true,'),
      `\ufeff${page([], null)}`,
      '{"page":"p","vertices":[]}',
      '{}',
      '{"vertices":[1,"]",null,[2,[3]]],"page":null}',
    ];
    for (const text of answers) {
      const bytes = Buffer.from(text, 'utf8');
      const whole = scanPageBytes(bytes, 'vertices');
      const expected = { elements: whole.elements.map((e) => e.toString('utf8')), page: whole.page };
      for (let size = 1; size <= bytes.length; size++) expect(scanInChunks(bytes, size)).toEqual(expected);
    }
  });

  it('hands each element on as soon as it is complete, before the rest of the answer arrives', () => {
    const seen: string[] = [];
    const scanner = new PageStreamScanner('vertices', (e) => seen.push(e.toString('utf8')));
    scanner.push(Buffer.from('{"vertices":[{"id":1},{"id"'));
    expect(seen).toEqual(['{"id":1}']);
    scanner.push(Buffer.from(':2}'));
    expect(seen).toEqual(['{"id":1}', '{"id":2}']);
    scanner.push(Buffer.from('],"page":null}'));
    expect(scanner.end()).toEqual({ page: null });
  });

  it('hands on the elements of the named array only', () => {
    const text = '{"edges":[{"id":"e1"}],"vertices":[{"id":1}],"page":null}';
    expect(scanInChunks(Buffer.from(text), 5, 'edges').elements).toEqual(['{"id":"e1"}']);
  });

  it('refuses what is not a page, also when it stops short', () => {
    const refuse = (text: string | Buffer, pattern: RegExp) => {
      for (const size of [1, 3, 1000]) expect(() => scanInChunks(Buffer.isBuffer(text) ? text : Buffer.from(text), size)).toThrow(pattern);
    };
    refuse('[1,2]', /Expected a JSON object/);
    refuse('', /Expected a JSON object/);
    refuse('{"vertices":[{"a":1}', /Unterminated/);
    refuse('{"vertices":[{"a":1}],"page":"x', /Unterminated/);
    refuse('{"vertices":[],"page":5}', /'page' member is not a string/);
    refuse('{"vertices":[]} x', /Unexpected text/);
    refuse('{"vertices":[1 2]}', /Expected ',' or '\]'/);
    refuse('{"vertices" [1]}', /Expected ':'/);
    refuse('{"vertices":[,1]}', /Expected a value/);
    refuse('{vertices:[]}', /Expected a member name/);
    refuse(Buffer.from([...Buffer.from('{"vertices":[{"a":"'), 0xc3, 0x28, ...Buffer.from('"}]}')]), /Invalid UTF-8/);
  });
});
