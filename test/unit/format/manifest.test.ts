import { type ManifestFile, type ManifestInput, ManifestInvalidError, UnsupportedFormatVersionError, createManifest, parseManifest, serializeManifest } from '../../../functions/format';

const hash = (c: string): string => c.repeat(64);

const files: ManifestFile[] = [
  { name: 'edges-0000-00000.zip', type: 'edges', label: 'knows', elements: 7, bytes: 300, sha256: hash('e'), compressed: true },
  { name: 'vertices-0000-00001.zip', type: 'vertices', label: 'person', elements: 2, bytes: 200, sha256: hash('b'), compressed: true },
  { name: 'vertices-0000-00000.zip', type: 'vertices', label: 'person', elements: 500, bytes: 1000, sha256: hash('a'), compressed: true },
  { name: 'propertykeys.zip', type: 'propertykeys', elements: 3, bytes: 90, sha256: hash('1'), compressed: true },
  { name: 'vertexlabels', type: 'vertexlabels', elements: 2, bytes: 80, sha256: hash('2'), compressed: false },
  { name: 'edgelabels.zip', type: 'edgelabels', elements: 1, bytes: 70, sha256: hash('3'), compressed: true },
  { name: 'indexlabels.zip', type: 'indexlabels', elements: 0, bytes: 60, sha256: hash('4'), compressed: true },
];

const input: ManifestInput = {
  tool: { name: 'hgbr', version: '0.1.0' },
  backupId: '20261124T215600Z-3f9a',
  graph: 'hugegraph',
  graphspace: null,
  server: { version: '1.5.0', backend: 'rocksdb' },
  modes: { graphMode: 'NONE', readMode: 'OLTP_ONLY' },
  startedAt: '2026-11-24T21:56:00.000Z',
  finishedAt: '2026-11-24T22:01:30.250Z',
  files,
  emptyLabels: { vertex: ['software'], edge: ['created'] },
};

describe('createManifest', () => {
  it('orders files (schema first) and computes per-label totals and grand totals', () => {
    const m = createManifest(input);
    expect(m.formatVersion).toBe(1);
    expect(m.files.map((f) => f.name)).toEqual(['propertykeys.zip', 'vertexlabels', 'edgelabels.zip', 'indexlabels.zip', 'vertices-0000-00000.zip', 'vertices-0000-00001.zip', 'edges-0000-00000.zip']);
    expect(m.labels).toEqual({ vertex: { person: 502, software: 0 }, edge: { created: 0, knows: 7 } });
    expect(m.totals).toEqual({ vertices: 502, edges: 7, files: 7, bytes: 1800 });
  });

  it('refuses files that break the rules', () => {
    const bad = [...files, { ...files[3]!, name: 'propertykeys', compressed: false }];
    expect(() => createManifest({ ...input, files: bad })).toThrow(/more than one propertykeys file/);
  });
});

describe('contents and versions', () => {
  const schemaFiles = files.filter((f) => f.label === undefined);
  const variables: ManifestFile = { name: 'variables.json', type: 'variables', elements: 2, bytes: 30, sha256: hash('7'), compressed: false };

  it('keeps a full backup at version 1, which every hgbr reads, and says what it holds', () => {
    const m = createManifest(input);
    expect(m.formatVersion).toBe(1);
    expect(m.contents).toEqual(['schema', 'vertices', 'edges']);
  });

  it('makes a schema-only backup version 2: a version 1 reader would take it for an empty graph', () => {
    const m = createManifest({ ...input, contents: ['schema'], files: schemaFiles, emptyLabels: {} });
    expect(m.formatVersion).toBe(2);
    expect(m.contents).toEqual(['schema']);
    expect(m.labels).toEqual({ vertex: {}, edge: {} });
    expect(parseManifest(serializeManifest(m))).toEqual(m);
  });

  it('makes a backup with a variables file version 2, and one whose graph had no variables version 1', () => {
    const all = ['schema', 'vertices', 'edges', 'variables'] as const;
    expect(createManifest({ ...input, contents: [...all], files: [...files, variables] }).formatVersion).toBe(2);
    expect(createManifest({ ...input, contents: [...all], files }).formatVersion).toBe(1);
    expect(createManifest({ ...input, contents: [...all], files: [...files, variables] }).files.at(-1)).toEqual(variables);
  });

  it('reads a version 1 manifest without contents as holding schema, vertices and edges', () => {
    const { contents: _, ...v1 } = createManifest(input);
    expect(parseManifest(JSON.stringify(v1)).contents).toEqual(['schema', 'vertices', 'edges']);
  });

  it('refuses a version 1 manifest that a version 1 reader would misread', () => {
    const schemaOnly = { ...createManifest({ ...input, contents: ['schema'], files: schemaFiles, emptyLabels: {} }), formatVersion: 1 };
    expect(() => parseManifest(JSON.stringify(schemaOnly))).toThrow(/formatVersion is 1, but a version 1 reader would misread this backup/);
    const withVariables = { ...createManifest({ ...input, contents: ['schema', 'vertices', 'edges', 'variables'], files: [...files, variables] }), formatVersion: 1 };
    expect(() => parseManifest(JSON.stringify(withVariables))).toThrow(/files\[7\] \(variables.json\).type must be one of propertykeys, vertexlabels, edgelabels, indexlabels, vertices, edges;/);
  });

  it('refuses files and labels of a kind that contents leaves out, and contents without schema', () => {
    const m = JSON.parse(serializeManifest(createManifest(input))) as Record<string, any>;
    m.formatVersion = 2;
    m.contents = ['schema', 'vertices'];
    expect(() => parseManifest(JSON.stringify(m))).toThrow(/files\[6\] \(edges-0000-00000.zip\) holds edges, which contents does not list; .*labels.edge must be empty: contents does not list edges/);
    m.contents = ['vertices', 'edges'];
    expect(() => parseManifest(JSON.stringify(m))).toThrow(/contents must list each of what the backup holds once \(schema, vertices, edges, variables, auth, config\), schema always/);
    delete m.contents;
    expect(() => parseManifest(JSON.stringify(m))).toThrow(/contents must list/);
  });

  it('checks a variables file: its one name, no label, uncompressed, once, listed in contents', () => {
    const m = JSON.parse(serializeManifest(createManifest({ ...input, contents: ['schema', 'vertices', 'edges', 'variables'], files: [...files, variables] }))) as Record<string, any>;
    m.files.push({ ...variables, name: 'vars.json', label: 'x', compressed: true });
    m.totals.files += 1;
    m.totals.bytes += variables.bytes;
    m.contents = ['schema', 'vertices', 'edges'];
    let error: ManifestInvalidError | undefined;
    try {
      parseManifest(JSON.stringify(m));
    } catch (e) {
      error = e as ManifestInvalidError;
    }
    expect(error?.problems).toEqual([
      'files[7] (variables.json): a variables file, but contents does not list variables',
      'files[8] (vars.json): a variables file must be named variables.json',
      'files[8] (vars.json): a variables file has no label',
      'files[8] (vars.json): a variables file is not compressed',
      'files[8] (vars.json): more than one variables file',
      'files[8] (vars.json): a variables file, but contents does not list variables',
    ]);
  });
});

describe('the consistency window', () => {
  const still = { vertex: { person: { atStart: 502, atEnd: 502 }, software: { atStart: 0, atEnd: 0 } }, edge: { created: { atStart: 0, atEnd: 0 }, knows: { atStart: 7, atEnd: 7 } } };

  it('sees no writes when every label counted the same before, after and in the backup', () => {
    const m = createManifest({ ...input, counts: still });
    expect(m.window).toEqual({ counts: still, writesSeen: false });
    expect(m.formatVersion).toBe(1);
    expect(parseManifest(serializeManifest(m))).toEqual(m);
  });

  it.each([
    ['a count moved during the export', { ...still, edge: { ...still.edge, knows: { atStart: 7, atEnd: 8 } } }],
    ['the counts agree but the backup holds another number', { ...still, vertex: { ...still.vertex, person: { atStart: 503, atEnd: 503 } } }],
    ['a label the backup holds was not counted', { ...still, vertex: { person: still.vertex.person } }],
  ])('sees writes when %s', (_what, counts) => {
    expect(createManifest({ ...input, counts }).window?.writesSeen).toBe(true);
  });

  it('refuses a window whose writesSeen contradicts its counts, or that is malformed', () => {
    const m = JSON.parse(serializeManifest(createManifest({ ...input, counts: still }))) as Record<string, any>;
    m.window.counts.edge.knows.atEnd = 9;
    expect(() => parseManifest(JSON.stringify(m))).toThrow('window.writesSeen is false but the counts say otherwise');
    m.window.counts.edge.knows.atEnd = -1;
    expect(() => parseManifest(JSON.stringify(m))).toThrow(/window must be \{counts/);
  });
});

describe('parseManifest', () => {
  it('round-trips what serializeManifest wrote', () => {
    const m = createManifest(input);
    const text = serializeManifest(m);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseManifest(text)).toEqual(m);
  });

  it('ignores members it does not know', () => {
    const text = JSON.stringify({ ...createManifest(input), comment: 'added by a later v1 writer' });
    expect(parseManifest(text).graph).toBe('hugegraph');
  });

  it('names an unknown format version and the supported ones', () => {
    const text = JSON.stringify({ ...createManifest(input), formatVersion: 3 });
    expect(() => parseManifest(text)).toThrow(UnsupportedFormatVersionError);
    expect(() => parseManifest(text)).toThrow('manifest.json has formatVersion 3, this hgbr reads formatVersion 1, 2');
  });

  it.each([
    ['not JSON', '{"formatVersion": 1,', /not valid JSON/],
    ['an array', '[]', /top level is not a JSON object/],
    ['no version', '{}', /formatVersion is missing/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseManifest(text)).toThrow(message);
  });

  it('lists every problem at once', () => {
    const m = JSON.parse(serializeManifest(createManifest(input))) as Record<string, any>;
    m.graph = '';
    m.finishedAt = '2026-11-24 22:01:30';
    m.files[0].sha256 = 'ABC';
    m.files[4].elements = -1;
    m.files[5].type = 'edges';
    m.files[6].label = undefined;
    m.files.push({ ...m.files[1] });
    m.labels.vertex.person = 1;
    m.totals.bytes = 1;
    let error: ManifestInvalidError | undefined;
    try {
      parseManifest(JSON.stringify(m));
    } catch (e) {
      error = e as ManifestInvalidError;
    }
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect(error?.name).toBe('ManifestInvalidError');
    expect(error?.problems).toEqual(
      expect.arrayContaining([
        'graph must be a non-empty string',
        'finishedAt must be an ISO 8601 UTC time such as 2026-11-24T21:56:00.000Z',
        'files[0] (propertykeys.zip).sha256 must be 64 lowercase hex digits',
        'files[4] (vertices-0000-00000.zip).elements must be a whole number ≥ 0',
        "files[5] (vertices-0000-00001.zip): type is edges, so the name must start with 'edges'",
        "files[6] (edges-0000-00000.zip).label must name the file's edge label",
        'files[7] (vertexlabels) is listed twice',
        'files[7] (vertexlabels): more than one vertexlabels file (hugegraph-tools requires exactly one)',
        'labels.vertex.person is 1 but its files hold 0 elements',
        'totals.bytes is 1 but the files add up to 1880',
      ]),
    );
    expect(error?.message).toMatch(/^manifest.json is invalid: graph must be a non-empty string; finishedAt/);
  });

  it('refuses a label total that its files do not add up to', () => {
    const m = JSON.parse(serializeManifest(createManifest(input))) as Record<string, any>;
    delete m.labels.edge.knows;
    m.totals.edges = 0;
    expect(() => parseManifest(JSON.stringify(m))).toThrow("labels.edge lacks 'knows', which files hold");
  });

  it('refuses a compressed flag that contradicts the name', () => {
    const m = JSON.parse(serializeManifest(createManifest(input))) as Record<string, any>;
    m.files[0].compressed = false;
    expect(() => parseManifest(JSON.stringify(m))).toThrow('files[0] (propertykeys.zip): compressed is false but the name has the .zip suffix');
  });
});
