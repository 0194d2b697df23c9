import { editObjectMembers, elementIdRaw, getMemberRaw, JsonSyntaxError, LosslessNumber, scanArray, scanDocument, scanObjectMembers, scanPage } from '../../../functions/json';

/** Byte offsets of each element in the UTF-8 encoding, found independently of the scanner. */
function byteSlices(text: string, elements: string[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  let from = 0;
  return elements.map((e) => {
    const needle = Buffer.from(e, 'utf8');
    const at = bytes.indexOf(needle, from);
    from = at + needle.length;
    return bytes.subarray(at, at + needle.length);
  });
}

describe('scanPage', () => {
  it('returns each element of the named array as the exact server text, and the page token', () => {
    const v1 = '{"id":1208794584776818688,"label":"person","type":"vertex","properties":{"name":"marko","age":29}}';
    const v2 = '{"id":"1:josh","label":"person","type":"vertex","properties":{"big":-9223372036854775808,"d":1.0E21}}';
    const text = `{"vertices":[${v1},${v2}],"page":"AAAAABoRVkk6LTE6MQB4+/=="}`;
    const page = scanPage(text, 'vertices');
    expect(page.elements).toEqual([v1, v2]);
    expect(page.page).toBe('AAAAABoRVkk6LTE6MQB4+/==');
  });

  it('reads a null page, a missing page, and whitespace the way the server writes it', () => {
    expect(scanPage('{"vertices":[],"page": null}', 'vertices')).toMatchObject({ elements: [], page: null });
    expect(scanPage('{"edges":[ {"a":1} ,\n {"b":[2]} ]}', 'edges')).toMatchObject({ elements: ['{"a":1}', '{"b":[2]}'], page: null });
    expect(scanPage(' { "vertices" : null , "page" : "x" } ', 'vertices')).toMatchObject({ elements: [], page: 'x' });
  });

  it('handles strings with escapes, brackets and quotes inside, nested objects and arrays', () => {
    const tricky = [
      '{"s":"a\\"b","t":"\\\\","u":"}]{[,:","v":"\\\\\\"","w":{"x":[[1,{"y":"]"}],[]]},"z":[]}',
      '{"e":"\\u00e9\\ud83c\\udf0d\\n\\t\\/"}',
      '"a string element"',
      '12345678901234567890',
      'true',
      'null',
      '[1,[2,[3]]]',
    ];
    const text = `{"other":{"vertices":[0]},"vertices":[${tricky.join(',')}],"page":null}`;
    expect(scanPage(text, 'vertices').elements).toEqual(tricky);
  });

  it('slices byte-exact for non-ASCII text (multi-byte UTF-8, emoji) given as bytes', () => {
    const els = ['{"id":"中文-id","p":"héllo 世界 🌍"}', '{"id":9007199254740993,"p":"ünïcødé\\"q\\""}'];
    const text = `{"vertices":[${els.join(',')}],"page":"p"}`;
    const bytes = Buffer.from(text, 'utf8');
    const page = scanPage(bytes, 'vertices');
    expect(page.elements).toEqual(els);
    const expected = byteSlices(text, els);
    for (const [k, e] of page.elements.entries()) expect(Buffer.from(e, 'utf8').equals(expected[k]!)).toBe(true);
  });

  it('exposes other top-level scalars, numbers losslessly', () => {
    const page = scanPage('{"vertices":[],"page":"t","count":9223372036854775807,"flag":true,"list":[1]}', 'vertices');
    expect(page.scalars['count']).toEqual(new LosslessNumber('9223372036854775807'));
    expect(page.scalars['flag']).toBe(true);
    expect(page.scalars['list']).toBeUndefined();
  });

  it('rejects truncated or malformed text', () => {
    for (const bad of ['{"vertices":[{"a":1}', '{"vertices":[{"a":"unterminated}]}', '{"vertices":[{"a":1}] "page":null}', '{"vertices":[{"a":1},]}', '["not an object"]', '{"vertices":[]}}', '']) {
      expect(() => scanPage(bad, 'vertices')).toThrow(JsonSyntaxError);
    }
    expect(() => scanPage('{"vertices":[],"page":5}', 'vertices')).toThrow(JsonSyntaxError);
  });

  it('rejects bytes that are not UTF-8 instead of replacing them', () => {
    const bad = Buffer.concat([Buffer.from('{"vertices":["'), Buffer.from([0xff, 0xfe]), Buffer.from('"]}')]);
    expect(() => scanPage(bad, 'vertices')).toThrow(JsonSyntaxError);
  });

  it('scans a large page quickly enough to be linear (20k elements)', () => {
    const els = Array.from({ length: 20_000 }, (_, k) => `{"id":${1208794584776818688n + BigInt(k)},"label":"p","properties":{"n":"名字 ${k} \\"q\\"","l":[1,2,3]}}`);
    const page = scanPage(`{"vertices":[${els.join(',')}],"page":null}`, 'vertices');
    expect(page.elements).toHaveLength(20_000);
    expect(page.elements[19_999]).toBe(els[19_999]);
  });
});

describe('scanDocument', () => {
  it('splits several arrays and keeps their raw text', () => {
    const text = '{"propertykeys":[{"id":1}],"vertexlabels":[],"edgelabels":[{"id":2,"links":[{"a":"b"}]}],"indexlabels":[ {"id":3} ]}';
    const doc = scanDocument(text, ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels']);
    expect(doc.arrays['edgelabels']).toEqual({ elements: ['{"id":2,"links":[{"a":"b"}]}'], raw: '[{"id":2,"links":[{"a":"b"}]}]' });
    expect(doc.arrays['indexlabels']?.raw).toBe('[ {"id":3} ]');
    expect(doc.arrays['vertexlabels']?.elements).toEqual([]);
  });
});

describe('scanArray', () => {
  it('splits a top-level array such as a batch-create answer', () => {
    expect(scanArray('["1:marko",1208794584776818688,"S1:a>1>1>>L2"]')).toEqual(['"1:marko"', '1208794584776818688', '"S1:a>1>1>>L2"']);
    expect(scanArray(' [ ] ')).toEqual([]);
    expect(() => scanArray('{"a":1}')).toThrow(JsonSyntaxError);
  });
});

describe('object members', () => {
  const vertex = '{"id":"2:marko","label":"v","type":"vertex","properties":{"id":"inner","x":[1,{"id":2}]}}';

  it('finds top-level members only', () => {
    expect(scanObjectMembers(vertex).map((m) => m.key)).toEqual(['id', 'label', 'type', 'properties']);
    expect(getMemberRaw(vertex, 'id')).toBe('"2:marko"');
    expect(getMemberRaw(vertex, 'missing')).toBeUndefined();
    expect(getMemberRaw('{"a\\"b":1}', 'a"b')).toBe('1');
  });

  it('reads the element id from the first member, or wherever it is', () => {
    expect(elementIdRaw('{"id":1208794584776818688,"label":"v"}')).toBe('1208794584776818688');
    expect(elementIdRaw('{"label":"v", "id" : "x"}')).toBe('"x"');
    expect(elementIdRaw('{"label":"v"}')).toBeUndefined();
  });

  it('drops and rewrites members while keeping every other byte', () => {
    expect(editObjectMembers(vertex, { remove: ['id'] })).toBe('{"label":"v","type":"vertex","properties":{"id":"inner","x":[1,{"id":2}]}}');
    const edge = '{"id":"S1:a>1>1>>S1:b","label":"e","outV":"1:a","outVLabel":"v","inV":"1:b","inVLabel":"v","properties":{"w":9007199254740993}}';
    expect(editObjectMembers(edge, { set: { outV: '"7:a"', inV: '"7:b"' } })).toBe(
      '{"id":"S1:a>1>1>>S1:b","label":"e","outV":"7:a","outVLabel":"v","inV":"7:b","inVLabel":"v","properties":{"w":9007199254740993}}',
    );
    expect(editObjectMembers('{"a":1}', { set: { b: '2' }, remove: ['a'] })).toBe('{"b":2}');
    expect(editObjectMembers('{}', {})).toBe('{}');
  });
});
