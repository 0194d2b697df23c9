/**
 * The graph's variables (FORMAT.md "Variables"): `variables.json` holds the JSON object
 * `GET …/graphs/<g>/variables` answered, as the server wrote it, plus a final newline. Values are
 * never re-encoded: a restore sends each one back with its own text (`1.0` stays a double, a LONG
 * above 2^53 keeps every digit).
 */
import { JsonSyntaxError } from '../json/errors';
import { parseLosslessObject, stringifyLossless } from '../json/lossless';
import { BackupFormatError } from './errors';
import type { BuiltFile } from './file-writer';
import { DigestCounter } from './verify';
import { countAuth, parseAuthFile } from './auth';
import { parseConfigFile } from './config';
import { type ExtraKind, VARIABLES_FILE } from './naming';

/** One variable: its key and its value's JSON text. */
export interface Variable {
  readonly key: string;
  readonly rawValue: string;
}

/** The variables file of a graph, from the server's answer. */
export function buildVariablesFile(serverText: string): BuiltFile {
  const text = `${serverText.trim()}\n`;
  const elements = parseVariables(Buffer.from(text, 'utf8'), VARIABLES_FILE).length;
  const body = Buffer.from(text, 'utf8');
  const digest = new DigestCounter();
  digest.update(body);
  const { sha256, bytes } = digest.digest();
  return { file: { name: VARIABLES_FILE, type: 'variables', elements, bytes, sha256, compressed: false }, body };
}

/** The variables a file holds, each value as its exact JSON text. */
export function parseVariables(bytes: Uint8Array, file: string): Variable[] {
  let object: ReturnType<typeof parseLosslessObject>;
  try {
    object = parseLosslessObject(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    const problem = error instanceof JsonSyntaxError ? error.message : 'not valid UTF-8';
    throw new BackupFormatError(file, `not a JSON object of variables (${problem})`, undefined, { cause: error });
  }
  return Object.entries(object).map(([key, value]) => ({ key, rawValue: stringifyLossless(value) }));
}

/** Elements of a file of an extra kind: variables, auth objects, or config options. */
export function extraFileElements(type: ExtraKind, bytes: Uint8Array, file: string): number {
  if (type === 'config') return Object.keys(parseConfigFile(bytes, file).options).length;
  return type === 'variables' ? parseVariables(bytes, file).length : countAuth(parseAuthFile(bytes, file));
}
