import { buildConfigFile, extraFileElements, formatVersionFor, parseConfigFile, parseProperties } from '../../../functions/format';

/** What 1.5.0 served for a MySQL graph, trimmed: comments, both separators, a secret. */
const PROPERTIES = [
  '# gremlin entrance to create graph',
  'gremlin.graph=org.apache.hugegraph.HugeFactory',
  'backend = mysql',
  '! another comment style',
  'store:hugegraph',
  'jdbc.url=jdbc:mysql://127.0.0.1:3306',
  'jdbc.password=s3cr3t=with=equals',
  'cassandra.password = other',
  'hbase.kerberos_keytab=/etc/hbase.keytab',
  'search.text_analyzer_mode = INDEX',
  'long.value=one \\',
  '    two',
  '',
].join('\n');

describe('the config file', () => {
  it('reads properties text as Java does: both separators, comments, continued lines, the last of a repeated key', () => {
    const options = parseProperties(`${PROPERTIES}backend=rocksdb\n`);
    expect(options.get('backend')).toBe('rocksdb');
    expect(options.get('store')).toBe('hugegraph');
    expect(options.get('jdbc.password')).toBe('s3cr3t=with=equals');
    expect(options.get('long.value')).toBe('one two');
    expect([...options.keys()].some((k) => k.startsWith('#') || k.startsWith('!'))).toBe(false);
  });

  it('never writes the value of a secret option, only its key; counts the options it keeps', () => {
    const built = buildConfigFile(PROPERTIES);
    const text = built.body.toString('utf8');
    for (const secret of ['s3cr3t', 'other', '/etc/hbase.keytab']) expect(text).not.toContain(secret);
    const config = parseConfigFile(built.body, 'config.json');
    expect(config.withheld).toEqual(['jdbc.password', 'cassandra.password', 'hbase.kerberos_keytab']);
    expect(config.options).toMatchObject({ backend: 'mysql', 'jdbc.url': 'jdbc:mysql://127.0.0.1:3306', 'search.text_analyzer_mode': 'INDEX' });
    expect(built.file).toMatchObject({ name: 'config.json', type: 'config', elements: 6, bytes: built.body.length, compressed: false });
    expect(extraFileElements('config', built.body, 'config.json')).toBe(6);
  });

  it('refuses a file that holds a secret value, or is no config file', () => {
    expect(() => parseConfigFile(Buffer.from('{"options": {"jdbc.password": "x"}, "withheld": []}'), 'config.json')).toThrow(/secret option \(jdbc.password\)/);
    expect(() => parseConfigFile(Buffer.from('{"options": {"a": 1}, "withheld": []}'), 'config.json')).toThrow(/not a config file/);
    expect(() => parseConfigFile(Buffer.from('[]'), 'config.json')).toThrow(/config.json/);
  });

  it('makes a backup that holds it a format version 2 backup', () => {
    const built = buildConfigFile('backend=rocksdb\n');
    expect(formatVersionFor(['schema', 'vertices', 'edges', 'config'], [built.file])).toBe(2);
  });
});
