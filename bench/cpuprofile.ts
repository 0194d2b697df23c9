/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function and per area of the code
 * (our modules, undici, fflate, the AWS SDK, tsx, hashing, GC…).
 *
 * Only the main thread is sampled: node:zlib's asynchronous gzip/gunzip (HTTP bodies) and file I/O
 * run on libuv's thread pool and do not appear, except for the JS that drives them. fflate (the
 * zip DEFLATE) and SHA-256 (crypto Hash.update) run on the main thread and do appear.
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionCost {
  readonly name: string;
  readonly location: string;
  readonly area: string;
  readonly selfMs: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Sampled time minus idle: what the main thread was busy with. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly areas: { area: string; selfMs: number }[];
  readonly functions: FunctionCost[];
}

const REPO = path.resolve(__dirname, '..');

/** Which part of the code a frame belongs to. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8/native (program)';
  if (functionName === '(root)') return 'root';
  const u = url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) {
    const pkg = nm[1] as string;
    if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg.startsWith('@aws-crypto/')) return 'AWS SDK (S3)';
    if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx (TypeScript load)';
    return pkg;
  }
  if (/^node:internal\/crypto|^node:crypto/.test(u)) return 'node crypto (SHA-256)';
  if (/zlib/.test(u)) return 'node zlib (JS side)';
  if (/^node:internal\/(fs|streams|stream)|^node:fs|^node:stream/.test(u)) return 'node streams and fs';
  if (/^node:/.test(u)) return 'node (other internals)';
  if (u.startsWith(REPO)) {
    // a compiled tree (dist/, bench/.dist-<pid>/) counts as the sources it came from
    const rel = path.relative(REPO, u).replace(/^(?:dist|bench\/\.dist-\d+)\//, '');
    const parts = rel.split(path.sep);
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
  }
  if (u === '') return functionName.startsWith('(') ? functionName : 'native / builtin';
  return u;
}

export function summarizeProfile(profile: CpuProfile, file = ''): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    // timeDeltas[i] is the time before sample i; attribute the interval after a sample to it
    const { samples, timeDeltas } = profile;
    for (let i = 0; i < samples.length; i++) {
      const dt = (timeDeltas[i + 1] ?? 0) / 1000;
      self.set(samples[i] as number, (self.get(samples[i] as number) ?? 0) + dt);
    }
  } else {
    const interval =
      (profile.endTime - profile.startTime) /
      1000 /
      Math.max(
        1,
        profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0),
      );
    for (const n of profile.nodes) self.set(n.id, (n.hitCount ?? 0) * interval);
  }
  const functions = new Map<string, { name: string; location: string; area: string; selfMs: number }>();
  const areas = new Map<string, number>();
  let idleMs = 0;
  let totalMs = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    totalMs += ms;
    const frame = node.callFrame;
    const area = areaOf(frame);
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const url = frame.url.replace(/^file:\/\//, '');
    const short = url.startsWith(REPO) ? path.relative(REPO, url) : url.replace(/^.*node_modules\//, '');
    const location = url ? `${short}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${location}`;
    const f = functions.get(key) ?? { name: frame.functionName || '(anonymous)', location, area, selfMs: 0 };
    f.selfMs += ms;
    functions.set(key, f);
  }
  return {
    file,
    totalMs,
    busyMs: totalMs - idleMs,
    idleMs,
    areas: [...areas.entries()].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
  };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
}

/** The .cpuprofile files of a path (a file, or every one in a folder, newest last). */
export function profileFiles(target: string): string[] {
  if (!fs.statSync(target).isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(target, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
}

export function formatSummary(s: ProfileSummary, top = 25): string {
  const pct = (ms: number): string => `${((100 * ms) / Math.max(1, s.busyMs)).toFixed(1).padStart(5)}%`;
  const ms = (x: number): string => `${x.toFixed(0).padStart(7)} ms`;
  const lines = [
    `${s.file ? `${s.file}\n` : ''}sampled ${(s.totalMs / 1000).toFixed(2)} s: busy ${(s.busyMs / 1000).toFixed(2)} s, idle ${(s.idleMs / 1000).toFixed(2)} s (percentages are of busy time)`,
    '',
    'self time by area:',
    ...s.areas.filter((a) => a.selfMs >= 0.5).map((a) => `  ${ms(a.selfMs)} ${pct(a.selfMs)}  ${a.area}`),
    '',
    `top ${top} functions by self time:`,
    ...s.functions.slice(0, top).map((f) => `  ${ms(f.selfMs)} ${pct(f.selfMs)}  ${f.name.padEnd(32)} ${f.location}  [${f.area}]`),
  ];
  return lines.join('\n');
}
