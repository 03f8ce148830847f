/**
 * Ctrl-C and SIGTERM during the dynamic phase. The first signal stops the run at once — the target
 * starting is not waited for, a block in flight ends — and the caller writes a partial report. A second
 * one kills every target on the spot, writes the partial report of what finished, and exits.
 */
import { killAllTargetsNow } from '../service/process.js';
import type { CommandIO } from './io.js';

/** Exit code for a run stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export class Interruption {
  private readonly controller = new AbortController();
  stoppedBy: NodeJS.Signals | null = null;
  private writePartial: (() => void) | null = null;

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.stoppedBy) {
      this.io.stderr.write(`\nheapgate: ${signal} again: ending the target now\n`);
      killAllTargetsNow();
      try {
        this.writePartial?.();
      } catch (error) {
        this.io.stderr.write(
          `heapgate: the partial report could not be written: ${(error as Error).message}\n`,
        );
      }
      process.exit(SIGNAL_EXIT[this.stoppedBy] ?? 130);
    }
    this.stoppedBy = signal;
    this.io.stderr.write(
      `\nheapgate: ${signal}: stopping; a partial report follows (again to end the target at once)\n`,
    );
    this.controller.abort(new Error(signal));
  };

  constructor(private readonly io: CommandIO) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** What a second signal writes before exiting: the report of what finished (synchronously). */
  onSecondSignal(write: () => void): void {
    this.writePartial = write;
  }

  /** The exit code the signal calls for, or null when none came. */
  get exitCode(): number | null {
    return this.stoppedBy ? (SIGNAL_EXIT[this.stoppedBy] ?? 130) : null;
  }

  release(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
