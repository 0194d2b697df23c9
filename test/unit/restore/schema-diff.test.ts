import { describeConflict, SchemaConflictError, TargetNotEmptyError, RestoreNotPossibleError } from '../../../functions/restore/errors';
import { evaluateTarget } from '../../../functions/restore/plan';
import { compareSchema, schemaCreationOrder } from '../../../functions/restore/schema-diff';
import type { SchemaSet } from '../../../functions/restore/source';

const userData = { '~create_time': '2026-11-25 10:18:55.372' };

/** The backup's schema, as GET /schema writes it (1.5.0). */
function backupSchema(): SchemaSet {
  return {
    propertykeys: [
      { id: 1, name: 'name', data_type: 'TEXT', cardinality: 'SINGLE', aggregate_type: 'NONE', write_type: 'OLTP', properties: [], status: 'CREATED', user_data: userData },
      { id: 2, name: 'age', data_type: 'INT', cardinality: 'SINGLE', aggregate_type: 'NONE', write_type: 'OLTP', properties: [], status: 'CREATED', user_data: userData },
    ],
    vertexlabels: [
      {
        id: 1,
        name: 'person',
        id_strategy: 'PRIMARY_KEY',
        primary_keys: ['name'],
        nullable_keys: ['age'],
        index_labels: ['byAge'],
        properties: ['name', 'age'],
        status: 'CREATED',
        ttl: 0,
        enable_label_index: true,
        user_data: userData,
      },
    ],
    edgelabels: [
      {
        id: 2,
        name: 'knows',
        edgelabel_type: 'SUB',
        parent_label: 'rel',
        source_label: 'person',
        target_label: 'person',
        links: [{ person: 'person' }],
        frequency: 'SINGLE',
        sort_keys: [],
        nullable_keys: [],
        properties: [],
        ttl: 0,
        enable_label_index: true,
      },
      { id: 1, name: 'rel', edgelabel_type: 'PARENT', links: [{ person: 'person' }] },
    ],
    indexlabels: [{ id: 1, name: 'byAge', base_type: 'VERTEX_LABEL', base_value: 'person', index_type: 'RANGE_INT', fields: ['age'], status: 'CREATED', user_data: userData }],
  };
}

const empty: SchemaSet = { propertykeys: [], vertexlabels: [], edgelabels: [], indexlabels: [] };

describe('compareSchema', () => {
  it('reuses elements that differ only in id, status, user data, output-only lists and spelled-out defaults', () => {
    const b = backupSchema();
    const target: SchemaSet = {
      propertykeys: [{ id: 9, name: 'age', data_type: 'INT' }],
      // 1.3-style: no edgelabel_type; a set given in another order; index_labels not listed.
      vertexlabels: [{ id: 4, name: 'person', id_strategy: 'DEFAULT', primary_keys: ['name'], nullable_keys: ['age'], properties: ['age', 'name'] }],
      edgelabels: [],
      indexlabels: [{ id: 5, name: 'byAge', base_type: 'VERTEX_LABEL', base_value: 'person', index_type: 'RANGE', fields: ['age'], status: 'CREATING' }],
    };
    const result = compareSchema(b, target);
    expect(result.conflicts).toEqual([]);
    expect(result.reused).toEqual({ propertykeys: ['age'], vertexlabels: ['person'], edgelabels: [], indexlabels: ['byAge'] });
    expect(result.toCreate).toEqual({ propertykeys: ['name'], vertexlabels: [], edgelabels: ['knows', 'rel'], indexlabels: [] });
  });

  it('names every differing field of every conflicting element', () => {
    const target: SchemaSet = {
      propertykeys: [{ id: 2, name: 'age', data_type: 'TEXT', cardinality: 'LIST' }],
      vertexlabels: [{ id: 1, name: 'person', id_strategy: 'AUTOMATIC', properties: ['name', 'age', 'city'], nullable_keys: ['age'] }],
      edgelabels: [{ id: 2, name: 'knows', source_label: 'person', target_label: 'person', frequency: 'MULTIPLE', sort_keys: [] }],
      indexlabels: [{ id: 1, name: 'byAge', base_type: 'VERTEX_LABEL', base_value: 'person', index_type: 'SECONDARY', fields: ['age'] }],
    };
    const { conflicts } = compareSchema(backupSchema(), target);
    expect(conflicts.map(describeConflict)).toEqual([
      "property key 'age' (data_type: backup INT, target TEXT; cardinality: backup SINGLE, target LIST)",
      "vertex label 'person' (id_strategy: backup PRIMARY_KEY, target AUTOMATIC; primary_keys: backup [name], target []; properties: backup [age, name], target [age, city, name])",
      "edge label 'knows' (edgelabel_type: backup SUB, target NORMAL; parent_label: backup rel, target null; frequency: backup SINGLE, target MULTIPLE)",
      "index label 'byAge' (index_type: backup RANGE, target SECONDARY)",
    ]);
  });

  it('with compareIds, an equal definition under another id is a difference', () => {
    const b = backupSchema();
    const target: SchemaSet = { ...empty, propertykeys: [{ ...b.propertykeys[1]!, id: 7 }] };
    expect(compareSchema(b, target, { compareIds: true }).conflicts).toEqual([{ kind: 'property key', name: 'age', differences: ['id: backup 2, target 7'] }]);
    expect(compareSchema(b, target).conflicts).toEqual([]);
  });
});

describe('schemaCreationOrder', () => {
  it('creates property keys, vertex labels, edge labels with parents first, then index labels', () => {
    const steps = schemaCreationOrder(backupSchema()).map((s) => `${s.kind}:${s.element.name}`);
    expect(steps).toEqual(['propertykeys:name', 'propertykeys:age', 'vertexlabels:person', 'edgelabels:rel', 'edgelabels:knows', 'indexlabels:byAge']);
  });
});

describe('evaluateTarget', () => {
  const request = (mode: 'RESTORING' | 'MERGING') => ({ mode, target: { url: 'http://h:8080', graph: 'g' }, restoreId: 'r1' });

  it('RESTORING into an empty graph creates everything', () => {
    const result = evaluateTarget(request('RESTORING'), backupSchema(), empty, '1.5.0', false, []);
    expect(result.toCreate.propertykeys).toEqual(['name', 'age']);
  });

  it('RESTORING refuses a graph with schema, saying what it holds', () => {
    const target = {
      ...empty,
      propertykeys: [
        { id: 1, name: 'x' },
        { id: 2, name: 'y' },
      ],
      vertexlabels: [{ id: 1, name: 'v' }],
    };
    expect(() => evaluateTarget(request('RESTORING'), backupSchema(), target, '1.5.0', false, [])).toThrow(TargetNotEmptyError);
    expect(() => evaluateTarget(request('RESTORING'), backupSchema(), target, '1.5.0', false, [])).toThrow(/2 property keys, 1 vertex label/);
  });

  it('RESTORING resumes into exactly the schema an earlier attempt created, ids included', () => {
    const b = backupSchema();
    const warnings: string[] = [];
    const partial = { ...empty, propertykeys: b.propertykeys };
    expect(evaluateTarget(request('RESTORING'), b, partial, '1.5.0', true, warnings).toCreate.vertexlabels).toEqual(['person']);
    expect(warnings[0]).toMatch(/resuming restore r1/);
    const moved = { ...empty, propertykeys: [{ ...b.propertykeys[0]!, id: 5 }] };
    expect(() => evaluateTarget(request('RESTORING'), b, moved, '1.5.0', true, [])).toThrow(TargetNotEmptyError);
    const foreign = { ...partial, vertexlabels: [{ id: 3, name: 'other' }] };
    expect(() => evaluateTarget(request('RESTORING'), b, foreign, '1.5.0', true, [])).toThrow(TargetNotEmptyError);
  });

  it('MERGING throws one error listing every conflict', () => {
    const target: SchemaSet = {
      ...empty,
      propertykeys: [
        { id: 2, name: 'age', data_type: 'TEXT' },
        { id: 1, name: 'name', data_type: 'TEXT' },
      ],
      indexlabels: [{ id: 1, name: 'byAge', base_type: 'VERTEX_LABEL', base_value: 'person', index_type: 'SECONDARY', fields: ['age'] }],
    };
    let error: unknown;
    try {
      evaluateTarget(request('MERGING'), backupSchema(), target, '1.5.0', false, []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaConflictError);
    expect((error as SchemaConflictError).name).toBe('SchemaConflictError');
    expect((error as SchemaConflictError).conflicts.map((c) => c.name)).toEqual(['age', 'byAge']);
    expect((error as Error).message).toContain("property key 'age' (data_type: backup INT, target TEXT)");
  });

  it('refuses parent/sub edge labels for a server older than 1.5.0', () => {
    expect(() => evaluateTarget(request('MERGING'), backupSchema(), empty, '1.3.0', false, [])).toThrow(RestoreNotPossibleError);
  });
});
