/**
 * Where does hgbr's time go? Runs `hgbr backup` (and optionally `hgbr restore`) under Node's
 * --cpu-prof and prints the self time by area and the top functions. See bench/README.md.
 *
 *   npx tsx bench/profile.ts                                  # own server, 100k elements, folder
 *   npx tsx bench/profile.ts --size 200k --to s3 --page-sizes 500,2000,10000 --restore
 *   npx tsx bench/profile.ts --server http://127.0.0.1:8080 --graph hugegraph   # an existing graph (read only)
 *   npx tsx bench/profile.ts --summarize /tmp/hgbr-profile-…/                # profiles already taken
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HugeGraphClient } from '../functions/hugegraph';
import { startHugeGraph, type HugeGraphServer } from '../test/support/hugegraph-server';
import { startS3Server, type S3Server } from '../test/support/s3-server';
import { formatSummary, profileFiles, readProfile, summarizeProfile } from './cpuprofile';
import { loadGraph, sizeFromTotal } from './graph';
import { buildCompiled, removeCompiled, hgbrCommand, hgbrEnv, runChildStep, summaryElements, type StepResult } from './steps';

const HELP = `usage: npx tsx bench/profile.ts [options]

  --summarize PATH     only summarize a .cpuprofile, or every one in a folder
  --server URL         profile against this server's graph instead of starting one (read only:
                       --restore is refused); --graph G (default hugegraph)
  --size N             elements of the synthetic graph on the own server (default 100k; 60% edges)
  --to folder|s3|both  where the backup goes (default folder)
  --page-sizes LIST    run the backup once per page size (default 2000)
  --restore            also profile hgbr restore of the (last) folder backup, into the cleared graph
  --compiled           compile with tsc into bench/.dist-<pid>/ and profile that instead of the
                       sources through tsx (tsx's transform changes the costs, see bench/README.md)
  --interval US        sampling interval in microseconds (default 500)
  --top N              functions listed (default 25)
  --out DIR            where the profiles go (default $TMPDIR/hgbr-profile-<time>, kept)`;

const log = (line: string): void => console.log(`[profile] ${line}`);

function summarizeLatest(dir: string, before: Set<string>, top: number, title: string): void {
  const fresh = profileFiles(dir).filter((f) => !before.has(f));
  for (const file of fresh) {
    console.log(`\n=== ${title} ===`);
    console.log(formatSummary(summarizeProfile(readProfile(file), file), top));
  }
}

function line(step: StepResult): string {
  if (step.status !== 'ok') return `${step.step}: ${step.status}: ${step.message ?? ''}`;
  const rate = Math.round((step.elements ?? 0) / ((step.wallMs ?? 1) / 1000));
  return `${step.step}: ${rate.toLocaleString('en')} elements/s, wall ${((step.wallMs ?? 0) / 1000).toFixed(1)} s (own ${((step.innerMs ?? 0) / 1000).toFixed(1)} s), client CPU ${((step.cpuMs ?? 0) / 1000).toFixed(1)} s (main thread ${((step.mainCpuMs ?? 0) / 1000).toFixed(1)} s, other threads: zlib, fs, GC helpers), peak RSS ${((step.peakRssKb ?? 0) / 1024).toFixed(0)} MiB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
    options: {
      summarize: { type: 'string' },
      server: { type: 'string' },
      graph: { type: 'string' },
      size: { type: 'string' },
      to: { type: 'string' },
      'page-sizes': { type: 'string' },
      restore: { type: 'boolean' },
      compiled: { type: 'boolean' },
      interval: { type: 'string' },
      top: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(HELP);
  const top = Number(values.top ?? 25);
  if (values.summarize) {
    for (const file of profileFiles(values.summarize)) console.log(`${formatSummary(summarizeProfile(readProfile(file), file), top)}\n`);
    return;
  }
  const targets = values.to === 'both' ? ['folder', 's3'] : [values.to ?? 'folder'];
  if (!targets.every((t) => t === 'folder' || t === 's3')) throw new Error('--to must be folder, s3 or both');
  const pageSizes = (values['page-sizes'] ?? '2000').split(',').map((s) => Number(s.trim()));
  if (!pageSizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error('--page-sizes must list whole numbers');
  if (values.server && values.restore) throw new Error('--restore clears the graph: only on the own server (leave out --server)');
  const out = values.out ?? path.join(os.tmpdir(), `hgbr-profile-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`);
  fs.mkdirSync(out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-profile-work-'));
  const nodeFlags = ['--cpu-prof', '--cpu-prof-dir', out, '--cpu-prof-interval', values.interval ?? '500'];

  let hg: HugeGraphServer | undefined;
  let s3: S3Server | undefined;
  let distDir: string | undefined;
  const stop = async (): Promise<void> => {
    await Promise.allSettled([hg?.stop(), s3?.stop()]);
    removeCompiled(distDir);
    fs.rmSync(work, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
  try {
    let url = values.server;
    const graph = values.graph ?? 'hugegraph';
    let total = 0;
    [hg, s3] = await Promise.all([
      url ? Promise.resolve(undefined) : startHugeGraph({ backend: 'rocksdb' }),
      targets.includes('s3') ? startS3Server({ bucket: 'hgbr-profile' }) : Promise.resolve(undefined),
    ]);
    if (hg) {
      url = hg.url;
      const size = sizeFromTotal(Number((values.size ?? '100k').replace(/k$/i, '000').replace(/m$/i, '000000')), 'profile');
      const client = await HugeGraphClient.connect({ url, graph });
      try {
        total = (await loadGraph(client, size, { log })).total;
      } finally {
        await client.close();
      }
    }
    distDir = values.compiled ? buildCompiled() : undefined;
    let lastFolderBackup: string | undefined;
    for (const pageSize of pageSizes) {
      for (const target of targets) {
        const root = target === 's3' ? `s3://${s3!.bucket}/p${pageSize}` : path.join(work, `p${pageSize}`);
        const before = new Set(profileFiles(out));
        const step = await runChildStep({
          step: `hgbr backup → ${target}, page size ${pageSize}`,
          ...hgbrCommand(['backup', '--server', url!, '--graph', graph, '--to', root, '--page-size', String(pageSize), '--json'], { nodeFlags, distDir }),
          env: hgbrEnv(target === 's3' ? { ...s3!.env } : {}),
          timeoutMs: 3_600_000,
          expectedElements: total,
          elementsOf: summaryElements,
        });
        log(line(step));
        summarizeLatest(out, before, top, step.step);
        const id = step.summary?.['backupId'];
        if (target === 'folder' && typeof id === 'string') lastFolderBackup = path.join(root, graph, id);
      }
    }
    if (values.restore && hg && lastFolderBackup) {
      const client = await HugeGraphClient.connect({ url: hg.url, graph });
      try {
        await client.clear();
      } finally {
        await client.close();
      }
      const before = new Set(profileFiles(out));
      const step = await runChildStep({
        step: 'hgbr restore ← folder',
        ...hgbrCommand(['restore', '--from', lastFolderBackup, '--server', hg.url, '--graph', graph, '--mode', 'restoring', '--json'], { nodeFlags, distDir }),
        env: hgbrEnv(),
        timeoutMs: 3_600_000,
        expectedElements: total,
        elementsOf: summaryElements,
      });
      log(line(step));
      summarizeLatest(out, before, top, step.step);
    }
    log(`profiles kept in ${out} (open them in Chrome DevTools > Performance, or summarize again with --summarize)`);
  } finally {
    await stop();
  }
}

main().catch((error) => {
  console.error(`profile: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
