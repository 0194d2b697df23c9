import type { GraphSize } from './graph';

/** What `npm run bench` was asked for (bench/run.ts parses it; see its HELP). */
export interface Options {
  sizes: GraphSize[];
  /** The scale-out graph, unless skipped. */
  scaleOut?: GraphSize;
  pageSize: number;
  readConcurrency: number;
  writeConcurrency: number;
  loadConcurrency: number;
  s3: boolean;
  restore: boolean;
  cpuProf: boolean;
  compiled: boolean;
  /** Set once compiled. */
  distDir?: string;
  nodeOptions: string[];
  workerHeapMib: number;
  repeat: number;
  restoreConcurrency?: number;
  out: string | null;
  json?: string;
  keep: boolean;
  /** The server on CPU 0, everything else on the other CPUs (taskset), as when HugeGraph has its own host. */
  pin: boolean;
  stepTimeoutMs: number;
  hugegraphVersion?: string;
  heap?: string;
  toolsClasspath?: string;
  /** Where --cpu-prof profiles go (outside the work folder: kept). */
  profileDir: string;
}
