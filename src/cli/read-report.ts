/** Reads and validates a saved JSON report for `report`, `compare` and `merge` (every problem: exit 2). */
import { readFileSync } from 'node:fs';
import type { Report } from '../model/report.js';
import { validateReport } from '../report/validate.js';
import { UsageError } from '../errors.js';

/** The report in `file` (as the user typed it; messages name it that way), validated. */
export function readReportFile(file: string): Report {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a JSON report'
          : code === 'EACCES'
            ? 'permission denied'
            : (code ?? (error as Error).message);
    throw new UsageError(`${file}: cannot be read (${why})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(
      `${file}: not valid JSON (${(error as Error).message}); expected a heapgate JSON report (--format json)`,
    );
  }
  return validateReport(value, file);
}
