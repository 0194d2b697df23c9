import { HgbrError } from '../functions/errors';
import { MESSAGES, type Message } from '../functions/workflow/messages';

/** Messages that say what the command's result says. */
const COMPLETIONS = new Set([MESSAGES.backupCompleted.code, MESSAGES.restoreCompleted.code]);

/** Where progress, messages and errors go: a terminal when isTTY is true. */
export type TerminalStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/** HGBR_PROGRESS_INTERVAL_S: seconds between progress lines when stderr is not a terminal (default 30). */
function plainIntervalMs(): number {
  const seconds = Number(process.env.HGBR_PROGRESS_INTERVAL_S);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}

/**
 * What a command tells its user. Results go to stdout (one JSON object with --json); progress and
 * errors go to stderr. On a terminal progress is one line redrawn in place; elsewhere (cron, CI)
 * it is a plain line at a fixed interval and at each milestone (a label or file done), so a log is
 * never silent for long and never flooded; with --json there is none.
 */
export class Output {
  private lastProgressAt = 0;
  private progressShown = false;
  private lastPlainAt = Date.now();
  private readonly plainEveryMs = plainIntervalMs();

  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: TerminalStream = process.stderr,
  ) {}

  /** A one-line status: redrawn in place at most ten times a second, or a plain line now and then. */
  progress(line: string | (() => string), milestone = false): void {
    if (!this.stderr.isTTY) {
      this.plainProgress(line, milestone);
      return;
    }
    const now = Date.now();
    if (now - this.lastProgressAt < 100) return;
    if (typeof line === 'function') line = line();
    this.lastProgressAt = now;
    const width = this.stderr.columns ?? 100;
    this.stderr.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
    this.progressShown = true;
  }

  private plainProgress(line: string | (() => string), milestone: boolean): void {
    const now = Date.now();
    if (this.json || (!milestone && now - this.lastPlainAt < this.plainEveryMs)) return;
    this.lastPlainAt = now;
    this.stderr.write(`${new Date(now).toISOString()} ${typeof line === 'function' ? line() : line}\n`);
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

  /** The command's result; with --json one object that also carries the exit status (cli/command.ts). */
  result(value: object, human: string, exitCode = 0): void {
    this.clearProgress();
    this.stdout.write(this.json ? `${JSON.stringify({ ...value, exitCode }, null, 2)}\n` : `${human}\n`);
  }

  /** The error a command ended with, once: its code, message and hint (with --json, and its exit status). */
  error(error: unknown, exitCode: number): void {
    this.clearProgress();
    const known = HgbrError.isHgbrError(error);
    const code = known ? error.reportedCode : ((error as Error)?.name ?? 'Error');
    const message = (error as Error)?.message ?? String(error);
    const hint = known ? error.hint : undefined;
    if (this.json) {
      this.stdout.write(`${JSON.stringify({ ok: false, exitCode, error: { code, message, hint } }, null, 2)}\n`);
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
