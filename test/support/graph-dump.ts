import type { HugeGraphClient } from '../../functions/hugegraph';

export interface GraphDump {
  schemaIds: Record<string, number | undefined>;
  vertices: Record<string, string[]>;
  edges: Record<string, string[]>;
}

/** Every element's raw text per label, sorted; and every schema element's id by kind and name. */
export async function dump(client: HugeGraphClient): Promise<GraphDump> {
  const schema = await client.getSchema();
  const schemaIds: Record<string, number | undefined> = {};
  for (const kind of ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'] as const) {
    for (const e of schema[kind].elements) schemaIds[`${kind}/${e.name}`] = e.id;
  }
  const all = async (kind: 'vertex' | 'edge', label: string) => {
    const raws: string[] = [];
    for await (const page of client.pages(kind, label, { pageSize: 300 })) raws.push(...page.elements);
    return raws.sort();
  };
  const vertices: Record<string, string[]> = {};
  const edges: Record<string, string[]> = {};
  for (const l of schema.vertexlabels.elements) vertices[l.name] = await all('vertex', l.name);
  for (const l of schema.edgelabels.elements) edges[l.name] = await all('edge', l.name);
  return { schemaIds, vertices, edges };
}
