/**
 * Writing reports without ever leaving half of them: every file is written next to its destination
 * under a temporary name first, and only renamed into place once all of them are complete.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface OutputFile {
  path: string;
  content: string;
  /** Flag or setting that named the path, for error messages. */
  source: string;
}

export function writeOutputsAtomically(files: readonly OutputFile[]): void {
  const written: string[] = [];
  try {
    for (const file of files) {
      const temp = path.join(path.dirname(file.path), `.${path.basename(file.path)}.${process.pid}.tmp`);
      try {
        mkdirSync(path.dirname(file.path), { recursive: true });
        writeFileSync(temp, file.content);
      } catch (error) {
        throw new UsageError(
          `${file.source} ${file.path}: cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
      written.push(temp);
    }
    files.forEach((file, i) => renameSync(written[i], file.path));
  } catch (error) {
    for (const temp of written) rmSync(temp, { force: true });
    throw error;
  }
}
