/**
 * The graph's variables in a restore: read from the backup (checksum verified), compared with the
 * target's, set, and read back. A variable is a key and a JSON value; the value's text goes back
 * to the server unchanged, so it keeps its type (FORMAT.md "Variables").
 */
import { parseVariables, type Variable } from '../format';
import type { GraphVariables } from '../hugegraph';
import { parseLossless, stringifyLossless } from '../json/lossless';
import type { BackupStorage } from '../storage/storage';
import { RestoreNotPossibleError, VariablesConflictError, VariablesNotRestoredError } from './errors';
import { readWholeFile, type SchemaFileRef } from './source';

/** The variables a backup holds, its file verified against the manifest's SHA-256 first. */
export async function readBackupVariables(storage: BackupStorage, prefix: string, file: SchemaFileRef): Promise<Variable[]> {
  return parseVariables(await readWholeFile(storage, prefix, file), file.name);
}

/**
 * The REST API cannot set a variable whose key holds '/' (the server answers 500 to the encoded
 * slash), though Gremlin can: such a backup is refused before anything is written.
 */
export function checkSettable(variables: readonly Variable[]): void {
  const unsettable = variables.filter((v) => v.key.includes('/')).map((v) => JSON.stringify(v.key));
  if (unsettable.length) {
    throw new RestoreNotPossibleError(
      `the backup holds variables whose keys contain '/', which HugeGraph's REST API cannot set: ${unsettable.join(', ')}`,
      'restore with --types leaving out variables, and set those variables on the target through Gremlin',
    );
  }
}

/**
 * MERGING keeps what the target holds: a variable of the backup that the target has with another
 * value is a conflict, and all of them are refused at once before anything is written.
 */
export async function checkVariableConflicts(client: GraphVariables, graph: string, variables: readonly Variable[]): Promise<void> {
  const target = valuesByKey(await client.readVariables());
  const conflicts = variables.filter((v) => target.has(v.key) && target.get(v.key) !== canonical(v.rawValue));
  if (conflicts.length)
    throw new VariablesConflictError(
      graph,
      conflicts.map((v) => ({ key: v.key, backup: v.rawValue, target: target.get(v.key) as string })),
    );
}

/** Sets every variable, then reads them back: each must hold the backup's value. */
export async function restoreVariables(client: GraphVariables, graph: string, variables: readonly Variable[]): Promise<void> {
  for (const variable of variables) await client.setVariable(variable.key, variable.rawValue);
  const target = valuesByKey(await client.readVariables());
  const wrong = variables.filter((v) => target.get(v.key) !== canonical(v.rawValue)).map((v) => ({ key: v.key, backup: v.rawValue, target: target.get(v.key) ?? '(missing)' }));
  if (wrong.length) throw new VariablesNotRestoredError(graph, wrong);
}

function valuesByKey(serverText: string): Map<string, string> {
  return new Map(parseVariables(Buffer.from(serverText, 'utf8'), "the target's variables").map((v) => [v.key, canonical(v.rawValue)]));
}

/** One text per JSON value (no whitespace; numbers as written), so two texts compare as values. */
function canonical(rawValue: string): string {
  return stringifyLossless(parseLossless(rawValue));
}
