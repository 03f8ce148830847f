/**
 * Ctrl-C and SIGTERM during the dynamic phase: the first signal stops the current scenario at the end of
 * its block (the caller writes a partial report); a second one ends every target and exits at once.
 */
import { stopAllTargets } from '../service/process.js';
import type { CommandIO } from './io.js';

/** Exit code for a run stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export class Interruption {
  private readonly controller = new AbortController();
  stoppedBy: NodeJS.Signals | null = null;

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.stoppedBy) {
      void stopAllTargets().finally(() => process.exit(SIGNAL_EXIT[signal] ?? 130));
      return;
    }
    this.stoppedBy = signal;
    this.io.stderr.write(
      `\nheapgate: ${signal}: stopping after the current block; a partial report follows\n`,
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

  /** The exit code the signal calls for, or null when none came. */
  get exitCode(): number | null {
    return this.stoppedBy ? (SIGNAL_EXIT[this.stoppedBy] ?? 130) : null;
  }

  release(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
