/**
 * Format compatibility with Java's java.util.zip, which hugegraph-tools uses on both sides
 * (docs/hugegraph-tools.md §2.4): the fixtures under test/fixtures/java run with Java 11+ single-file
 * launch. Skipped when no `java` is on the PATH, unless HGBR_REQUIRE_JAVA=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFileWriter, buildSchemaFile, encodeDataLine, readFileLines } from '../../../functions/format';
import { chunked, memorySinks, toArray, vertex } from './helpers';

const JAVA_DIR = join(__dirname, '../../fixtures/java');
const hasJava = spawnSync('java', ['-version']).status === 0;
if (!hasJava && process.env['HGBR_REQUIRE_JAVA'] === '1') throw new Error('java is required (HGBR_REQUIRE_JAVA=1) but not on the PATH');
const describeJava = hasJava ? describe : describe.skip;

function java(program: string, ...args: string[]): string {
  return execFileSync('java', [join(JAVA_DIR, program), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

describeJava('Java java.util.zip interop', () => {
  jest.setTimeout(60_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hgbr-java-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('ZipInputStream reads our data files: entry name and exact lines', async () => {
    const sinks = memorySinks();
    const elements = [...Array.from({ length: 1200 }, (_, i) => vertex(i)), '{"id":"2:北京","label":"city","type":"vertex","properties":{"name":"北京 🚀","pop":-9223372036854775808}}'];
    const writer = new DataFileWriter({ type: 'vertices', label: 'person', labelIndex: 3, firstSeq: 17, openSink: sinks.open });
    await writer.write(elements);
    const [file] = await writer.close();
    const path = join(dir, file!.name);
    writeFileSync(path, sinks.files.get(file!.name)!);

    const expected = ['ENTRY vertices-0003-00017', ...[0, 500, 1000].map((s) => encodeDataLine('vertices', elements.slice(s, s + 500)).slice(0, -1)), 'ENTRIES 1', ''];
    expect(java('ZipRead.java', path)).toBe(expected.join('\n'));
  });

  it('ZipInputStream reads our schema files', async () => {
    const { file, body } = await buildSchemaFile('propertykeys', ['{"id":1,"name":"age"}', '{"id":2,"name":"name"}']);
    const path = join(dir, file.name);
    writeFileSync(path, body);
    expect(java('ZipRead.java', path)).toBe('ENTRY propertykeys\n{"propertykeys": [{"id":1,"name":"age"},{"id":2,"name":"name"}]}\nENTRIES 1\n');
  });

  it.each([
    ['default level', []],
    ['level 0 (verbatim blocks)', ['0']],
  ])('we read a file written by ZipOutputStream (%s)', async (_what, level) => {
    const elements = Array.from({ length: 20_000 }, (_, i) => vertex(i));
    const text = Array.from({ length: 40 }, (_, l) => encodeDataLine('vertices', elements.slice(l * 500, l * 500 + 500))).join('');
    const content = join(dir, 'content.txt');
    writeFileSync(content, text);
    const path = join(dir, 'vertices0.zip');
    java('ZipWrite.java', path, 'vertices0', content, ...level);
    const archive = readFileSync(path);
    expect(archive.readUInt16LE(6) & 0x0008).toBe(0x0008); // sizes in a data descriptor, as the tool writes

    const lines = await toArray(readFileLines('vertices0.zip', chunked(archive, 64 * 1024)));
    expect(lines).toHaveLength(40);
    expect(lines.flatMap((l) => l.rawElements)).toEqual(elements);
  });
});
