import { BackupFormatError, decodeLine, decodeLines, encodeDataLine, encodeSchemaLine, locateLineArray } from '../../../functions/format';
import { chunked, toArray, vertex } from './helpers';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('encodeDataLine', () => {
  it('writes the tool prefix with one space and a compact array', () => {
    expect(encodeDataLine('vertices', ['{"id":1}', '{"id":2}'])).toBe('{"vertices": [{"id":1},{"id":2}]}\n');
  });

  it('accepts 500 elements and refuses 501 or none', () => {
    const raws = Array.from({ length: 501 }, (_, i) => vertex(i));
    expect(() => encodeDataLine('edges', raws.slice(0, 500))).not.toThrow();
    expect(() => encodeDataLine('edges', raws)).toThrow(/1 to 500 elements, got 501/);
    expect(() => encodeDataLine('vertices', [])).toThrow(RangeError);
  });

  it('refuses a schema type', () => {
    expect(() => encodeDataLine('propertykeys' as never, ['{}'])).toThrow(/not a data type/);
  });

  it('turns line breaks of a pretty-printed element into spaces', () => {
    expect(encodeDataLine('vertices', ['{\r\n  "id": 1\n}'])).toBe('{"vertices": [{    "id": 1 }]}\n');
  });
});

describe('encodeSchemaLine', () => {
  it('puts every element on one line, none included', () => {
    const raws = Array.from({ length: 1200 }, (_, i) => `{"name":"p${i}"}`);
    const line = encodeSchemaLine('propertykeys', raws);
    expect(line.split('\n')).toHaveLength(2);
    expect(encodeSchemaLine('indexlabels', [])).toBe('{"indexlabels": []}\n');
  });
});

describe('decodeLine', () => {
  it('returns each element as the exact text of the line', () => {
    const text = '{"vertices": [{"id":1208794584776818688,"p":{"s":"a\\"]},{"}},  {"id":"1:marko"} ]}';
    expect(decodeLine(text, 'f', 1).rawElements).toEqual(['{"id":1208794584776818688,"p":{"s":"a\\"]},{"}}', '{"id":"1:marko"}']);
  });

  it('accepts whitespace between tokens, an empty array and a BOM on line 1', () => {
    expect(decodeLine(' { "edges" :[ ] } \r', 'f', 3)).toEqual({ type: 'edges', rawElements: [], line: 3 });
    expect(decodeLine('\ufeff{"edges": []}', 'f', 1).type).toBe('edges');
  });

  it.each([
    ['', /blank line/],
    ['   ', /blank line/],
    ['[{"id":1}]', /expected '\{' at column 1/],
    ['{"vertex": []}', /unknown type "vertex"/],
    ['{"vertices" []}', /expected ':'/],
    ['{"vertices": {}}', /expected the "vertices" array/],
    ['{"vertices": [1, 2]}', /element 1 is not a JSON object/],
    ['{"vertices": [{"id":1} {"id":2}]}', /expected ',' or '\]' after an element/],
    ['{"vertices": [{"id":1}], "page": null}', /exactly one member/],
    ['{"vertices": [{"id":1}]} x', /unexpected text after '\}'/],
    ['{"vertices": [{"id":"1}]}', /Unterminated string/],
    ['{"vertices": [{"id":{"a":1}', /Unterminated object or array at column 15/],
    ['{"vertices": [{"id":1}', /expected ',' or '\]' after an element at column 23/],
  ])('refuses %j', (text, message) => {
    expect(() => decodeLine(text, 'vertices-0001-00002.zip', 7)).toThrow(message);
  });

  it('names the file and line, with a stable error name', () => {
    const err = (() => {
      try {
        decodeLine('', 'vertices0.zip', 42);
      } catch (e) {
        return e;
      }
    })() as BackupFormatError;
    expect(err).toBeInstanceOf(BackupFormatError);
    expect(err.name).toBe('BackupFormatError');
    expect(err.message).toBe('vertices0.zip, line 42: blank line (hugegraph-tools fails on it too)');
    expect(err.file).toBe('vertices0.zip');
    expect(err.line).toBe(42);
  });

  it('refuses a line of another type when one is expected', () => {
    expect(() => decodeLine('{"edges": []}', 'vertices0', 1, 'vertices')).toThrow('vertices0, line 1: holds "edges", expected "vertices" at column 2');
  });

  it('refuses more than 500 data elements on a line, but not schema elements', () => {
    const raws = Array.from({ length: 501 }, () => '{}');
    expect(() => decodeLine(`{"edges": [${raws.join(',')}]}`, 'edges0', 1)).toThrow(/501 elements on one line/);
    expect(decodeLine(`{"propertykeys": [${raws.join(',')}]}`, 'propertykeys', 1).rawElements).toHaveLength(501);
  });
});

describe('decodeLines', () => {
  const elements = Array.from({ length: 1234 }, (_, i) => vertex(i));
  const text = [0, 500, 1000].map((s) => encodeDataLine('vertices', elements.slice(s, s + 500))).join('');

  it.each([1, 7, 4096, 1 << 20])('round-trips lines read in %i-byte chunks', async (size) => {
    const lines = await toArray(decodeLines(chunked(enc(text), size), { file: 'f', expect: 'vertices' }));
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(lines.map((l) => l.rawElements.length)).toEqual([500, 500, 234]);
    expect(lines.flatMap((l) => l.rawElements)).toEqual(elements);
  });

  it('keeps non-ASCII text split across chunks', async () => {
    const raw = '{"name":"Zoë 北京 🚀","id":1}';
    const lines = await toArray(decodeLines(chunked(enc(encodeDataLine('vertices', [raw])), 1), { file: 'f' }));
    expect(lines[0]?.rawElements).toEqual([raw]);
  });

  it('accepts a last line without a newline', async () => {
    const lines = await toArray(decodeLines(chunked(enc('{"edges": [{}]}\n{"edges": [{},{}]}')), { file: 'f' }));
    expect(lines.map((l) => l.rawElements.length)).toEqual([1, 2]);
  });

  it('yields nothing for an empty file', async () => {
    expect(await toArray(decodeLines(chunked(enc('')), { file: 'f' }))).toEqual([]);
  });

  it('fails on a blank line with its number', async () => {
    const source = chunked(enc('{"edges": [{}]}\n\n{"edges": [{}]}\n'));
    await expect(toArray(decodeLines(source, { file: 'edges3.zip' }))).rejects.toThrow('edges3.zip, line 2: blank line');
  });

  it('fails on invalid UTF-8', async () => {
    const bytes = Buffer.concat([enc('{"edges": [{"s":"'), Buffer.from([0xc3, 0x28]), enc('"}]}\n')]);
    await expect(toArray(decodeLines(chunked(bytes), { file: 'edges0' }))).rejects.toThrow('edges0, line 1: invalid UTF-8');
  });

  it('fails on a line longer than the limit without reading it whole', async () => {
    const source = chunked(enc(`{"edges": [{}]}\n${'{"edges": ['.padEnd(5000, ' ')}`), 100);
    await expect(toArray(decodeLines(source, { file: 'e', maxLineBytes: 1000 }))).rejects.toThrow('e, line 2: line longer than 1000 bytes');
  });
});

describe('locateLineArray', () => {
  const elements = ['{"id":1190241039214968832,"label":"a","properties":{"t":"]}\\"\\\\","n":[1,{"x":"}"}]}}', '{"id":"2:中文","label":"a"}', '{}'];
  const lineOf = (text: string) => Buffer.from(text, 'utf8');

  it('finds the array of a line as stored, byte for byte, and counts its elements', () => {
    const bytes = lineOf(encodeDataLine('vertices', elements).slice(0, -1));
    const found = locateLineArray(bytes, 'vertices-0001-00001', 1, 'vertices');
    expect(found.count).toBe(3);
    expect(found.array.toString('utf8')).toBe(`[${elements.join(',')}]`);
    expect(found.array.buffer).toBe(bytes.buffer); // a view, not a copy
  });

  it('accepts whitespace, an empty array and a BOM on line 1, as decodeLine does', () => {
    expect(locateLineArray(lineOf('\uFEFF { "edges" : [ {"a":1} , {"b":[2]} ] } '), 'f', 1, 'edges').count).toBe(2);
    expect(locateLineArray(lineOf('{"edges": []}'), 'f', 2, 'edges').count).toBe(0);
  });

  it('refuses what decodeLine refuses, naming the file, the line and the byte column', () => {
    const fails = (text: string, kind: 'vertices' | 'edges' = 'vertices') => {
      try {
        locateLineArray(lineOf(text), 'vertices-0001-00001', 7, kind);
      } catch (error) {
        expect(error).toBeInstanceOf(BackupFormatError);
        return (error as Error).message;
      }
      throw new Error(`accepted: ${text}`);
    };
    expect(fails('{"edges": [{}]}')).toBe('vertices-0001-00001, line 7: holds "edges", expected "vertices" at column 2');
    expect(fails('{"vertices": [{"a":"x}]}')).toMatch(/^vertices-0001-00001, line 7: Unterminated string at column 20/);
    expect(fails('{"vertices": [{} {}]}')).toMatch(/Expected ',' or '\]' after an array element at column 18/);
    expect(fails('{"vertices": [{}]} x')).toMatch(/unexpected text after '}'/);
    expect(fails('{"vertices": [{}, 1]}')).toMatch(/element 2 is not a JSON object at column 19/);
    expect(fails(`{"vertices": [${Array(501).fill('{}').join(',')}]}`)).toMatch(/501 elements on one line, at most 500/);
  });
});
