import { parseArgs } from 'node:util';
import { usageError } from './errors';

/** Options every command shares (docs/design-notes.md §5); `--remote` only backup and restore take. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  user: { type: 'string' },
  password: { type: 'string' },
  graphspace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/**
 * Parses a command's arguments strictly: an unknown option, an option without its value, or a stray
 * argument (unless the command takes `positionals`) is an error that names it.
 */
export function parseCommandArgs<T extends OptionSpec>(command: string, argv: string[], options: T, positionals = false) {
  const known = { ...COMMON_OPTIONS, ...options };
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof known; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: known, strict: true, allowPositionals: true });
  } catch (error) {
    throw usageError(command, describeParseError(error as Error & { code?: string }));
  }
  if (!positionals && parsed.positionals.length) throw usageError(command, `unexpected argument '${parsed.positionals[0]}' (options start with --)`);
  return parsed;
}

/** node:util's parse errors, without their advice about '--' (meant for scripts' own parsers). */
function describeParseError(error: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return /argument missing/.test(error.message) ? `option '${option}' needs a value` : error.message.replace(/\.$/, '');
  return error.message;
}

export function required(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw usageError(command, `--${name} is required`);
  return value;
}

/** A HugeGraph server's URL: http:// or https:// and a host, said at once rather than by the client deep in a run. */
export function serverUrl(command: string, values: Record<string, unknown>, name: string): string {
  const url = required(command, values, name);
  if (!/^https?:\/\/[^/]/i.test(url)) {
    const example = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? 'http://127.0.0.1:8080' : `http://${url}`;
    throw usageError(command, `--${name} must be an http:// or https:// URL, e.g. ${example} (got '${url}')`);
  }
  return url;
}

export function optionalInt(command: string, values: Record<string, unknown>, name: string, min = 1): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usageError(command, `--${name} must be a whole number ≥ ${min}, got '${value}'`);
  return n;
}

export function optionalChoice<T extends string>(command: string, values: Record<string, unknown>, name: string, choices: readonly T[]): T | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw usageError(command, `--${name} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}

export function optionalList(values: Record<string, unknown>, name: string): string[] | undefined {
  const value = values[name];
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Credentials from the flags, else from HUGEGRAPH_USERNAME / HUGEGRAPH_PASSWORD. */
export function credentialsFrom(values: Record<string, unknown>): { username?: string; password?: string } {
  const username = (values.user as string | undefined) ?? process.env.HUGEGRAPH_USERNAME;
  const password = (values.password as string | undefined) ?? process.env.HUGEGRAPH_PASSWORD;
  return { username, password };
}

/** hugegraph-tools' `-t` names for what hgbr calls vertices and edges; `all` is every kind allowed. */
const TYPE_ALIASES: Readonly<Record<string, string>> = { vertex: 'vertices', edge: 'edges' };

/**
 * `--types schema,vertices,edges` (or the tools' `vertex`, `edge`), checked against what the
 * command allows. `all` stands for the command's default set, as if `--types` were not given.
 */
export function optionalTypes<T extends string>(command: string, values: Record<string, unknown>, allowed: readonly T[], all: readonly T[] | undefined): T[] | undefined {
  const listed = optionalList(values, 'types');
  if (listed === undefined) return undefined;
  if (listed.some((t) => t.toLowerCase() === 'all') && all === undefined) return undefined;
  const types = listed.flatMap((t) => (t.toLowerCase() === 'all' ? [...(all ?? [])] : [TYPE_ALIASES[t.toLowerCase()] ?? t.toLowerCase()]));
  const unknown = types.filter((t) => !allowed.includes(t as T));
  if (unknown.length || types.length === 0) throw usageError(command, `--types takes ${allowed.join(', ')} or all, got '${String(values.types)}'`);
  return [...new Set(types)] as T[];
}
