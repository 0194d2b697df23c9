import { HgbrError } from '../functions/errors';
import { MESSAGES, type Message } from '../functions/workflow/messages';

/** Messages that say what the command's result says. */
const COMPLETIONS = new Set([MESSAGES.backupCompleted.code, MESSAGES.restoreCompleted.code]);

/** Where progress, messages and errors go: a terminal when isTTY is true. */
export type TerminalStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/**
 * What a command tells its user. Results go to stdout (one JSON object with --json); progress and
 * errors go to stderr, and progress only when stderr is a terminal, so pipes and logs stay clean.
 */
export class Output {
  private lastProgressAt = 0;
  private progressShown = false;

  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: TerminalStream = process.stderr,
  ) {}

  /** A one-line status, redrawn in place at most ten times a second. */
  progress(line: string | (() => string)): void {
    if (!this.stderr.isTTY) return;
    const now = Date.now();
    if (now - this.lastProgressAt < 100) return;
    if (typeof line === 'function') line = line();
    this.lastProgressAt = now;
    const width = this.stderr.columns ?? 100;
    this.stderr.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
    this.progressShown = true;
  }

  /**
   * A coded message of a workflow or of the CLI: information as a line for a person (silent with
   * --json), a warning on stderr as `hgbr: warning: …` or, with --json, as one JSON object per line
   * (stdout stays one JSON object). Per-page progress is drawn by the commands as their progress
   * line, and completions are the command's result: neither is printed here.
   */
  notify(message: Message): void {
    if (message.level === 'debug' || COMPLETIONS.has(message.code)) return;
    this.clearProgress();
    if (this.json) {
      if (message.level !== 'info') this.stderr.write(`${JSON.stringify({ level: message.level, code: message.code, message: message.message, data: message.data })}\n`);
    } else if (message.level === 'info') {
      this.stderr.write(`${message.message}\n`);
    } else {
      this.stderr.write(`hgbr: ${message.level === 'warn' ? 'warning' : 'error'}: ${message.message}\n`);
    }
  }

  result(value: object, human: string): void {
    this.clearProgress();
    this.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
  }

  error(error: unknown): void {
    this.clearProgress();
    const known = HgbrError.isHgbrError(error);
    const code = known ? error.reportedCode : ((error as Error)?.name ?? 'Error');
    const message = (error as Error)?.message ?? String(error);
    const hint = known ? error.hint : undefined;
    if (this.json) {
      this.stdout.write(`${JSON.stringify({ ok: false, error: { code, message, hint } }, null, 2)}\n`);
    } else {
      this.stderr.write(`hgbr: ${code}: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
    }
  }

  private clearProgress(): void {
    if (this.progressShown) this.stderr.write('\r\x1b[2K');
    this.progressShown = false;
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
