/**
 * Key ranges that each hold data. The server cuts a table into shards of even width in key space
 * (between its first and last key), but keys cluster: one label's numeric ids share their leading
 * bytes, string ids use a few byte values. Measured on the bench's 1M graph: 34 of 45 vertex shards
 * and 34 of 43 edge shards were empty, and one edge shard held 36 % of the graph, so one worker
 * read a third of the backup alone whatever the number of workers.
 *
 * So the plan probes ranges (a few dozen elements at most: a seek and a short read on the server)
 * and bisects where the data is: a half with (nearly) nothing in it narrows the search without
 * cutting, a cut falls only between two halves that both hold data, so stray elements at a
 * cluster's edge never make a cut of their own. Ranges with (nearly) nothing are folded into a
 * neighbour, so the ranges still cover the whole table, end to start: an element written into an
 * empty stretch during the backup is read too.
 *
 * Keys are compared as the server does, as unsigned bytes (the API carries them in base64).
 */
import { mapWithConcurrency } from '../concurrency';
import type { KeyRange } from '../hugegraph';

/** How many elements a range holds now, counted up to `limit` (more come back as `limit`). */
export type RangeProbe = (range: KeyRange, limit: number) => Promise<number>;

export interface BalanceOptions {
  /** Ranges holding data wanted: cutting stops once there are this many. */
  readonly target: number;
  /** Elements a range must hold to count as holding data (what a probe reads at most). @default {@link PROBE_ELEMENTS} */
  readonly minElements?: number;
  /** Probes at most, all cuts together: bounds the plan's time on a graph of many clusters. @default 2000 */
  readonly maxProbes?: number;
  /** Probes in flight at once. @default 4 */
  readonly concurrency?: number;
}

/** Elements a probe reads at most: a range holding fewer is not worth a work item of its own. */
export const PROBE_ELEMENTS = 64;

/** Bytes a key may grow by when two bounds are too close to cut between (keys are short). */
const MAX_EXTRA_KEY_BYTES = 16;
/** Halvings of one range at most while looking for a cut: ids sharing a prefix of up to 32 bytes. */
const MAX_STEPS_PER_CUT = 8 * 32;

/** A range of the plan and, inside it, the stretch known to hold all its data when probed. */
interface Piece {
  readonly cover: KeyRange;
  readonly data: KeyRange;
  readonly hasData: boolean;
  /** No cut was found (its data is one key, or spread too thin for two halves that hold data): never tried again. */
  readonly whole?: boolean;
}

/**
 * Cuts `shards` (contiguous, as the server lists them) into ranges that hold data, level by level
 * (every range holding data is cut once before any is cut twice) until there are `target` of them.
 * Returns ranges that cover the shards end to start; shards whose bounds are not base64 keys (a
 * backend that cuts by token, not by key) come back unchanged.
 */
export async function balanceRanges(shards: readonly KeyRange[], probe: RangeProbe, options: BalanceOptions): Promise<KeyRange[]> {
  if (shards.length === 0 || !shards.every(isByteKeyRange) || !isContiguous(shards)) return [...shards];
  let probesLeft = options.maxProbes ?? 2000;
  const limit = options.minElements ?? PROBE_ELEMENTS;
  const counted: Prober = (range) => {
    probesLeft--;
    return probe(range, limit);
  };
  const concurrency = options.concurrency ?? 4;
  let pieces: Piece[] = await mapWithConcurrency(shards, concurrency, async (cover) => pieceOf(cover, cover, await counted(cover), limit));
  for (;;) {
    const cuttable = pieces.filter((p) => p.hasData && !p.whole);
    const holding = pieces.filter((p) => p.hasData).length;
    if (holding >= options.target || cuttable.length === 0 || probesLeft <= 0) break;
    const next: Piece[][] = await mapWithConcurrency(pieces, concurrency, (p) => (p.hasData && !p.whole && probesLeft > 0 ? cutPiece(p, counted, limit, () => probesLeft) : Promise.resolve([p])));
    pieces = next.flat();
  }
  return foldEmpty(pieces);
}

type Prober = (range: KeyRange) => Promise<number>;

/** Two pieces that both hold data, or the piece itself marked whole when no cut was found. */
async function cutPiece(piece: Piece, probe: Prober, limit: number, probesLeft: () => number): Promise<Piece[]> {
  let data = piece.data;
  // Probe first the side that held nothing last time: a cluster far narrower than its range
  // takes one probe per halving instead of two.
  let upperFirst = false;
  for (let step = 0; step < MAX_STEPS_PER_CUT && probesLeft() > 0; step++) {
    const middle = midpointKey(data.start, data.end);
    if (middle === undefined) break;
    const lower = { start: data.start, end: middle };
    const upper = { start: middle, end: data.end };
    const [first, second] = upperFirst ? [upper, lower] : [lower, upper];
    const inFirst = await probe(first);
    // The piece held data when probed: with nothing on one side, it is on the other (a write
    // meanwhile changes nothing here: the ranges cover the whole table whatever the cut).
    const inSecond = inFirst === 0 ? limit : await probe(second);
    if (inFirst >= limit && inSecond >= limit) {
      const [inLower, inUpper] = upperFirst ? [inSecond, inFirst] : [inFirst, inSecond];
      return [pieceOf({ start: piece.cover.start, end: middle }, lower, inLower, limit), pieceOf({ start: middle, end: piece.cover.end }, upper, inUpper, limit)];
    }
    if (inFirst < limit && inSecond < limit) break; // its data is spread too thin to cut into two
    const intoFirst = inFirst >= limit;
    data = intoFirst ? first : second;
    upperFirst = (data === lower) === true;
  }
  return [{ ...piece, data, whole: true }];
}

function pieceOf(cover: KeyRange, data: KeyRange, elements: number, limit: number): Piece {
  return { cover, data, hasData: elements >= limit };
}

/** The ranges of the pieces, each empty one joined to the range before it (the first to the one after). */
function foldEmpty(pieces: readonly Piece[]): KeyRange[] {
  const out: KeyRange[] = [];
  let pendingStart: string | undefined;
  for (const p of pieces) {
    if (!p.hasData) {
      const last = out[out.length - 1];
      if (last) out[out.length - 1] = { start: last.start, end: p.cover.end };
      else pendingStart ??= p.cover.start;
      continue;
    }
    out.push({ start: pendingStart ?? p.cover.start, end: p.cover.end });
    pendingStart = undefined;
  }
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  // Nothing holds data: one range over everything, so a backup still reads what appears meanwhile.
  if (out.length === 0 && first && last) return [{ start: first.cover.start, end: last.cover.end }];
  return out;
}

/**
 * A key strictly between `start` and `end` (base64), near the middle of the two as numbers of equal
 * length; undefined when there is none within {@link MAX_EXTRA_KEY_BYTES} more bytes (or start ≥ end).
 * Padding with zero bytes keeps the order: start ≤ pad(start) < middle < pad(end), and a key of
 * pad(end)'s length below it is below end too.
 */
export function midpointKey(start: string, end: string): string | undefined {
  const a = Buffer.from(start, 'base64');
  const b = Buffer.from(end, 'base64');
  const base = Math.max(a.length, b.length, 1);
  for (let length = base; length <= base + MAX_EXTRA_KEY_BYTES; length++) {
    const low = toNumber(a, length);
    const high = toNumber(b, length);
    if (high <= low) return undefined;
    if (high - low >= 2n) return fromNumber((low + high) / 2n, length).toString('base64');
  }
  return undefined;
}

function toNumber(key: Buffer, length: number): bigint {
  let n = 0n;
  for (let i = 0; i < length; i++) n = (n << 8n) | BigInt(key[i] ?? 0);
  return n;
}

function fromNumber(n: bigint, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

/** Both bounds are base64 that decodes to bytes and back unchanged (RocksDB and HBase keys are). */
function isByteKeyRange(range: KeyRange): boolean {
  const roundTrips = (s: string) => s !== '' && Buffer.from(s, 'base64').toString('base64') === s;
  return roundTrips(range.start) && roundTrips(range.end);
}

function isContiguous(ranges: readonly KeyRange[]): boolean {
  return ranges.every((r, i) => i === 0 || ranges[i - 1]?.end === r.start);
}
