/**
 * Loads a small sample graph into an empty HugeGraph graph, for the README's demo: the classic
 * TinkerPop "modern" graph (people who know each other and the software they created), grown with
 * a few thousand generated people and edges so that paging and file rolling are visible.
 *
 *   npx tsx scripts/load-sample.ts --server http://127.0.0.1:8080 --graph hugegraph [--people 2000]
 */
import { parseArgs } from 'node:util';
import { HugeGraphClient } from '../functions/hugegraph';
import { stringifyLossless } from '../functions/json';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { server: { type: 'string' }, graph: { type: 'string' }, people: { type: 'string' } } });
  const client = await HugeGraphClient.connect({
    url: values.server ?? 'http://127.0.0.1:8080',
    graph: values.graph ?? 'hugegraph',
    username: process.env.HUGEGRAPH_USERNAME,
    password: process.env.HUGEGRAPH_PASSWORD,
  });
  try {
    const schema = await client.getSchema();
    if (schema.vertexlabels.elements.length > 0) {
      console.log(`graph ${values.graph ?? 'hugegraph'} already has a schema: leaving it as it is`);
      return;
    }
    await client.createSchema({
      propertykeys: [
        { name: 'name', data_type: 'TEXT' },
        { name: 'age', data_type: 'INT' },
        { name: 'lang', data_type: 'TEXT' },
        { name: 'weight', data_type: 'DOUBLE' },
        { name: 'since', data_type: 'DATE' },
      ],
      vertexlabels: [
        { name: 'person', id_strategy: 'PRIMARY_KEY', primary_keys: ['name'], properties: ['name', 'age'], nullable_keys: ['age'] },
        { name: 'software', id_strategy: 'PRIMARY_KEY', primary_keys: ['name'], properties: ['name', 'lang'] },
      ],
      edgelabels: [
        { name: 'knows', source_label: 'person', target_label: 'person', properties: ['weight', 'since'], nullable_keys: ['since'] },
        { name: 'created', source_label: 'person', target_label: 'software', properties: ['weight'] },
      ],
      indexlabels: [{ name: 'personByAge', base_type: 'VERTEX_LABEL', base_value: 'person', index_type: 'RANGE', fields: ['age'] }],
    });
    const people = Number(values.people ?? 2000);
    const person = (name: string, age: number) => stringifyLossless({ label: 'person', properties: { name, age } });
    const software = (name: string, lang: string) => stringifyLossless({ label: 'software', properties: { name, lang } });
    const names = ['marko', 'vadas', 'josh', 'peter', ...Array.from({ length: people }, (_, i) => `person-${i}`)];
    const vertices = [...names.map((n, i) => person(n, 20 + (i % 50))), software('lop', 'java'), software('ripple', 'java')];
    for (let i = 0; i < vertices.length; i += 500) await client.createVertices(vertices.slice(i, i + 500));

    // Primary-key vertex ids are '<vertex label id>:<name>'.
    const labelId = { person: (await client.getVertexLabel('person')).id, software: (await client.getVertexLabel('software')).id };
    const edge = (label: string, from: string, to: string, toLabel: 'person' | 'software', weight: number) =>
      stringifyLossless({ label, outV: `${labelId.person}:${from}`, outVLabel: 'person', inV: `${labelId[toLabel]}:${to}`, inVLabel: toLabel, properties: { weight } });
    const edges = [
      edge('knows', 'marko', 'vadas', 'person', 0.5),
      edge('knows', 'marko', 'josh', 'person', 1.0),
      edge('created', 'marko', 'lop', 'software', 0.4),
      edge('created', 'josh', 'ripple', 'software', 1.0),
      edge('created', 'josh', 'lop', 'software', 0.4),
      edge('created', 'peter', 'lop', 'software', 0.2),
      ...names.slice(4).map((n, i) => edge('knows', n, cyclic(names, i * 7 + 3), 'person', (i % 10) / 10)),
    ];
    for (let i = 0; i < edges.length; i += 500) await client.createEdges(edges.slice(i, i + 500), { checkVertex: false });
    console.log(`loaded the sample graph: ${vertices.length} vertices, ${edges.length} edges`);
  } finally {
    await client.close();
  }
}

main().catch((error) => {
  console.error(`load-sample: ${error.message}`);
  process.exitCode = 1;
});

/** The item at `k`, counting round the list. */
function cyclic<T>(items: readonly T[], k: number): T {
  const item = items[k % items.length];
  if (item === undefined) throw new RangeError('an empty list has no items');
  return item;
}
