import { MESSAGES, type Notify } from '../functions/workflow/messages';
import { formatBytes, type Output } from './output';

/** Elements per second since `started`. */
function rate(elements: number, started: number): string {
  return Math.round(elements / Math.max((Date.now() - started) / 1000, 0.001)).toLocaleString('en');
}

/** A backup's messages as a person sees them: a running total on the progress line, the rest as lines. */
export function backupProgress(output: Output): Notify {
  let vertices = 0;
  let edges = 0;
  let bytes = 0;
  const started = Date.now();
  return (message) => {
    if (!MESSAGES.pageExported.is(message)) return output.notify(message);
    const page = message.data;
    if (page.kind === 'vertex') vertices += page.elements;
    else edges += page.elements;
    bytes += page.bytes;
    output.progress(
      () =>
        `exporting ${page.kind} label ${page.label}: ${vertices.toLocaleString('en')} vertices, ${edges.toLocaleString('en')} edges, ${formatBytes(bytes)} read, ${rate(vertices + edges, started)} elements/s`,
    );
  };
}

/** A restore's messages as a person sees them: a running total on the progress line, the rest as lines. */
export function restoreProgress(output: Output): Notify {
  let elements = 0;
  const started = Date.now();
  return (message) => {
    if (!MESSAGES.batchRestored.is(message)) return output.notify(message);
    const batch = message.data;
    elements += batch.elements;
    output.progress(() => `restoring ${batch.kind} label ${batch.label}: ${elements.toLocaleString('en')} elements, ${rate(elements, started)} elements/s`);
  };
}
