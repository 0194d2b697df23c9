/**
 * The benchmark report: a Markdown section (tables + machine) written below a marker in
 * docs/benchmarks.md, keeping the hand-written intro above the marker.
 */
import fs from 'node:fs';
import type { GraphSize, LoadedGraph } from './graph';
import type { MachineInfo } from './proc';
import type { StepResult } from './steps';

export const MARKER = '<!-- bench:generated — everything below this line is rewritten by `npm run bench` -->';

export const DEFAULT_INTRO = `# Benchmarks

\`npm run bench\` measures hgbr's backup and restore against the raw ceilings of the HugeGraph REST
API (bare loops of the same calls doing nothing else) and, where a build is available, against
hugegraph-tools, on the same server in the same run, at two graph sizes (100k and 1M elements by
default). It never fails on a time: it reports. \`bench/README.md\` has the options, what each step
does exactly, and the profiling helper (\`bench/profile.ts\`).

How to read the tables:

- **elements/s** = elements in the graph / wall time of the whole step. hgbr and hugegraph-tools
  run as child processes, so start-up, schema, mode changes and hgbr's count checks are in.
- **own s** is hgbr's own \`durationMs\`; the difference to wall time is process start-up. In
  brackets a backup's plan (\`planMs\`: schema, and the key ranges probed where the data is), the
  part the scan ceiling does before its clock starts.
- **vs ceiling**: backup against the faster of the two read ceilings: the **read ceiling** (label
  paging) and the **scan ceiling** (the key ranges hgbr's plan cuts, \`…/traversers/…/scan\`, cut
  before the clock starts: hgbr's own plan, its probes of where the data is, is in its wall time),
  both bare loops with hgbr's page size and worker count, gzip answers as hgbr's client asks for them;
  restore against the write ceiling (the
  very batches restore posts, uncompressed as hgbr sends them, 12 requests in flight, prepared before
  the clock starts).
  **vs tools**: against hugegraph-tools (\`HGBR_BENCH_TOOLS_CLASSPATH\`; it is not on Maven Central).
- Every measured step runs twice (\`--repeat\`) and the faster run counts (a busy moment of a shared
  machine only ever slows a run); peak RSS is the higher of the two.
- Before each measured step the bench waits until the server is quiet (RocksDB compacts for
  seconds after a load or a clear), so that one step's background work does not land in the next.
- **peak RSS** is VmHWM of the child process; the memory table compares the two sizes: a worker's
  memory must stay flat as the graph grows.
- **CPU** is user + system time of the client (in brackets its main thread, where the JS runs; the
  rest is libuv's pool doing zlib and file I/O, and V8's helpers) and of the HugeGraph server during
  the step. Server, S3 server and client share the machine's cores, so on a small machine the CPU
  columns are steadier than wall times.
- By default hgbr runs as a tsc build, as npm users and (bundled) Lambdas run it;
  \`--from-source\` runs the sources through tsx instead, as \`./bin/hgbr.js\` does without
  \`dist/\` (slower to start, and tsx's transform makes imported constants getters).
- **…, 64 MiB heap** rows run the same step with V8's heap capped (\`--max-old-space-size\`, bench
  option \`--worker-heap\`), as a memory-bounded worker would be: with the default heap V8 keeps
  garbage it has room for, so those rows show the live memory's bound and what the cap costs in CPU.
- **hgbr backup → S3, 1 worker** (\`--workers 1\`) holds what one Lambda of the Distributed Map
  holds on AWS: one key range at a time. The other rows run 4 workers in one process, as the
  local runner does; their peak grows with the workers, each holding a page written and one fetched.
- **hgbr restore** reads every file once before its first write (checksums, line shapes; skipped
  by **--skip-preflight-read**, the row that shows what that read costs) and checks the counts the
  server acknowledged; **hgbr restore --verify-target**
  also counts every label on the target by reading it back, which reads the whole graph again.
`;

export interface SizeReport {
  readonly size: GraphSize;
  readonly loaded?: LoadedGraph;
  readonly steps: StepResult[];
  readonly error?: string;
}

export interface BenchReport {
  readonly machine: MachineInfo;
  readonly hugegraphVersion: string;
  readonly backend: string;
  readonly pageSize: number;
  readonly readConcurrency: number;
  readonly writeConcurrency: number;
  /** Extra node flags of the hgbr children, and hgbr restore --concurrency, when given. */
  readonly hgbrNodeOptions?: string[];
  readonly restoreConcurrency?: number;
  /** `--pin`: the server on CPU 0, everything else on the other CPUs. */
  readonly pinned?: boolean;
  /** hgbr ran compiled by tsc (else: the sources through tsx). */
  readonly compiled?: boolean;
  /** HGBR_BENCH_TOOLS_CLASSPATH, when given. */
  readonly toolsClasspath?: string;
  readonly baselineRssKb?: number;
  readonly sizes: SizeReport[];
  readonly scaleOut?: SizeReport;
  readonly durationMs: number;
  readonly command: string;
  readonly loadAverageEnd: string;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en');
const mib = (kb: number | undefined): string => (kb === undefined || kb === 0 ? '–' : `${(kb / 1024).toFixed(0)} MiB`);
const sec = (ms: number | undefined): string => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toFixed(2)}`);

export function rate(step: StepResult): number | undefined {
  return step.status === 'ok' && step.elements !== undefined && step.wallMs ? step.elements / (step.wallMs / 1000) : undefined;
}

/** A backup is compared with the faster of the two read ceilings, whichever the server serves best. */
const BEST_READ = ['scan ceiling', 'read ceiling'];

/** The steps a row is compared with: its ceiling (the fastest of those named) and its hugegraph-tools counterpart. */
const BASELINES: Record<string, { ceiling?: string[]; tools?: string }> = {
  'hgbr backup → folder': { ceiling: BEST_READ, tools: 'hugegraph-tools backup' },
  'hgbr backup --read-path label → folder': { ceiling: BEST_READ, tools: 'hugegraph-tools backup' },
  'hgbr backup → S3': { ceiling: BEST_READ, tools: 'hugegraph-tools backup' },
  'hgbr backup → S3, 1 worker': { ceiling: BEST_READ, tools: 'hugegraph-tools backup' },
  'hugegraph-tools backup': { ceiling: BEST_READ },
  'scan ceiling': { ceiling: ['read ceiling'] },
  'hgbr restore ← folder': { ceiling: ['write ceiling'], tools: 'hugegraph-tools restore' },
  'hgbr restore --skip-preflight-read ← folder': { ceiling: ['write ceiling'], tools: 'hugegraph-tools restore' },
  'hgbr restore --verify-target ← folder': { ceiling: ['write ceiling'], tools: 'hugegraph-tools restore' },
  'hugegraph-tools restore': { ceiling: ['write ceiling'] },
};

/** The fastest of the steps that ran. */
function fastest(steps: (StepResult | undefined)[]): StepResult | undefined {
  let best: StepResult | undefined;
  for (const step of steps) if (step && (rate(step) ?? 0) > (best ? (rate(best) ?? 0) : 0)) best = step;
  return best;
}

function sizeTable(s: SizeReport): string {
  const byName = new Map(s.steps.map((x) => [x.step, x]));
  const lines = [
    '| step | elements/s | wall s | own s (plan) | vs ceiling | vs tools | peak RSS | client CPU s (main thread) | server CPU s | client CPU µs/element | server CPU µs/element |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const notes: string[] = [];
  for (const step of s.steps) {
    if (step.status !== 'ok') {
      lines.push(`| ${step.step} | ${step.status} | | | | | | | | | |`);
      notes.push(`- ${step.step}: ${step.status}${step.message ? `: ${step.message}` : ''}`);
      continue;
    }
    const r = rate(step);
    const base = BASELINES[step.step.replace(/, \d+ MiB heap$/, '')];
    const ceiling = fastest((base?.ceiling ?? []).map((name) => byName.get(name)));
    const tools = base?.tools ? byName.get(base.tools) : undefined;
    const toolsCell = tools && tools.status !== 'ok' ? 'n/a' : ratio(r, tools ? rate(tools) : undefined);
    const perElement = step.cpuMs !== undefined && step.elements ? ((step.cpuMs * 1000) / step.elements).toFixed(1) : '–';
    const serverPerElement = step.serverCpuMs !== undefined && step.elements ? ((step.serverCpuMs * 1000) / step.elements).toFixed(1) : '–';
    lines.push(
      `| ${step.step} | ${r === undefined ? '–' : fmtInt(r)} | ${sec(step.wallMs)} | ${sec(step.innerMs)}${step.planMs !== undefined ? ` (${sec(step.planMs)})` : ''} | ${ratio(r, ceiling ? rate(ceiling) : undefined)} | ${toolsCell} | ${mib(step.peakRssKb)} | ${sec(step.cpuMs)}${step.mainCpuMs !== undefined ? ` (${sec(step.mainCpuMs)})` : ''} | ${sec(step.serverCpuMs)} | ${perElement} | ${serverPerElement} |`,
    );
    if (step.note) notes.push(`- ${step.step}: ${step.note}`);
  }
  const l = s.loaded;
  const head = l
    ? `${fmtInt(l.total)} elements: vertices ${Object.entries(l.vertices)
        .map(([k, v]) => `${k} ${fmtInt(v)}`)
        .join(', ')}; edges ${Object.entries(l.edges)
        .map(([k, v]) => `${k} ${fmtInt(v)}`)
        .join(', ')}. Loaded in ${sec(l.loadMs)} s (${fmtInt(l.total / (l.loadMs / 1000))} elements/s through the batch API).`
    : `${fmtInt(s.size.vertices + s.size.edges)} elements requested.`;
  return [`### ${s.size.name}: ${head}`, '', ...lines, '', ...(s.error ? [`- run stopped: ${s.error}`] : []), ...notes].join('\n');
}

function memoryTable(r: BenchReport): string {
  if (r.sizes.length < 2) return '';
  const small = r.sizes[0] as SizeReport;
  const large = r.sizes[r.sizes.length - 1] as SizeReport;
  const steps = small.steps.filter((s) => s.peakRssKb !== undefined).map((s) => s.step);
  const lines = [`| step | peak RSS ${small.size.name} | peak RSS ${large.size.name} | ${large.size.name} / ${small.size.name} |`, '|---|---:|---:|---:|'];
  for (const name of steps) {
    const a = small.steps.find((x) => x.step === name);
    const b = large.steps.find((x) => x.step === name);
    if (!a || !b || a.status !== 'ok' || b.status !== 'ok') continue;
    lines.push(`| ${name} | ${mib(a.peakRssKb)} | ${mib(b.peakRssKb)} | ${ratio(b.peakRssKb, a.peakRssKb)} |`);
  }
  const grow = (large.loaded?.total ?? 0) / Math.max(1, small.loaded?.total ?? 1);
  return [`### Memory as the graph grows ×${grow.toFixed(0)}`, '', ...lines, ''].join('\n');
}

/** Workers × read path on one graph dominated by one label: does a big label scale out? */
function scaleOutTable(s: SizeReport | undefined): string {
  if (!s) return '';
  const step = (name: string) => s.steps.find((x) => x.step === name);
  const cell = (x: StepResult | undefined) => (x?.status === 'ok' ? fmtInt(rate(x) ?? 0) : (x?.status ?? '–'));
  const serverPerElement = (x: StepResult | undefined) => (x?.status === 'ok' && x.serverCpuMs !== undefined && x.elements ? ((x.serverCpuMs * 1000) / x.elements).toFixed(1) : '–');
  const l = s.loaded;
  const largest = l ? Math.max(...Object.values(l.vertices), ...Object.values(l.edges)) / l.total : undefined;
  const lines = [
    '| workers | scan ceiling elements/s | hgbr backup, key ranges | vs scan ceiling | hgbr backup, by label | key ranges / by label | server CPU µs/element (ranges / label) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const workers of [1, 2, 4, 8]) {
    const ceiling = step(`scan ceiling, ${workers} loops`);
    const scan = step(`hgbr backup --read-path scan, ${workers} workers`);
    const label = step(`hgbr backup --read-path label, ${workers} workers`);
    lines.push(
      `| ${workers} | ${cell(ceiling)} | ${cell(scan)} | ${ratio(scan && rate(scan), ceiling && rate(ceiling))} | ${cell(label)} | ${ratio(scan && rate(scan), label && rate(label))} | ${serverPerElement(scan)} / ${serverPerElement(label)} |`,
    );
  }
  const head = l
    ? `${fmtInt(l.total)} elements, the largest label ${(100 * (largest ?? 0)).toFixed(0)}% of them (edges ${Object.entries(l.edges)
        .map(([k, v]) => `${k} ${fmtInt(v)}`)
        .join(', ')})`
    : 'not loaded';
  return [`### Scale-out: ${head}`, '', ...lines, '', ...(s.error ? [`- run stopped: ${s.error}`] : [])].join('\n');
}

export function renderReport(r: BenchReport): string {
  const m = r.machine;
  return [
    `## Results of ${m.date}`,
    '',
    `Command: \`${r.command}\` (${(r.durationMs / 60000).toFixed(1)} min in all).`,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory} memory, ${m.os}; Node ${m.node}; ${m.java}; HugeGraph ${r.hugegraphVersion} (${r.backend}, server and client on the same machine, S3 server too${r.pinned ? '; the server pinned to CPU 0, the bench, hgbr, hugegraph-tools and the S3 server to the others (`--pin`)' : ', sharing its CPUs'}). Load average at start ${m.loadAverage}, at the end ${r.loadAverageEnd}. Code: ${m.git}.`,
    '',
    `Settings: page size ${r.pageSize}; labels read in parallel ${r.readConcurrency}; batches in flight on write ${r.writeConcurrency}` +
      (r.restoreConcurrency ? `; hgbr restore --concurrency ${r.restoreConcurrency}` : '') +
      (r.hgbrNodeOptions?.length ? `; hgbr runs with node ${r.hgbrNodeOptions.join(' ')}` : '') +
      `; hgbr runs ${r.compiled ? 'compiled by tsc' : 'from the sources through tsx (as ./bin/hgbr.js does without dist/)'}` +
      (r.toolsClasspath ? `; hugegraph-tools from \`${r.toolsClasspath}\`` : '') +
      '.' +
      (r.baselineRssKb ? ` An idle \`hgbr backup --help\` peaks at ${mib(r.baselineRssKb)} (Node${r.compiled ? '' : ' + tsx'} + the CLI): the floor of every hgbr RSS below.` : ''),
    '',
    ...r.sizes.map(sizeTable).flatMap((t) => [t, '']),
    memoryTable(r),
    scaleOutTable(r.scaleOut),
  ].join('\n');
}

/** Rewrites everything below the marker of `file` (creating the file with an intro when needed). */
export function writeReport(file: string, markdown: string): void {
  let intro = DEFAULT_INTRO;
  try {
    const current = fs.readFileSync(file, 'utf8');
    const at = current.indexOf(MARKER);
    intro = at >= 0 ? `${current.slice(0, at).trimEnd()}\n` : `${current.trimEnd()}\n`;
  } catch {
    /* new file */
  }
  fs.writeFileSync(file, `${intro}\n${MARKER}\n\n${markdown.trimEnd()}\n`);
}
