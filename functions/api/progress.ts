import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { RESTORE_FILE_MAPS, RESTORE_TASKS } from '../workflow/task-names';

export type PhaseStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface PhaseProgress {
  readonly name: string;
  status: PhaseStatus;
  startedAt?: string;
  endedAt?: string;
  /** Distributed Map phases: files by state, from the map run. */
  files?: { total: number; succeeded: number; failed: number; running: number; pending: number };
  /** Internal: the map run to ask for file counts. */
  mapRunArn?: string;
}

/** The restore's phases in the order the machine runs them (infra/workflows/restore-workflow.ts). */
export const RESTORE_PHASES = [RESTORE_TASKS.plan, RESTORE_TASKS.prepare, RESTORE_FILE_MAPS.vertices, RESTORE_FILE_MAPS.edges, RESTORE_TASKS.verify, RESTORE_TASKS.finish] as const;

/**
 * Progress per phase from the parent execution's history: a phase runs from its StateEntered to
 * its StateExited event. A phase still open when the execution has ended, or when the reset after
 * a caught error has begun, failed there. ResetMode is listed only when it ran.
 */
export function phasesFromHistory(events: readonly HistoryEvent[], executionStatus: string): PhaseProgress[] {
  const phases = new Map<string, PhaseProgress>(RESTORE_PHASES.map((name) => [name, { name, status: 'pending' }]));
  let lastMap: PhaseProgress | undefined;
  for (const event of events) {
    const at = event.timestamp?.toISOString();
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    if (entered !== undefined && (phases.has(entered) || entered === RESTORE_TASKS.reset)) {
      if (!phases.has(entered)) phases.set(entered, { name: entered, status: 'pending' });
      const phase = phases.get(entered) as PhaseProgress;
      phase.status = 'running';
      phase.startedAt ??= at;
      if (event.type === 'MapStateEntered') lastMap = phase;
    } else if (exited !== undefined && phases.has(exited)) {
      const phase = phases.get(exited) as PhaseProgress;
      phase.status = 'succeeded';
      phase.endedAt = at;
    } else if (event.type === 'MapRunStarted' && lastMap && event.mapRunStartedEventDetails?.mapRunArn) {
      lastMap.mapRunArn = event.mapRunStartedEventDetails.mapRunArn;
    }
  }
  const ended = executionStatus !== 'RUNNING';
  const resetBegun = phases.has(RESTORE_TASKS.reset);
  for (const phase of phases.values()) {
    if (phase.status === 'running' && (ended || (resetBegun && phase.name !== RESTORE_TASKS.reset))) phase.status = 'failed';
  }
  return [...phases.values()];
}
