import { encodeDataLine, encodeDataLineBytes } from '../../../functions/format';
import { dropRepeatedBytes, dropRepeats } from '../../../functions/hugegraph/client';
import { countArrayBytes, leadingIdBytes, memberStringBytes, scanPageBytes, skipValueBytes, withoutLeadingIdBytes } from '../../../functions/json/bytes';
import { scanPage } from '../../../functions/json/scan';

const ELEMENTS = [
  '{"id":1190241039214968832,"label":"a","properties":{"t":"]}\\"\\\\,","n":[1,{"x":"}"}],"d":-1.5e-7}}',
  '{"id":"2:中文 🌍","label":"a","properties":{}}',
  '{"label":"b","id":"x\\"y","properties":{"empty":""}}',
  '{}',
];
const page = (elements: string[], token: string | null) => `{"vertices":[${elements.join(',')}],"page":${JSON.stringify(token)}}`;

describe('byte scanner', () => {
  it('splits a page into views of its bytes that equal what the text scanner finds', () => {
    for (const text of [page(ELEMENTS, 'tok"en\\/中'), `{ "page" : null , "vertices" : [ ${ELEMENTS.join(' , ')} ] , "x": {"vertices":[1]} }`, '{"vertices":[]}', '{"page":"p"}']) {
      const bytes = Buffer.from(text, 'utf8');
      const fromBytes = scanPageBytes(bytes, 'vertices');
      const fromText = scanPage(text, 'vertices');
      expect(fromBytes.elements.map((e) => e.toString('utf8'))).toEqual(fromText.elements);
      expect(fromBytes.page).toBe(fromText.page);
      for (const e of fromBytes.elements) expect(e.buffer).toBe(bytes.buffer);
    }
  });

  it('refuses what is not a page', () => {
    expect(() => scanPageBytes(Buffer.from('[1,2]'), 'vertices')).toThrow(/Expected a JSON object/);
    expect(() => scanPageBytes(Buffer.from('{"vertices":[{"a":1}'), 'vertices')).toThrow(/Unterminated/);
    expect(() => scanPageBytes(Buffer.from('{"vertices":[],"page":5}'), 'vertices')).toThrow(/'page' member is not a string/);
    expect(() => scanPageBytes(Buffer.from('{"vertices":[]} x'), 'vertices')).toThrow(/Unexpected text/);
    expect(() => scanPageBytes(Buffer.from([...Buffer.from('{"vertices":[{"a":"'), 0xc3, 0x28, ...Buffer.from('"}]}')]), 'vertices')).toThrow(/Invalid UTF-8/);
  });

  it('counts array elements and skips values, strings with escaped quotes included', () => {
    const text = Buffer.from(`[${ELEMENTS.join(',')}, 7, "s\\"]", null]`);
    expect(countArrayBytes(text, 0)).toEqual({ count: 7, end: text.length });
    expect(skipValueBytes(Buffer.from('"a\\\\"x'), 0)).toBe(5); // "a\\" then x
  });

  it('reads a leading id without decoding the element, and only a leading one', () => {
    expect(leadingIdBytes(Buffer.from(ELEMENTS[0] as string))).toBe('1190241039214968832');
    expect(leadingIdBytes(Buffer.from(ELEMENTS[1] as string))).toBe('"2:中文 🌍"');
    expect(leadingIdBytes(Buffer.from(ELEMENTS[2] as string))).toBeUndefined();
  });

  it('cuts a leading id out of an element, and leaves one that is not first to the caller', () => {
    const cut = (text: string) => {
      const pieces = withoutLeadingIdBytes(Buffer.from(text));
      return pieces && Buffer.concat(pieces).toString();
    };
    expect(cut(ELEMENTS[0] as string)).toBe((ELEMENTS[0] as string).replace('"id":1190241039214968832,', ''));
    expect(cut('{"id":"1:a\\"b" , "label":"p"}')).toBe('{"label":"p"}');
    expect(cut('{"id":"1:only"}')).toBe('{}');
    expect(cut(ELEMENTS[2] as string)).toBeUndefined();
  });

  it('drops server repeats in bytes exactly as in text', () => {
    const texts = [ELEMENTS[0], ELEMENTS[0], ELEMENTS[1], ELEMENTS[2], ELEMENTS[2]] as string[];
    const views = scanPageBytes(Buffer.from(page(texts, null)), 'vertices').elements;
    for (const afterId of [null, '1190241039214968832', '"nope"']) {
      const a = dropRepeats(texts, afterId);
      const b = dropRepeatedBytes(views, afterId);
      expect(b.elements.map((e) => e.toString('utf8'))).toEqual(a.elements);
      expect(b.dropped).toBe(a.dropped);
    }
  });
});

describe('encodeDataLineBytes', () => {
  it('writes the very line encodeDataLine writes, from views, text or both', () => {
    const views = scanPageBytes(Buffer.from(page(ELEMENTS, null)), 'vertices').elements;
    const expected = Buffer.from(encodeDataLine('vertices', ELEMENTS));
    expect(encodeDataLineBytes('vertices', views)).toEqual(expected);
    expect(encodeDataLineBytes('vertices', ELEMENTS)).toEqual(expected);
    expect(encodeDataLineBytes('vertices', [views[0] as Buffer, ELEMENTS[1] as string, views[2] as Buffer, views[3] as Buffer])).toEqual(expected);
    // Not neighbours (one left out): still separated by one comma.
    expect(encodeDataLineBytes('vertices', [views[0] as Buffer, views[2] as Buffer])).toEqual(Buffer.from(encodeDataLine('vertices', [ELEMENTS[0] as string, ELEMENTS[2] as string])));
  });

  it('turns raw line breaks between tokens into spaces, and leaves the answer untouched', () => {
    const answer = Buffer.from('{"vertices":[{"id":1,\n"a":2},{"id":2,\r\n"b":3}]}');
    const views = scanPageBytes(answer, 'vertices').elements;
    expect(encodeDataLineBytes('vertices', views).toString()).toBe('{"vertices": [{"id":1, "a":2},{"id":2,  "b":3}]}\n');
    expect(answer.toString()).toContain('\n"a"');
  });

  it('refuses an empty line, more than 500 elements and a schema type', () => {
    expect(() => encodeDataLineBytes('vertices', [])).toThrow(RangeError);
    expect(() => encodeDataLineBytes('vertices', Array(501).fill('{}'))).toThrow(RangeError);
    expect(() => encodeDataLineBytes('propertykeys' as 'vertices', ['{}'])).toThrow(RangeError);
  });
});

describe('memberStringBytes', () => {
  const b = (text: string) => Buffer.from(text, 'utf8');

  it('finds an element\u2019s label after its id, whatever the id holds', () => {
    expect(memberStringBytes(b('{"id":"1:mar\\"ko","label":"person","type":"vertex","properties":{"label":"not this"}}'), 'label')).toBe('person');
    expect(memberStringBytes(b('{"id":{"a":[1,"label"]},"label":"数据 ✓","properties":{}}'), 'label')).toBe('数据 ✓');
    expect(memberStringBytes(b(' { "label" : "spaced" } '), 'label')).toBe('spaced');
  });

  it('is undefined when the member is missing or not a string, and refuses what is not an object', () => {
    expect(memberStringBytes(b('{"id":1,"properties":{"label":"inner"}}'), 'label')).toBeUndefined();
    expect(memberStringBytes(b('{"label":7}'), 'label')).toBeUndefined();
    expect(memberStringBytes(b('{}'), 'label')).toBeUndefined();
    expect(() => memberStringBytes(b('[1]'), 'label')).toThrow('Expected a JSON object');
  });
});
