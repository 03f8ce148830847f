/**
 * Live progress of a soak on stderr: one line rewritten in place on a terminal, plain lines at most every
 * few seconds (and at every phase change) otherwise, so CI logs stay readable.
 */
import { formatBytes } from '../units.js';
import type { Phase, Progress } from '../model/progress.js';

const PLAIN_EVERY_MS = 5000;
const BAR = 24;

export class ProgressPrinter {
  private lastPhase: Phase | null = null;
  private lastScenario: string | null = null;
  private lastPlainAt = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {}

  update(p: Progress): void {
    const changed = p.phase !== this.lastPhase || p.scenario !== this.lastScenario;
    this.lastPhase = p.phase;
    this.lastScenario = p.scenario;
    const line = describe(p);
    if (this.stream.isTTY) {
      const width = (this.stream.columns ?? 100) - 1;
      this.stream.write(`\r\x1b[K${line.slice(0, width)}`);
      this.drawn = true;
      if (p.phase === 'done') this.finishLine();
      return;
    }
    const now = Date.now();
    if (changed || now - this.lastPlainAt >= PLAIN_EVERY_MS) {
      this.stream.write(`${line}\n`);
      this.lastPlainAt = now;
    }
  }

  /** Ends the in-place line before something else is printed. */
  finishLine(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

function describe(p: Progress): string {
  const seconds = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  const rate = p.rate ? `, ${Math.round(p.rate)}/s` : '';
  const growth =
    (p.heapGrowth === null ? '' : `, heap ${p.heapGrowth >= 0 ? '+' : ''}${formatBytes(p.heapGrowth)}`) +
    (p.tree ? `, target CPU ${Math.round(p.tree.cpuPercent)}%` : '');
  switch (p.phase) {
    case 'starting':
      return `heapgate: ${p.scenario}: starting the target…`;
    case 'warmup':
      return `heapgate: ${p.scenario}: warming up, ${p.iteration} iterations (${seconds}${rate})`;
    case 'measuring': {
      if (p.goal === null)
        return `heapgate: ${p.scenario}: ${p.iteration} iterations (${seconds}${rate}${growth})`;
      const share = Math.min(1, p.iteration / p.goal);
      const filled = Math.round(share * BAR);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}]`;
      return `heapgate: ${p.scenario}: ${bar} ${p.iteration}/${p.goal} (${seconds}${rate}${growth})`;
    }
    case 'attributing':
      return `heapgate: ${p.scenario}: growth found, locating leak sites with full tracebacks…`;
    case 'done':
      return `heapgate: ${p.scenario}: done in ${seconds}`;
  }
}
