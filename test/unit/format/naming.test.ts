import { classifyFile, dataFileName, entryNameOf, newBackupId, parseBackupId, parseDataFileName, schemaFileName } from '../../../functions/format';

describe('classifyFile', () => {
  it.each([
    ['vertices0.zip', 'vertices', true],
    ['vertices12', 'vertices', false],
    ['edges12', 'edges', false],
    ['edges0.zip', 'edges', true],
    ['propertykeys', 'propertykeys', false],
    ['propertykeys.zip', 'propertykeys', true],
    ['vertexlabels.zip', 'vertexlabels', true],
    ['edgelabels', 'edgelabels', false],
    ['indexlabels.zip', 'indexlabels', true],
    ['vertices-0003-00017.zip', 'vertices', true],
    ['edges-0000-00000', 'edges', false],
    ['g/20261124T215600Z-3f9a/edges-0001-00002.zip', 'edges', true],
  ])('classifies the name %s as %s (compressed: %s), as hugegraph-tools does', (name, kind, compressed) => {
    expect(classifyFile(name)).toEqual({ kind, compressed });
  });

  it.each(['manifest.json', '_hgbr', 'MANIFEST', 'vertex', 'edge.zip', 'Vertices0', ''])('ignores %s', (name) => {
    expect(classifyFile(name)).toBeUndefined();
  });
});

describe('data and schema file names', () => {
  it('pads the label index to 4 digits and the sequence to 5', () => {
    expect(dataFileName('vertices', 3, 17)).toBe('vertices-0003-00017.zip');
    expect(dataFileName('edges', 0, 0, false)).toBe('edges-0000-00000');
    expect(entryNameOf('vertices-0003-00017.zip')).toBe('vertices-0003-00017');
    expect(entryNameOf('vertices0')).toBe('vertices0');
    expect(schemaFileName('indexlabels')).toBe('indexlabels.zip');
    expect(schemaFileName('propertykeys', false)).toBe('propertykeys');
  });

  it('parses its own names and not the tool names', () => {
    expect(parseDataFileName('vertices-0003-00017.zip')).toEqual({ type: 'vertices', labelIndex: 3, seq: 17, compressed: true });
    expect(parseDataFileName('edges-12345-123456')).toEqual({ type: 'edges', labelIndex: 12345, seq: 123456, compressed: false });
    expect(parseDataFileName('vertices0.zip')).toBeUndefined();
  });

  it('rejects negative or fractional numbers', () => {
    expect(() => dataFileName('vertices', -1, 0)).toThrow(RangeError);
    expect(() => dataFileName('vertices', 0, 1.5)).toThrow(RangeError);
  });
});

describe('backup ids', () => {
  it('encodes the UTC second and 16 random bits', () => {
    const id = newBackupId(new Date('2026-11-24T21:56:00.789Z'), () => 0x3f9a);
    expect(id).toBe('20261124T215600Z-3f9a');
    expect(parseBackupId(id)).toEqual({ time: new Date('2026-11-24T21:56:00.000Z'), suffix: '3f9a' });
  });

  it('sorts by time as plain strings', () => {
    const ids = ['2026-11-24T21:56:00Z', '2025-01-02T03:04:05Z', '2026-11-24T21:55:59Z'].map((t) => newBackupId(new Date(t), () => 0xffff));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('uses a random suffix by default', () => {
    expect(newBackupId()).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{4}$/);
  });

  it.each(['20261124T215600Z', '20261324T215600Z-3f9a', '20260230T000000Z-0000', 'x20261124T215600Z-3f9a', '20261124T215600Z-3F9A'])('does not take %s for a backup id', (text) => {
    expect(parseBackupId(text)).toBeUndefined();
  });

  it('refuses a random value out of range', () => {
    expect(() => newBackupId(new Date(), () => 0x10000)).toThrow(RangeError);
  });
});
