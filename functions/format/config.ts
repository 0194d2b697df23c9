/**
 * The graph's configuration (FORMAT.md "Config"): `config.json` holds the options of the graph's
 * properties file as `GET …/graphs/<g>/conf` served it, as `{"options": {key: value}, "withheld":
 * [keys]}`. Options whose key names a secret (a password, a token, a key file) are withheld: their
 * key is kept, their value never written. Values are the file's text after the separator, trimmed,
 * escapes left as they are.
 */
import { parseLosslessObject } from '../json/lossless';
import { BackupFormatError } from './errors';
import type { BuiltFile } from './file-writer';
import { CONFIG_FILE } from './naming';
import { DigestCounter } from './verify';

/** What a config file holds. */
export interface GraphConfig {
  readonly options: Record<string, string>;
  /** Keys whose values are secrets and were left out. */
  readonly withheld: string[];
}

/** Keys whose values are secrets (jdbc.password, cassandra.password, hbase.kerberos_keytab, auth tokens …). */
const SECRET_KEY = /pass(word|wd)?\b|passw|secret|token|keytab|credential|private[._-]?key|access[._-]?key/i;

export function isSecretOption(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * The options of a Java properties text: `key=value`, `key: value` or `key value`, `#` and `!`
 * comments, a line ending in an odd number of backslashes continued on the next. A key given
 * twice keeps its last value, as Java's Properties does.
 */
export function parseProperties(text: string): Map<string, string> {
  const options = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] as string).replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + (lines[++i] as string).replace(/^\s+/, '');
    const separator = /^((?:\\.|[^\\=:\s])*)\s*[=:\s]\s*/.exec(line);
    if (!separator) options.set(line, '');
    else options.set(separator[1] as string, line.slice(separator[0].length).trimEnd());
  }
  return options;
}

/** The config file of a graph, from the text of its properties file: secrets withheld. */
export function buildConfigFile(propertiesText: string): BuiltFile {
  const options: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [key, value] of parseProperties(propertiesText)) {
    if (isSecretOption(key)) withheld.push(key);
    else options[key] = value;
  }
  const config: GraphConfig = { options, withheld };
  const body = Buffer.from(`${JSON.stringify(config, null, 2)}\n`, 'utf8');
  const digest = new DigestCounter();
  digest.update(body);
  const { sha256, bytes } = digest.digest();
  return { file: { name: CONFIG_FILE, type: 'config', elements: Object.keys(options).length, bytes, sha256, compressed: false }, body };
}

/** A config file read back; its element count is the number of options it gives values of. */
export function parseConfigFile(bytes: Uint8Array, file: string): GraphConfig {
  let object: Record<string, unknown>;
  try {
    object = parseLosslessObject(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw new BackupFormatError(file, 'not a JSON object', undefined, { cause: error });
  }
  const { options, withheld } = object;
  const isStringMap = (v: unknown): v is Record<string, string> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string');
  if (!isStringMap(options) || !Array.isArray(withheld) || !withheld.every((k) => typeof k === 'string')) {
    throw new BackupFormatError(file, 'not a config file: expected {"options": {key: text}, "withheld": [keys]}');
  }
  const leaked = Object.keys(options).filter(isSecretOption);
  if (leaked.length) throw new BackupFormatError(file, `holds the value of a secret option (${leaked.join(', ')}), which writers withhold`);
  return { options, withheld: withheld as string[] };
}
