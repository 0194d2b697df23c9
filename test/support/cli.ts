import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const HGBR = path.resolve(__dirname, '../../bin/hgbr.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `hgbr` executable in a child process, as a user would; `.child` is the process.
 * From the sources under test: in a checkout `bin/hgbr.js` runs the sources, never a `dist/` build.
 */
export function runHgbr(args: string[], env: Record<string, string> = {}): Promise<CliResult> & { child: ChildProcess } {
  const child = spawn(process.execPath, [HGBR, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return Object.assign(result, { child });
}

/** Polls until `condition` holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
