import { HugeGraphUsageError } from '../../../functions/hugegraph/errors';
import { type EdgeLabel, edgeLabelBody, type IndexLabel, indexLabelBody, orderEdgeLabels, propertyKeyBody, type VertexLabel, vertexLabelBody } from '../../../functions/hugegraph/schema';
import { compareVersions, usesGraphspaces, versionAtLeast } from '../../../functions/hugegraph/version';

const userData = { '~create_time': '2026-11-25 10:18:55.372' };

describe('schema create bodies', () => {
  const vl: VertexLabel = {
    id: 3,
    name: 'person',
    id_strategy: 'PRIMARY_KEY',
    primary_keys: ['name'],
    nullable_keys: [],
    index_labels: ['personByAge'],
    properties: ['name', 'age'],
    status: 'CREATED',
    ttl: 0,
    enable_label_index: true,
    user_data: userData,
  };

  it('strips the id and output-only fields by default', () => {
    expect(vertexLabelBody(vl, {})).toEqual({
      name: 'person',
      id_strategy: 'PRIMARY_KEY',
      primary_keys: ['name'],
      nullable_keys: [],
      properties: ['name', 'age'],
      ttl: 0,
      enable_label_index: true,
      user_data: userData,
    });
  });

  it('keeps the id with keepId and sets check_exist when asked', () => {
    expect(propertyKeyBody({ id: 7, name: 'age', data_type: 'INT', status: 'CREATED' }, { keepId: true, checkExist: false })).toEqual({
      id: 7,
      name: 'age',
      data_type: 'INT',
      check_exist: false,
    });
  });

  it('refuses keepId without a positive id, and an element without a name', () => {
    expect(() => propertyKeyBody({ name: 'age' }, { keepId: true })).toThrow(HugeGraphUsageError);
    expect(() => propertyKeyBody({ id: 0, name: 'age' }, { keepId: true })).toThrow(HugeGraphUsageError);
    expect(() => propertyKeyBody({ name: '' }, {})).toThrow(HugeGraphUsageError);
  });

  it('drops ttl_start_time when there is no ttl', () => {
    expect(vertexLabelBody({ ...vl, ttl: 0, ttl_start_time: 'created' }, {})).not.toHaveProperty('ttl_start_time');
    expect(vertexLabelBody({ ...vl, ttl: 1000, ttl_start_time: 'created' }, {})).toHaveProperty('ttl_start_time', 'created');
  });

  const el: EdgeLabel = {
    id: 1,
    name: 'knows',
    edgelabel_type: 'NORMAL',
    source_label: 'person',
    target_label: 'person',
    links: [{ person: 'person' }],
    frequency: 'SINGLE',
    sort_keys: [],
    nullable_keys: [],
    index_labels: [],
    properties: [],
    status: 'CREATED',
    ttl: 0,
    enable_label_index: true,
    user_data: userData,
  };

  it('keeps 1.5+ edge label fields for a 1.5+ target and drops them for an older one', () => {
    expect(edgeLabelBody(el, {}, '1.5.0')).toMatchObject({ edgelabel_type: 'NORMAL', links: [{ person: 'person' }] });
    const old = edgeLabelBody(el, {}, '1.3.0');
    expect(old).not.toHaveProperty('edgelabel_type');
    expect(old).not.toHaveProperty('links');
    expect(old).not.toHaveProperty('parent_label');
    expect(old).not.toHaveProperty('status');
    expect(old).not.toHaveProperty('index_labels');
    expect(old).toMatchObject({ source_label: 'person', target_label: 'person' });
  });

  it('sends a PARENT label without links and refuses parent/sub labels for old servers', () => {
    const parent: EdgeLabel = { id: 2, name: 'rel', edgelabel_type: 'PARENT', links: [{ a: 'b' }] };
    const sub: EdgeLabel = { ...el, id: 3, name: 'rel_sub', edgelabel_type: 'SUB', parent_label: 'rel' };
    expect(edgeLabelBody(parent, {}, '1.7.0')).toEqual({ name: 'rel', edgelabel_type: 'PARENT' });
    expect(() => edgeLabelBody(parent, {}, '1.3.0')).toThrow(HugeGraphUsageError);
    expect(() => edgeLabelBody(sub, {}, '1.2.0')).toThrow(HugeGraphUsageError);
    expect(orderEdgeLabels([sub, el, parent]).map((l) => l.name)).toEqual(['rel', 'rel_sub', 'knows']);
  });

  it('maps RANGE_* index types to RANGE and passes rebuild', () => {
    const il: IndexLabel = {
      id: 2,
      name: 'byAge',
      base_type: 'VERTEX_LABEL',
      base_value: 'person',
      index_type: 'RANGE_INT',
      fields: ['age'],
      status: 'CREATED',
      user_data: userData,
    };
    expect(indexLabelBody(il, { rebuild: false })).toEqual({
      name: 'byAge',
      base_type: 'VERTEX_LABEL',
      base_value: 'person',
      index_type: 'RANGE',
      fields: ['age'],
      user_data: userData,
      rebuild: false,
    });
    expect(indexLabelBody({ ...il, index_type: 'SECONDARY' }, {}).index_type).toBe('SECONDARY');
  });

  it('does not modify its input', () => {
    const copy = JSON.parse(JSON.stringify(vl)) as VertexLabel;
    vertexLabelBody(vl, { checkExist: false });
    expect(vl).toEqual(copy);
  });
});

describe('versions', () => {
  it('compares and picks the layout', () => {
    expect(compareVersions('1.5.0', '1.7.0')).toBeLessThan(0);
    expect(compareVersions('1.10.0', '1.7.0')).toBeGreaterThan(0);
    expect(compareVersions('1.7.0-SNAPSHOT', '1.7.0')).toBe(0);
    expect(versionAtLeast('1.5.0', '1.5.0')).toBe(true);
    expect(usesGraphspaces('1.5.0')).toBe(false);
    expect(usesGraphspaces('1.7.0')).toBe(true);
    expect(usesGraphspaces('2.0')).toBe(true);
    expect(() => compareVersions('abc', '1.0.0')).toThrow(RangeError);
  });
});
