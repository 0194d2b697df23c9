import { MESSAGES, type Notify } from '../functions/workflow/messages';
import { formatBytes, formatDuration, type Output } from './output';

const count = (n: number) => n.toLocaleString('en');

/**
 * How far a run is against a total known in advance (the plan's work items, the manifest's
 * elements or files): "x of N unit (p %), rate, ETA". Without a total, the count and the rate.
 */
export class Tally {
  private readonly started = Date.now();
  done = 0;

  /** `unit` follows each amount; `format` writes one (formatBytes carries its own unit: give ''). */
  constructor(
    private readonly unit: string,
    public total?: number,
    private readonly format: (n: number) => string = count,
  ) {}

  add(n: number): void {
    this.done += n;
  }

  private amount(n: number): string {
    return this.unit ? `${this.format(n)} ${this.unit}` : this.format(n);
  }

  private perSecond(): number {
    return this.done / Math.max((Date.now() - this.started) / 1000, 0.001);
  }

  rate(): string {
    return `${this.amount(Math.round(this.perSecond()))}/s`;
  }

  /** Without the rate where it says little (work items a second). */
  describe(withRate = true): string {
    const rate = withRate ? `, ${this.rate()}` : '';
    if (!this.total) return `${this.amount(this.done)}${rate}`;
    const share = Math.min(this.done / this.total, 1);
    const perSecond = this.perSecond();
    const eta = perSecond > 0 && share < 1 ? `, ETA ${formatDuration(Math.round(((this.total - this.done) / perSecond) * 1000))}` : '';
    return `${this.format(this.done)} of ${this.amount(this.total)} (${Math.floor(share * 100)} %)${rate}${eta}`;
  }
}

/**
 * A backup's messages as a person sees them: running totals, and the work items (key ranges or
 * labels) done against the plan's; no label name, since several are exported at once.
 */
export function backupProgress(output: Output): Notify {
  let vertices = 0;
  let edges = 0;
  let bytes = 0;
  let items = new Tally('key ranges');
  const elements = new Tally('elements');
  const line = () => `backing up: ${count(vertices)} vertices, ${count(edges)} edges, ${formatBytes(bytes)}, ${elements.rate()}; ${items.describe(false)}`;
  return (message) => {
    if (MESSAGES.backupPlanned.is(message)) items = new Tally(message.data.readPath === 'scan' ? 'key ranges' : 'labels', message.data.workItems);
    if (MESSAGES.workItemExported.is(message)) {
      items.add(1);
      return output.progress(line, true);
    }
    if (!MESSAGES.pageExported.is(message)) return output.notify(message);
    const page = message.data;
    if (page.kind === 'vertex') vertices += page.elements;
    else edges += page.elements;
    bytes += page.bytes;
    elements.add(page.elements);
    output.progress(line);
  };
}

/**
 * A restore's messages as a person sees them: elements and files restored against the plan's (less
 * what an earlier attempt restored; a file done is a milestone), then, with --verify-target, labels
 * counted against the labels.
 */
export function restoreProgress(output: Output): Notify {
  const elements = new Tally('elements');
  const files = new Tally('files');
  let labels: Tally | undefined;
  const line = () => `restoring: ${elements.describe()}; ${files.describe(false)}`;
  return (message) => {
    if (MESSAGES.restorePlanned.is(message)) {
      const { elements: total, elementsDone } = message.data;
      elements.total = total === null ? undefined : total - elementsDone;
      files.total = message.data.files - message.data.filesDone;
    }
    if (MESSAGES.batchRestored.is(message)) {
      elements.add(message.data.elements);
      return output.progress(line);
    }
    if (MESSAGES.fileRestored.is(message)) {
      files.add(1);
      return output.progress(line, true);
    }
    if (MESSAGES.labelCounted.is(message)) {
      labels ??= new Tally('labels', message.data.labels);
      labels.add(1);
      return output.progress(() => `counting on the target: ${(labels as Tally).describe()}`, true);
    }
    output.notify(message);
  };
}

/** `hgbr verify`: bytes read against the manifest's, and files. */
export function verifyProgress(output: Output): Notify {
  let bytes: Tally | undefined;
  let files = 0;
  return (message) => {
    if (!MESSAGES.fileVerified.is(message)) return output.notify(message);
    bytes ??= new Tally('', message.data.totalBytes, formatBytes);
    bytes.add(message.data.bytes);
    files++;
    output.progress(() => `verifying: ${files} of ${message.data.files} files, ${(bytes as Tally).describe()}`);
  };
}
