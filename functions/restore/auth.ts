/**
 * The server's auth objects in a restore, as hugegraph-tools' auth-restore does them: users,
 * groups and targets by name, belongs and accesses by what they join. The target server picks new
 * ids, so belongs and accesses are re-pointed through the names. A name the target already has is
 * a conflict, settled as the restore says: stop (refuse all, before anything is written), skip
 * (keep the target's object and point at it), overwrite (give the target's object the backup's
 * fields). A restored user's password is a random one that is never shown nor kept: the server
 * stores only a hash of what it is given, and the backup holds none (FORMAT.md "Auth").
 */
import { randomBytes } from 'node:crypto';
import { AUTH_OBJECT_KINDS, type AuthObjectKind, type AuthSet, parseAuthFile } from '../format';
import { type AuthObjects, listAllAuth } from '../hugegraph';
import type { JsonObject, JsonValue } from '../json/lossless';
import type { BackupStorage } from '../storage/storage';
import { AuthConflictError, type AuthConflict, RestoreNotPossibleError } from './errors';
import { readWholeFile, type SchemaFileRef } from './source';
import type { AuthConflictStrategy } from './types';

/** What a restore did with the auth objects. */
export interface AuthOutcome {
  readonly created: number;
  readonly skipped: number;
  readonly overwritten: number;
}

/** The fields a create or an update sends, per kind (the rest is the server's: ids, dates, creator). */
const FIELDS: Record<AuthObjectKind, readonly string[]> = {
  users: ['user_name', 'user_phone', 'user_email', 'user_avatar', 'user_description'],
  groups: ['group_name', 'group_description'],
  targets: ['target_name', 'target_graph', 'target_url', 'target_resources'],
  belongs: ['user', 'group', 'belong_description'],
  accesses: ['group', 'target', 'access_permission', 'access_description'],
};
/** Fields naming the object (never updated), and the references to re-point. */
const NAME: Partial<Record<AuthObjectKind, string>> = { users: 'user_name', groups: 'group_name', targets: 'target_name' };
const REFERENCES: Partial<Record<AuthObjectKind, readonly string[]>> = { belongs: ['user', 'group'], accesses: ['group', 'target'] };

export async function readBackupAuth(storage: BackupStorage, prefix: string, file: SchemaFileRef): Promise<AuthSet> {
  const set = parseAuthFile(await readWholeFile(storage, prefix, file), file.name);
  checkReferences(set);
  return set;
}

/** Every belong and access must point at a user, group or target of the backup. */
function checkReferences(set: AuthSet): void {
  const ids = new Set(['users', 'groups', 'targets'].flatMap((kind) => set[kind as AuthObjectKind].map((o) => String(o['id']))));
  const dangling = (['belongs', 'accesses'] as const).flatMap((kind) =>
    set[kind].filter((o) => (REFERENCES[kind] ?? []).some((ref) => !ids.has(String(o[ref])))).map((o) => `${kind} ${String(o['id'])}`),
  );
  if (dangling.length) throw new RestoreNotPossibleError(`the backup's auth objects point at users, groups or targets it does not hold: ${dangling.join(', ')}`, 'use another backup');
}

/** The key of an object on both servers: its name, or the names of what it joins (and the permission). */
function keyOf(kind: AuthObjectKind, o: JsonObject, nameById: Map<string, string>): string {
  const name = NAME[kind];
  if (name) return String(o[name]);
  const parts = (REFERENCES[kind] ?? []).map((ref) => nameById.get(String(o[ref])) ?? `?${String(o[ref])}`);
  return kind === 'accesses' ? [...parts, String(o['access_permission'])].join(' → ') : parts.join(' → ');
}

function namesById(set: AuthSet): Map<string, string> {
  const map = new Map<string, string>();
  for (const kind of ['users', 'groups', 'targets'] as const) for (const o of set[kind]) map.set(String(o['id']), `${kind.slice(0, -1)} ${String(o[NAME[kind] as string])}`);
  return map;
}

/** The backup's objects that the target already has, by kind and key. */
export async function authConflicts(client: AuthObjects, backup: AuthSet): Promise<AuthConflict[]> {
  const target = await listAllAuth(client);
  const backupNames = namesById(backup);
  const targetNames = namesById(target);
  return AUTH_OBJECT_KINDS.flatMap((kind) => {
    const there = new Set(target[kind].map((o) => keyOf(kind, o, targetNames)));
    return backup[kind].filter((o) => there.has(keyOf(kind, o, backupNames))).map((o) => ({ kind, key: keyOf(kind, o, backupNames) }));
  });
}

/** With the stop strategy, any object the target has already refuses the restore (all of them named). */
export async function checkAuthConflicts(client: AuthObjects, graph: string, backup: AuthSet, strategy: AuthConflictStrategy): Promise<void> {
  if (strategy !== 'stop') return;
  const conflicts = await authConflicts(client, backup);
  if (conflicts.length) throw new AuthConflictError(graph, conflicts);
}

/** Creates (or settles) every auth object of the backup on the target, kind by kind, references re-pointed. */
export async function restoreAuth(client: AuthObjects, graph: string, backup: AuthSet, strategy: AuthConflictStrategy): Promise<AuthOutcome> {
  const target = await listAllAuth(client);
  const backupNames = namesById(backup);
  const targetNames = namesById(target);
  const newIds = new Map<string, string>();
  const outcome = { created: 0, skipped: 0, overwritten: 0 };
  for (const kind of AUTH_OBJECT_KINDS) {
    const existing = new Map(target[kind].map((o) => [keyOf(kind, o, targetNames), o]));
    for (const object of backup[kind]) {
      const body = bodyOf(kind, object, newIds);
      const there = existing.get(keyOf(kind, object, backupNames));
      let id: string;
      if (!there) {
        const password = kind === 'users' ? { user_password: randomBytes(24).toString('base64url') } : {};
        id = String((await client.createAuth(kind, { ...body, ...password }))['id']);
        outcome.created++;
      } else if (strategy === 'stop') {
        throw new AuthConflictError(graph, [{ kind, key: keyOf(kind, object, backupNames) }]); // appeared since plan
      } else {
        id = String(there['id']);
        const changes = updatableFields(kind, body);
        if (strategy === 'overwrite' && Object.keys(changes).length > 0) {
          await client.updateAuth(kind, id, changes);
          outcome.overwritten++;
        } else outcome.skipped++;
      }
      newIds.set(String(object['id']), id);
    }
  }
  return outcome;
}

/** The writable fields of a backup object, its references re-pointed to the target's ids. */
function bodyOf(kind: AuthObjectKind, object: JsonObject, newIds: Map<string, string>): JsonObject {
  const body: JsonObject = {};
  for (const field of FIELDS[kind]) if (object[field] !== undefined && object[field] !== null) body[field] = object[field];
  for (const ref of REFERENCES[kind] ?? []) body[ref] = newIds.get(String(object[ref])) ?? String(object[ref]);
  const resources = body['target_resources'];
  if (resources && typeof resources === 'object' && !Array.isArray(resources)) body['target_resources'] = resourceList(resources as JsonObject);
  return body;
}

/**
 * From 1.7.0 a target lists its resources grouped by type (`{"VERTEX": [{type, label,
 * properties}, …]}`) but is created from the plain list, as before 1.7.0: the groups are joined.
 */
function resourceList(byType: JsonObject): JsonValue[] {
  return Object.values(byType).flatMap((group) => (Array.isArray(group) ? group : []));
}

/** What an update may change: everything but the name and the references (they make the key). */
function updatableFields(kind: AuthObjectKind, body: JsonObject): JsonObject {
  const fixed = new Set([NAME[kind], ...(REFERENCES[kind] ?? []), 'access_permission']);
  return Object.fromEntries(Object.entries(body).filter(([field]) => !fixed.has(field)));
}
