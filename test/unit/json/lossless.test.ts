import { isLosslessNumber, isNumberId, isStringId, JsonSyntaxError, LosslessNumber, parseLossless, parseLosslessObject, rawIdKind, rawJson, stringifyLossless } from '../../../functions/json';

describe('parseLossless / stringifyLossless', () => {
  it('keeps ids above 2^53 and the smallest long byte-exact', () => {
    for (const text of [
      '{"id":1208794584776818688,"label":"person","properties":{"big":-9223372036854775808}}',
      '[9223372036854775807,-9223372036854775808,18446744073709551615]',
      '{"outV":1208794584776818688,"inV":"1:marko"}',
    ]) {
      expect(stringifyLossless(parseLossless(text))).toBe(text);
    }
    const v = parseLosslessObject('{"id":1208794584776818688}');
    expect(v['id']).toEqual(new LosslessNumber('1208794584776818688'));
    expect((v['id'] as LosslessNumber).toBigInt()).toBe(1208794584776818688n);
  });

  it('keeps the text of every number form (exponents, fractions, -0, Java doubles)', () => {
    const text = '[0,-0,1.0,1.0E21,-1.5E-300,0.1,1e400,12.50,3]';
    expect(stringifyLossless(parseLossless(text))).toBe(text);
    expect(stringifyLossless(parseLossless(text, { numbers: 'exact' }))).toBe(text);
  });

  it("numbers: 'exact' gives plain numbers only where they are exact", () => {
    const v = parseLossless('[42,1.5,9007199254740993,1.0,1e2]', { numbers: 'exact' }) as unknown[];
    expect(v[0]).toBe(42);
    expect(v[1]).toBe(1.5);
    expect(isLosslessNumber(v[2])).toBe(true);
    expect(isLosslessNumber(v[3])).toBe(true);
    expect(isLosslessNumber(v[4])).toBe(true);
  });

  it('a number stays a number and a string stays a string', () => {
    const v = parseLosslessObject('{"a":"1208794584776818688","b":1208794584776818688}');
    expect(typeof v['a']).toBe('string');
    expect(isLosslessNumber(v['b'])).toBe(true);
    expect(stringifyLossless(v)).toBe('{"a":"1208794584776818688","b":1208794584776818688}');
  });

  it('decodes escapes and unicode and writes them back as equivalent JSON', () => {
    const text = '{"s":"a\\"b\\\\c\\/d\\n\\u00e9\\ud83c\\udf0d","t":"héllo 世界 🌍"}';
    const v = parseLosslessObject(text);
    expect(v['s']).toBe('a"b\\c/d\né🌍');
    expect(v['t']).toBe('héllo 世界 🌍');
    expect(parseLosslessObject(stringifyLossless(v))).toEqual(v);
  });

  it('supports the edits restore needs: drop an id, rewrite outV', () => {
    const v = parseLosslessObject('{"id":"1:marko","label":"person","type":"vertex","properties":{"age":29,"big":1234567890123456789}}');
    delete v['id'];
    expect(stringifyLossless(v)).toBe('{"label":"person","type":"vertex","properties":{"age":29,"big":1234567890123456789}}');
    const e = parseLosslessObject('{"outV":"1:a","inV":1208794584776818688}');
    e['outV'] = `7${(e['outV'] as string).slice(1)}`;
    expect(stringifyLossless(e)).toBe('{"outV":"7:a","inV":1208794584776818688}');
  });

  it('writes bigint, LosslessNumber and RawJson verbatim and skips undefined members', () => {
    expect(stringifyLossless({ a: 1208794584776818688n, b: LosslessNumber.from('-9223372036854775808'), c: rawJson('{"x":[1]}'), d: undefined })).toBe(
      '{"a":1208794584776818688,"b":-9223372036854775808,"c":{"x":[1]}}',
    );
    expect(() => stringifyLossless(NaN)).toThrow(JsonSyntaxError);
    expect(() => LosslessNumber.from(Infinity)).toThrow(JsonSyntaxError);
  });

  it('treats __proto__ as a plain member', () => {
    const v = parseLosslessObject('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(stringifyLossless(v)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('rejects malformed JSON with a position', () => {
    for (const bad of ['{"a":1,}', '[1 2]', '{"a":01}', '{"a":"\u0001"}', '{"a":tru}', '"abc', '{"a":1} x', '', '{"a":"\\x"}', '+1']) {
      expect(() => parseLossless(bad)).toThrow(JsonSyntaxError);
    }
    expect(() => parseLosslessObject('[1]')).toThrow(JsonSyntaxError);
    expect(() => new LosslessNumber('1.')).toThrow(JsonSyntaxError);
  });
});

describe('id kinds', () => {
  it('tells a number id from a string id', () => {
    const v = parseLossless('[1208794584776818688,"1:marko",42]') as unknown[];
    expect(v.map(isNumberId)).toEqual([true, false, true]);
    expect(v.map(isStringId)).toEqual([false, true, false]);
    expect(isNumberId(5)).toBe(true);
    expect(isNumberId(5n)).toBe(true);
  });

  it('tells the kind of a raw id text', () => {
    expect(rawIdKind('1208794584776818688')).toBe('number');
    expect(rawIdKind('-9223372036854775808')).toBe('number');
    expect(rawIdKind('"1:marko"')).toBe('string');
    expect(() => rawIdKind('marko')).toThrow(JsonSyntaxError);
  });

  it('LosslessNumber reports whether a JS number can hold it', () => {
    expect(new LosslessNumber('9007199254740991').isSafe()).toBe(true);
    expect(new LosslessNumber('9007199254740993').isSafe()).toBe(false);
    expect(new LosslessNumber('1.5').isInteger()).toBe(false);
  });
});
