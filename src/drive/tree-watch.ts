/**
 * The target tree's usage (processes, RSS, CPU) read at most once a second, one reading in flight at a
 * time, off the measurement's path (nothing awaits it), and the figures the report sums up.
 */
import type { TargetProcess } from '../service/process.js';
import type { TreeUsage } from '../model/progress.js';
import type { TreeSummary } from '../model/report.js';

export class TreeWatch {
  latest: TreeUsage | null = null;
  private polledAt = 0;
  private inFlight = false;
  private processes = 0;
  private rssPeak = 0;
  private cpuTotal = 0;
  private cpuReadings = 0;
  private primed = false;
  private pending: Promise<void> = Promise.resolve();

  poll(target: TargetProcess, now: number): void {
    if (this.inFlight || now - this.polledAt < 1000) return;
    void this.read(target, now);
  }

  /** One more reading (after any in flight) before the target stops, so even a short run has a CPU interval. */
  async finalReading(target: TargetProcess): Promise<void> {
    await this.pending;
    await this.read(target, Date.now());
  }

  private read(target: TargetProcess, now: number): Promise<void> {
    this.inFlight = true;
    this.polledAt = now;
    this.pending = target
      .usage()
      .then((usage) => {
        if (!usage) return;
        this.processes = Math.max(this.processes, usage.processes);
        this.rssPeak = Math.max(this.rssPeak, usage.rssBytes);
        // CPU is measured between readings: the first one only starts the clock.
        if (this.primed) {
          this.latest = usage;
          this.cpuTotal += usage.cpuPercent;
          this.cpuReadings++;
        }
        this.primed = true;
      })
      .catch(() => {})
      .finally(() => (this.inFlight = false));
    return this.pending;
  }

  summary(): TreeSummary | null {
    if (!this.cpuReadings) return null;
    return {
      processes: this.processes,
      rssPeakBytes: this.rssPeak,
      cpuPercent: Math.round((this.cpuTotal / this.cpuReadings) * 10) / 10,
    };
  }
}
