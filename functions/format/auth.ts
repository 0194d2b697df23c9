/**
 * The server's auth objects (FORMAT.md "Auth"): `auth.json` holds one JSON object with a list per
 * kind, each object as the server listed it, minus the password hash (which no server takes back:
 * it hashes whatever it is given) and minus the built-in `admin` user, which every server has.
 */
import { JsonSyntaxError } from '../json/errors';
import { type JsonObject, parseLosslessObject, stringifyLossless } from '../json/lossless';
import { BackupFormatError } from './errors';
import type { BuiltFile } from './file-writer';
import { AUTH_FILE } from './naming';
import { DigestCounter } from './verify';

/** In the order a restore creates them: belongs and accesses point at the others. */
export const AUTH_OBJECT_KINDS = ['users', 'groups', 'targets', 'belongs', 'accesses'] as const;
export type AuthObjectKind = (typeof AUTH_OBJECT_KINDS)[number];
export type AuthSet = Record<AuthObjectKind, JsonObject[]>;

/** The built-in administrator: there on every server with auth, never backed up or restored. */
export const ADMIN_USER = 'admin';
const PASSWORD = 'user_password';

/** The auth file of a server, from its lists: password hashes and the admin user left out. */
export function buildAuthFile(lists: AuthSet): BuiltFile {
  const kept: AuthSet = { ...lists, users: lists.users.filter((u) => u['user_name'] !== ADMIN_USER).map(withoutPassword) };
  const body = Buffer.from(`${stringifyLossless(kept)}\n`, 'utf8');
  const digest = new DigestCounter();
  digest.update(body);
  const { sha256, bytes } = digest.digest();
  return { file: { name: AUTH_FILE, type: 'auth', elements: countAuth(kept), bytes, sha256, compressed: false }, body };
}

function withoutPassword(user: JsonObject): JsonObject {
  const { [PASSWORD]: _, ...rest } = user;
  return rest;
}

export function countAuth(set: AuthSet): number {
  return AUTH_OBJECT_KINDS.reduce((n, kind) => n + set[kind].length, 0);
}

/** The auth objects a file holds; every kind's list must be there. */
export function parseAuthFile(bytes: Uint8Array, file: string): AuthSet {
  let object: JsonObject;
  try {
    object = parseLosslessObject(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    const problem = error instanceof JsonSyntaxError ? error.message : 'not valid UTF-8';
    throw new BackupFormatError(file, `not a JSON object of auth objects (${problem})`, undefined, { cause: error });
  }
  const missing = AUTH_OBJECT_KINDS.filter((kind) => !Array.isArray(object[kind]) || !(object[kind] as unknown[]).every((o) => typeof o === 'object' && o !== null && !Array.isArray(o)));
  if (missing.length) throw new BackupFormatError(file, `lacks a list of objects for ${missing.join(', ')}`);
  return object as unknown as AuthSet;
}
