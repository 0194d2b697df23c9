/**
 * The raw ceilings hgbr is compared with: bare loops of the same REST calls, doing nothing else.
 *
 * - Read, two ways, as hgbr's two read paths: page every label with
 *   `GET G/graph/vertices|edges?label=L&page=<token>&limit=<n>`, or every key range of hgbr's plan
 *   with `GET G/traversers/vertices|edges/scan?start=&end=&page=&page_limit=<n>`; the page size
 *   hgbr uses, as many at once as hgbr's workers, and throw each page away after finding its
 *   `page` token (the last member of the answer; read from the end).
 * - Write: POST the very batches a restore posts (the backup's lines, PRIMARY_KEY ids dropped as
 *   restore drops them, uncompressed as hgbr's client sends them), prepared in memory before the
 *   clock starts, with as many requests in flight as hgbr's restore, vertices first, then edges,
 *   into a cleared graph in RESTORING mode with the backup's schema (ids kept).
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { DEFAULT_REQUEST_GZIP_LEVEL } from '../functions/hugegraph/http';
import { Pool } from 'undici';
import { readFileLines } from '../functions/format';
import type { HugeGraphClient, SchemaInput } from '../functions/hugegraph';
import { parseLosslessObject } from '../functions/json';
import { joinRawArray } from '../functions/json/scan';
import { fixVertex } from '../functions/restore/element-fix';
import { fixContext } from '../functions/restore/restore-files';
import { cpuMsOf } from './proc';

const gunzip = promisify(gunzipCb);
const gzip = promisify(gzipCb);

export interface CeilingResult {
  readonly elements: number;
  readonly requests: number;
  readonly bytes: number;
  readonly wallMs: number;
  /** CPU time of this (the bench) process during the loop, ms. */
  readonly cpuMs: number;
}

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The `page` member's value at the end of a page answer: a token, or null. */
export function pageTokenAtEnd(body: string): string | null {
  const at = body.lastIndexOf('"page"');
  if (at < 0) return null;
  let i = body.indexOf(':', at + 6) + 1;
  while (body.charCodeAt(i) === 32 || body.charCodeAt(i) === 10 || body.charCodeAt(i) === 13 || body.charCodeAt(i) === 9) i++;
  if (body.startsWith('null', i)) return null;
  if (body.charCodeAt(i) !== 34) throw new Error(`unexpected page member: ${body.slice(at, at + 80)}`);
  // page tokens are base64 / hex: no escapes, but decode properly anyway
  let j = i + 1;
  while (j < body.length && body.charCodeAt(j) !== 34) j += body.charCodeAt(j) === 92 ? 2 : 1;
  return JSON.parse(body.slice(i, j + 1)) as string;
}

/** Counts elements of a page answer cheaply (top-level objects of the array), only to report totals. */
function countElements(body: string, key: string): number {
  const start = body.indexOf(`"${key}"`);
  if (start < 0) return 0;
  let i = body.indexOf('[', start) + 1;
  let depth = 0;
  let n = 0;
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 34) {
      for (i++; i < body.length && body.charCodeAt(i) !== 34; i++) if (body.charCodeAt(i) === 92) i++;
    } else if (c === 123 || c === 91) {
      if (depth === 0 && c === 123) n++;
      depth++;
    } else if (c === 125 || c === 93) {
      if (depth === 0) break;
      depth--;
    }
  }
  return n;
}

export interface ReadCeilingOptions {
  readonly url: string;
  readonly graphPath: string;
  readonly vertexLabels: readonly string[];
  readonly edgeLabels: readonly string[];
  readonly pageSize: number;
  /** Labels paged at the same time (hgbr's backup Map concurrency). @default 4 */
  readonly labelConcurrency?: number;
  /** Ask for gzip answers as hgbr's client does (the server gzips list answers anyway). @default true */
  readonly acceptGzip?: boolean;
  /** Count the elements of each page (a scan; off for the ceiling itself). @default false */
  readonly count?: boolean;
  /** Stop each label after this many pages (a warm-up). @default all */
  readonly maxPagesPerLabel?: number;
}

/** Pages every label once, all labels in one queue as hgbr's backup work list, and discards the pages. */
export async function readCeiling(options: ReadCeilingOptions): Promise<CeilingResult> {
  const path = (kind: 'vertices' | 'edges', label: string) => (page: string) =>
    `${options.graphPath}/graph/${kind}?label=${encodeURIComponent(label)}&page=${encodeURIComponent(page)}&limit=${options.pageSize}`;
  const streams = [
    ...options.vertexLabels.map((l) => ({ kind: 'vertices' as const, path: path('vertices', l) })),
    ...options.edgeLabels.map((l) => ({ kind: 'edges' as const, path: path('edges', l) })),
  ];
  return pageStreams(options, streams, options.labelConcurrency ?? 4);
}

export interface ScanCeilingOptions {
  readonly url: string;
  readonly graphPath: string;
  /** The key ranges hgbr's plan cuts (functions/backup/plan.ts planRanges), vertex ranges first. */
  readonly ranges: readonly { kind: 'vertex' | 'edge'; start: string; end: string }[];
  readonly pageSize: number;
  /** Ranges read at once (hgbr's --workers). @default 4 */
  readonly concurrency?: number;
  readonly acceptGzip?: boolean;
  readonly count?: boolean;
}

/**
 * The scan ceiling: pages every key range once (`GET G/traversers/vertices|edges/scan?start=&end=
 * &page=&page_limit=`), as many at once as hgbr's workers, and discards the pages.
 */
export async function scanCeiling(options: ScanCeilingOptions): Promise<CeilingResult> {
  const streams = options.ranges.map((r) => {
    const kind = r.kind === 'vertex' ? ('vertices' as const) : ('edges' as const);
    const range = `start=${encodeURIComponent(r.start)}&end=${encodeURIComponent(r.end)}`;
    return { kind, path: (page: string) => `${options.graphPath}/traversers/${kind}/scan?${range}&page=${encodeURIComponent(page)}&page_limit=${options.pageSize}` };
  });
  return pageStreams(options, streams, options.concurrency ?? 4);
}

/** Pages each stream from its first page to its last, `concurrency` streams at a time, discarding the pages. */
async function pageStreams(
  options: { url: string; acceptGzip?: boolean; count?: boolean; maxPagesPerLabel?: number },
  streams: readonly { kind: 'vertices' | 'edges'; path: (page: string) => string }[],
  concurrency: number,
): Promise<CeilingResult> {
  const pool = new Pool(new URL(options.url).origin, { connections: 8, keepAliveTimeout: 4_000 });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.acceptGzip ?? true) headers['accept-encoding'] = 'gzip';
  let requests = 0;
  let bytes = 0;
  let elements = 0;
  const pageThrough = async (stream: (typeof streams)[number]): Promise<void> => {
    let page = '';
    for (let n = 1; ; n++) {
      const res = await pool.request({ method: 'GET', path: stream.path(page), headers });
      let raw = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode !== 200) throw new Error(`GET ${stream.path(page)}: HTTP ${res.statusCode}: ${raw.toString().slice(0, 300)}`);
      if (res.headers['content-encoding'] === 'gzip') raw = await gunzip(raw);
      requests++;
      bytes += raw.length;
      const body = raw.toString('utf8');
      if (options.count) elements += countElements(body, stream.kind);
      const next = pageTokenAtEnd(body);
      if (next === null || n === options.maxPagesPerLabel) return;
      page = next;
    }
  };
  const queue = [...streams];
  const worker = async (): Promise<void> => {
    for (let stream = queue.shift(); stream !== undefined; stream = queue.shift()) await pageThrough(stream);
  };
  const cpu0 = processCpuMs();
  const t0 = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    await pool.close();
  }
  return { elements, requests, bytes, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: processCpuMs() - cpu0 };
}

interface ManifestLike {
  files: { name: string; type: string; label?: string; elements: number }[];
}

/** The schema of a backup folder, parsed (schema holds no graph data beyond small ids). */
export async function readBackupSchema(dir: string): Promise<SchemaInput> {
  const kinds = ['propertykeys', 'vertexlabels', 'edgelabels', 'indexlabels'] as const;
  const out: Record<string, unknown[]> = {};
  const names = fs.readdirSync(dir);
  for (const kind of kinds) {
    const name = names.find((n) => n === kind || n === `${kind}.zip`);
    out[kind] = [];
    if (!name) continue;
    for await (const line of readFileLines(name, fs.createReadStream(path.join(dir, name)))) {
      for (const raw of line.rawElements) out[kind]!.push(parseLosslessObject(raw, { numbers: 'exact' }));
    }
  }
  return out as SchemaInput;
}

export interface WriteCeilingOptions {
  readonly client: HugeGraphClient;
  readonly url: string;
  /** A folder backup: ROOT/G/<backupId>. */
  readonly backupDir: string;
  /** Requests in flight (hgbr restore: files in parallel x batches per file). */
  readonly concurrency: number;
  /** gzip the bodies (hgbr's client does not, by default). @default as hgbr's client */
  readonly gzip?: boolean;
  /** Runs once everything is prepared, before the clock starts (e.g. wait for a quiet server). */
  readonly beforeTiming?: () => Promise<void>;
  readonly log?: (line: string) => void;
}

/**
 * Clears the graph, sets RESTORING, creates the backup's schema with its ids, then times the POSTs of
 * every batch. Leaves the graph in NONE mode, holding the data.
 */
export async function writeCeiling(options: WriteCeilingOptions): Promise<CeilingResult & { prepareMs: number }> {
  const { client, backupDir } = options;
  const gzipBodies = options.gzip ?? DEFAULT_REQUEST_GZIP_LEVEL > 0;
  const prepStart = Date.now();
  await client.clear();
  await client.setMode('RESTORING');
  try {
    await client.createSchema(await readBackupSchema(backupDir), { keepId: true });
    const context = await fixContext(client, 'RESTORING');
    const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')) as ManifestLike;
    const bodies = { vertices: [] as Buffer[], edges: [] as Buffer[] };
    let elements = 0;
    for (const type of ['vertices', 'edges'] as const) {
      for (const file of manifest.files.filter((f) => f.type === type)) {
        for await (const line of readFileLines(file.name, fs.createReadStream(path.join(backupDir, file.name)))) {
          const batch = type === 'vertices' ? line.rawElements.map((raw) => fixVertex(raw, context, file.label)) : line.rawElements;
          if (batch.length === 0) continue;
          const text = Buffer.from(joinRawArray(batch), 'utf8');
          bodies[type].push(gzipBodies ? await gzip(text, { level: DEFAULT_REQUEST_GZIP_LEVEL || 1 }) : text);
          elements += batch.length;
        }
      }
    }
    const prepareMs = Date.now() - prepStart;
    options.log?.(`  write ceiling: ${bodies.vertices.length + bodies.edges.length} batches prepared in ${(prepareMs / 1000).toFixed(1)} s`);
    await options.beforeTiming?.();

    const pool = new Pool(new URL(options.url).origin, { connections: Math.max(8, options.concurrency), keepAliveTimeout: 4_000 });
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json', 'accept-encoding': 'gzip' };
    if (gzipBodies) headers['content-encoding'] = 'gzip';
    let requests = 0;
    let bytes = 0;
    let busyRetries = 0;
    const post = async (kind: 'vertices' | 'edges', body: Buffer): Promise<void> => {
      const query = kind === 'edges' ? '?check_vertex=false' : '';
      for (let attempt = 1; ; attempt++) {
        const res = await pool.request({ method: 'POST', path: `${client.graphPath}/graph/${kind}/batch${query}`, headers, body });
        const text = Buffer.from(await res.body.arrayBuffer());
        requests++;
        bytes += body.length;
        if (res.statusCode === 201 || res.statusCode === 200) return;
        const message = (res.headers['content-encoding'] === 'gzip' ? await gunzip(text) : text).toString().slice(0, 300);
        // the server's back-pressure: retry as hgbr's client does
        if ((res.statusCode === 400 && /too busy/i.test(message)) || res.statusCode === 503) {
          if (attempt >= 10) throw new Error(`POST ${kind}/batch still busy after ${attempt} attempts`);
          busyRetries++;
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(2000, 100 * 2 ** attempt)));
          continue;
        }
        throw new Error(`POST ${kind}/batch: HTTP ${res.statusCode}: ${message}`);
      }
    };
    const run = async (kind: 'vertices' | 'edges'): Promise<void> => {
      let next = 0;
      const list = bodies[kind];
      const worker = async (): Promise<void> => {
        while (next < list.length) await post(kind, list[next++] as Buffer);
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    };
    const cpu0 = processCpuMs();
    const t0 = process.hrtime.bigint();
    try {
      await run('vertices');
      await run('edges');
    } finally {
      await pool.close();
    }
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (busyRetries) options.log?.(`  write ceiling: ${busyRetries} "too busy" answers retried`);
    return { elements, requests, bytes, wallMs, cpuMs: processCpuMs() - cpu0, prepareMs };
  } finally {
    await client.setMode('NONE');
  }
}

/** CPU ms the server process used between two calls (undefined if its pid is unknown). */
export function serverCpuMeter(pid: number | undefined): () => number | undefined {
  const start = pid === undefined ? undefined : cpuMsOf(pid);
  return () => {
    if (pid === undefined || start === undefined) return undefined;
    const now = cpuMsOf(pid);
    return now === undefined ? undefined : now - start;
  };
}

/**
 * Waits until the server is quiet: under `threshold` of one core over `windowMs`, at most `maxMs`.
 * A load or a clear leaves RocksDB compacting for seconds; without the wait that work lands in
 * whichever step comes next (measured: the same 1M restore took 15.8 or 21.2 s of server CPU).
 * Returns the time waited.
 */
export async function waitForQuietServer(pid: number | undefined, options: { maxMs?: number; windowMs?: number; threshold?: number } = {}): Promise<number> {
  if (pid === undefined) return 0;
  const { maxMs = 60_000, windowMs = 1_000, threshold = 0.1 } = options;
  const started = Date.now();
  while (Date.now() - started < maxMs) {
    const meter = serverCpuMeter(pid);
    await new Promise((r) => setTimeout(r, windowMs));
    const used = meter();
    if (used === undefined || used < threshold * windowMs) break;
  }
  return Date.now() - started;
}
