import { HgbrError } from '../errors';
import type { GraphRef } from '../workflow/graph-ref';
import type { GraphMode } from '../hugegraph';

import { MODE_METRICS } from './metric-names';

export { MODE_METRICS };

export interface GraphModeCheck {
  readonly graph: GraphRef;
  readonly mode?: GraphMode;
  /** Mode is not NONE and no running restore targets this graph. */
  readonly leftInMode: boolean;
  readonly error?: string;
}

export interface GraphModeDeps {
  readonly graphs: readonly GraphRef[];
  readonly getMode: (graph: GraphRef) => Promise<GraphMode>;
  /** Targets of the restore executions running now. */
  readonly runningRestoreTargets: () => Promise<GraphRef[]>;
}

/**
 * A restore sets its target to RESTORING or MERGING and puts NONE back at the end, on a caught
 * error, and from the execution-status rule. If all three miss (the reset itself failed, the
 * server was down), the graph stays in that mode and refuses ordinary writes. This check reads
 * every watched graph's mode; one not in NONE while no restore execution targets it is "left in
 * restore mode". The running restores are read only when some graph is not in NONE.
 */
export async function checkGraphModes(deps: GraphModeDeps): Promise<GraphModeCheck[]> {
  const modes = await Promise.all(
    deps.graphs.map(async (graph) => {
      try {
        return { graph, mode: await deps.getMode(graph) };
      } catch (error) {
        return { graph, error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    }),
  );
  const busy = modes.some((m) => m.mode !== undefined && m.mode !== 'NONE') ? await deps.runningRestoreTargets() : [];
  return modes.map((m) => ({ ...m, leftInMode: m.mode !== undefined && m.mode !== 'NONE' && !busy.some((t) => sameGraph(t, m.graph)) }));
}

export function graphKey(graph: GraphRef): string {
  return `${graph.url.replace(/\/+$/, '')}/${graph.graphspace ? `${graph.graphspace}/` : ''}${graph.graph}`;
}

function sameGraph(a: GraphRef, b: GraphRef): boolean {
  return graphKey(a) === graphKey(b);
}

/** One datum per graph (dimension Graph) and one without dimension, the maximum, for the alarm. */
export function modeMetricData(checks: readonly GraphModeCheck[], timestamp: Date) {
  const checked = checks.filter((c) => c.error === undefined);
  const datum = (value: number, graph?: GraphRef) => ({
    MetricName: MODE_METRICS.leftInMode,
    Timestamp: timestamp,
    Value: value,
    Unit: 'Count' as const,
    ...(graph ? { Dimensions: [{ Name: MODE_METRICS.dimension, Value: graphKey(graph) }] } : {}),
  });
  if (checked.length === 0) return [];
  return [...checked.map((c) => datum(c.leftInMode ? 1 : 0, c.graph)), datum(checked.some((c) => c.leftInMode) ? 1 : 0)];
}

/** Some watched graph's mode could not be read; fails the check so its Errors alarm fires. */
export class GraphModesUnreadableError extends HgbrError {
  static override readonly code = 'GraphModesUnreadableError';
  static override readonly hint = "see the check's log for each graph's error; is the server up and the secret right?";

  constructor(failed: readonly GraphModeCheck[]) {
    super(`could not read the mode of ${failed.map((c) => `${graphKey(c.graph)} (${c.error})`).join(', ')}`);
  }
}
