/** What a running scenario tells the terminal (and a live soak's page, /leaks and /metrics) as it goes. */
import type { Sample } from './sample.js';

export type Phase = 'starting' | 'warmup' | 'measuring' | 'attributing' | 'done';

export interface Progress {
  scenario: string;
  phase: Phase;
  /** Iterations done so far (warm-up included). */
  iteration: number;
  /** Iterations the measured part will end at (null for a time-based scenario). */
  goal: number | null;
  elapsedMs: number;
  /** Heap now minus heap at the start of the measured part (bytes), when known. */
  heapGrowth: number | null;
  /** Iterations per second, recent. */
  rate: number | null;
  /** The whole target tree's processes, RSS and CPU, read about once a second (null until known). */
  tree: TreeUsage | null;
  /** The sample round taken just before (one per measured process), for a live soak; absent otherwise. */
  round?: readonly Sample[];
  /** The first measured iteration, once warm-up has ended (null before). */
  measuredFrom?: number | null;
}

/** The whole target tree at one reading. */
export interface TreeUsage {
  /** Processes in the tree, the root included. */
  processes: number;
  /** Resident set size summed over the tree, bytes. */
  rssBytes: number;
  /** CPU summed over the tree, percent of one core since the previous reading (may exceed 100). */
  cpuPercent: number;
}
