import { elementLabel, fixEdge, fixVertex, rewritePrimaryKeyId, sameLabelAndProperties, vertexIdOnTarget, type ElementFixContext } from '../../../functions/restore/element-fix';
import { ElementFixError } from '../../../functions/restore/errors';

const merging: ElementFixContext = {
  mode: 'MERGING',
  primaryKeyLabels: new Map([
    ['person', '7'],
    ['code', '12'],
  ]),
};
const restoring: ElementFixContext = { ...merging, mode: 'RESTORING' };

const SNOWFLAKE = '1190241039214968832';
const BIG_LONG = '9223372036854775807';

describe('fixVertex', () => {
  it('drops the id of a PRIMARY_KEY vertex in both modes and keeps every other byte', () => {
    const raw = `{"id":"2:marko","label":"person","type":"vertex","properties":{"name":"marko","big":${BIG_LONG},"f":1.0E21}}`;
    const expected = `{"label":"person","type":"vertex","properties":{"name":"marko","big":${BIG_LONG},"f":1.0E21}}`;
    expect(fixVertex(raw, merging)).toBe(expected);
    expect(fixVertex(raw, restoring)).toBe(expected);
    expect(fixVertex(raw, merging, 'person')).toBe(expected);
  });

  it('returns AUTOMATIC and customized vertices unchanged, ids above 2^53 included', () => {
    const auto = `{"id":${SNOWFLAKE},"label":"auto","type":"vertex","properties":{"p":${BIG_LONG}}}`;
    const custom = '{"id":"béta:\\"quoted\\"","label":"cust","type":"vertex","properties":{}}';
    expect(fixVertex(auto, merging)).toBe(auto);
    expect(fixVertex(auto, merging, 'auto')).toBe(auto);
    expect(fixVertex(custom, restoring)).toBe(custom);
  });
});

describe('fixEdge', () => {
  const edge = (outV: string, outVLabel: string, inV: string, inVLabel: string) =>
    `{"id":"S2:marko>2>2>11>L${BIG_LONG}","label":"rated","type":"edge","outV":${outV},"outVLabel":"${outVLabel}","inV":${inV},"inVLabel":"${inVLabel}","properties":{"seq":1,"w":${BIG_LONG}}}`;

  it('passes edges through unchanged in RESTORING', () => {
    const raw = edge('"2:marko"', 'person', BIG_LONG, 'cust');
    expect(fixEdge(raw, restoring)).toBe(raw);
  });

  it('in MERGING drops the edge id and gives PRIMARY_KEY endpoints the target label id', () => {
    const raw = edge('"2:vadas`:with>sep`tick"', 'person', BIG_LONG, 'cust');
    expect(fixEdge(raw, merging)).toBe(
      `{"label":"rated","type":"edge","outV":"7:vadas\`:with>sep\`tick","outVLabel":"person","inV":${BIG_LONG},"inVLabel":"cust","properties":{"seq":1,"w":${BIG_LONG}}}`,
    );
  });

  it('rewrites both endpoints when both labels are PRIMARY_KEY', () => {
    const out = fixEdge(edge('"2:marko"', 'person', '"3:9W00000001"', 'code'), merging);
    expect(out).toContain('"outV":"7:marko"');
    expect(out).toContain('"inV":"12:9W00000001"');
    expect(out).not.toContain('"id"');
  });

  it('keeps numeric endpoint ids above 2^53 byte-exact', () => {
    const out = fixEdge(edge(SNOWFLAKE, 'auto', BIG_LONG, 'cust'), merging);
    expect(out).toContain(`"outV":${SNOWFLAKE}`);
    expect(out).toContain(`"inV":${BIG_LONG}`);
  });

  it('refuses a PRIMARY_KEY endpoint that is not "<labelId>:<values>"', () => {
    expect(() => fixEdge(edge('12345', 'person', BIG_LONG, 'cust'), merging)).toThrow(ElementFixError);
    expect(() => fixEdge('{"label":"rated","outV":1,"inV":2}', merging)).toThrow(/outVLabel/);
  });
});

describe('rewritePrimaryKeyId', () => {
  it('replaces only the label id before the first colon', () => {
    expect(rewritePrimaryKeyId('"2:a:b\\"c"', '15')).toBe('"15:a:b\\"c"');
    expect(rewritePrimaryKeyId('"15:x"', '15')).toBe('"15:x"');
  });
});

describe('elementLabel', () => {
  it('reads the label wherever it is in the element', () => {
    expect(elementLabel(`{"id":${SNOWFLAKE},"type":"vertex","properties":{"label":"no"},"label":"yes"}`)).toBe('yes');
    expect(elementLabel('{"id":1}')).toBeUndefined();
  });
});

describe('vertexIdOnTarget', () => {
  it('is the vertex id, with the target label id for a PRIMARY_KEY label', () => {
    expect(vertexIdOnTarget('{"id":"2:marko","label":"person"}', 'person', merging)).toBe('"7:marko"');
    expect(vertexIdOnTarget(`{"id":${SNOWFLAKE},"label":"auto"}`, 'auto', merging)).toBe(SNOWFLAKE);
    expect(vertexIdOnTarget('{"label":"auto"}', 'auto', merging)).toBeUndefined();
  });
});

describe('sameLabelAndProperties', () => {
  it('ignores member order and ids, and compares numbers by their text', () => {
    const a = `{"id":"2:marko","label":"person","type":"vertex","properties":{"name":"marko","big":${BIG_LONG},"l":[1,2]}}`;
    const b = `{"label":"person","properties":{"l":[1,2],"big":${BIG_LONG},"name":"marko"}}`;
    expect(sameLabelAndProperties(a, b)).toBe(true);
    expect(sameLabelAndProperties(a, b.replace(BIG_LONG, '9223372036854775806'))).toBe(false);
    expect(sameLabelAndProperties(a, b.replace('[1,2]', '[2,1]'))).toBe(false);
    expect(sameLabelAndProperties(a, b.replace('"person"', '"other"'))).toBe(false);
  });
});
