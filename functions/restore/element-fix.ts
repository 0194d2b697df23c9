/**
 * The targeted edits restore makes to raw element text before posting it (pure). Elements are never
 * parsed: members are located with the boundary scanner and only the edited members change, so
 * every id and number elsewhere keeps its exact bytes (docs/design-notes.md §3 and §7).
 *
 * - A PRIMARY_KEY vertex loses its `id` in every mode: the server rejects it and recomputes
 *   `<labelId>:<values>` itself (docs/hugegraph-api.md §3.3).
 * - MERGING, edges: the `id` goes (the server derives it from the target's label ids), and an
 *   endpoint of a PRIMARY_KEY label gets the target's label id as the prefix before ':'.
 *   AUTOMATIC and customized endpoint ids do not embed a schema id and stay as they are.
 * - RESTORING keeps every schema id, so edges pass through unchanged.
 */
import { parseLossless, stringifyLossless, type JsonValue } from '../json/lossless';
import { editObjectMembers, elementIdRaw, getMemberRaw, scanObjectMembers } from '../json/scan';
import { ElementFixError } from './errors';
import type { RestoreMode } from './types';

export interface ElementFixContext {
  readonly mode: RestoreMode;
  /** Target's PRIMARY_KEY vertex labels: name → label id (decimal text). */
  readonly primaryKeyLabels: ReadonlyMap<string, string>;
}

/** The label name of a raw element (its `label` member), or undefined. */
export function elementLabel(raw: string): string | undefined {
  const value = getMemberRaw(raw, 'label');
  return value === undefined ? undefined : decodeString(value, 'label');
}

function decodeString(rawValue: string, member: string): string {
  if (!rawValue.startsWith('"')) throw new ElementFixError(`member ${member} is not a string: ${rawValue.slice(0, 80)}`);
  return JSON.parse(rawValue) as string; // a JSON string, never a number: safe to parse
}

/**
 * The vertex as it may be posted. `label` is the vertex's label when the caller knows it (hgbr's
 * files hold one label each), which spares the scan for labels that need no edit.
 */
/**
 * What the elements of `label` need before they are posted, which decides how a line is handled:
 * `as-stored`: nothing (a vertex of a label that is not PRIMARY_KEY, an edge in RESTORING), so the
 * line's array is posted as it is; `without-ids`: a PRIMARY_KEY vertex loses its id, which can be
 * cut out of the bytes; `fixed`: the text is edited (MERGING edges).
 */
export function lineHandling(kind: 'vertex' | 'edge', label: string, context: ElementFixContext): 'as-stored' | 'without-ids' | 'fixed' {
  if (kind === 'vertex') return context.primaryKeyLabels.has(label) ? 'without-ids' : 'as-stored';
  return context.mode === 'RESTORING' ? 'as-stored' : 'fixed';
}

export function fixVertex(raw: string, context: ElementFixContext, label?: string): string {
  const name = label ?? elementLabel(raw);
  if (name === undefined || !context.primaryKeyLabels.has(name)) return raw;
  return editObjectMembers(raw, { remove: ['id'] });
}

/** The edge as it may be posted (see the module comment). */
export function fixEdge(raw: string, context: ElementFixContext): string {
  if (context.mode !== 'MERGING') return raw;
  const members = scanObjectMembers(raw);
  const value = (key: string): string | undefined => {
    const m = members.find((x) => x.key === key);
    return m ? raw.slice(m.valueStart, m.valueEnd) : undefined;
  };
  const set: Record<string, string> = {};
  for (const [idKey, labelKey] of [
    ['outV', 'outVLabel'],
    ['inV', 'inVLabel'],
  ] as const) {
    const labelRaw = value(labelKey);
    const idRaw = value(idKey);
    if (labelRaw === undefined || idRaw === undefined) throw new ElementFixError(`edge without ${labelKey} or ${idKey} (batch posts need both)`);
    const targetLabelId = context.primaryKeyLabels.get(decodeString(labelRaw, labelKey));
    if (targetLabelId !== undefined) set[idKey] = rewritePrimaryKeyId(idRaw, targetLabelId);
  }
  return editObjectMembers(raw, { remove: ['id'], set });
}

const PK_PREFIX = /^"(\d+):/;

/**
 * `"<sourceLabelId>:<values>"` → `"<targetLabelId>:<values>"`, the rest byte for byte (the PK values
 * may hold escaped ':' and other separators; only the text before the first ':' is a label id).
 */
export function rewritePrimaryKeyId(rawId: string, targetLabelId: string): string {
  const match = PK_PREFIX.exec(rawId);
  if (!match) throw new ElementFixError(`${rawId.slice(0, 80)} is not a PRIMARY_KEY vertex id ("<labelId>:<values>")`);
  if (match[1] === targetLabelId) return rawId;
  return `"${targetLabelId}${rawId.slice(match[0].length - 1)}`;
}

/**
 * The raw id a vertex of the backup has on the target: its own id, or for a PRIMARY_KEY label the
 * same values under the target's label id. Undefined when the element carries no id.
 */
export function vertexIdOnTarget(raw: string, label: string, context: ElementFixContext): string | undefined {
  const id = elementIdRaw(raw);
  if (id === undefined) return undefined;
  const labelId = context.primaryKeyLabels.get(label);
  return labelId === undefined ? id : rewritePrimaryKeyId(id, labelId);
}

/**
 * Whether two element texts hold the same label and properties, whatever the order of their
 * members. Numbers are compared by their text (lossless), never through a JS number.
 */
export function sameLabelAndProperties(a: string, b: string): boolean {
  const pick = (raw: string) => {
    const label = getMemberRaw(raw, 'label');
    const properties = getMemberRaw(raw, 'properties') ?? '{}';
    return `${label ?? ''}|${canonicalJson(parseLossless(properties))}`;
  };
  return pick(a) === pick(b);
}

function canonicalJson(value: JsonValue): string {
  const sort = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o = v as Record<string, JsonValue>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, sort(o[k] as JsonValue)]),
      );
    }
    return v;
  };
  return stringifyLossless(sort(value));
}
