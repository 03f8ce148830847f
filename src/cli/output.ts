/**
 * The one way heapgate writes a report file. Two steps:
 *
 * - `prepareOutputs`, before any work starts: each destination must be absent or a regular file (a
 *   symbolic link, FIFO, device, socket or folder is refused, exit 2, and nothing is written anywhere),
 *   its folder is created if missing, and a probe file proves the folder writable — so an unwritable
 *   --output is found before a soak of an hour, not after it.
 * - `writeOutputsAtomically`, at the end: every file is written next to its destination under a fresh
 *   temporary name (created exclusively, so nothing planted there is followed) and renamed into place
 *   only once all of them are complete; the destinations are checked again just before.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface OutputTarget {
  path: string;
  /** Flag or setting that named the path, for error messages. */
  source: string;
}

export interface OutputFile extends OutputTarget {
  content: string;
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** What a non-regular file is, for the refusal message. */
function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Throws unless `target.path` is absent or a regular file (never follows a link to decide). */
function checkDestination(target: OutputTarget): void {
  let stats: Stats;
  try {
    stats = lstatSync(target.path);
  } catch (error) {
    // Missing, or under something that is not a folder (ensureFolder names it).
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return;
    throw new UsageError(`${target.source} ${target.path}: cannot be written (${code(error)})`);
  }
  if (stats.isFile()) return;
  const hint = stats.isDirectory() ? '; give a file name, or --output-dir for a folder' : '';
  throw new UsageError(
    `${target.source} ${target.path}: is ${kindOf(stats)}; heapgate only replaces regular files${hint}`,
  );
}

/**
 * Creates the folders missing above `file`, one level at a time (so an error names the level that
 * failed, and a path under /proc fails at once instead of looping).
 */
function ensureFolder(target: OutputTarget): string {
  const dir = path.dirname(target.path);
  const missing: string[] = [];
  let existing = dir;
  for (;;) {
    try {
      const stats = statSync(existing);
      if (!stats.isDirectory()) {
        throw new UsageError(`${target.source} ${target.path}: ${existing} is not a folder`);
      }
      break;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (code(error) !== 'ENOENT' || path.dirname(existing) === existing) {
        throw new UsageError(`${target.source} ${target.path}: cannot be written (${code(error)})`);
      }
      missing.unshift(existing);
      existing = path.dirname(existing);
    }
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if (code(error) === 'EEXIST' && statSync(folder).isDirectory()) continue;
      throw new UsageError(
        `${target.source} ${target.path}: cannot create the folder ${folder} (${code(error)})`,
      );
    }
  }
  return dir;
}

function tempPathFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** Creates `temp` exclusively (never through something already there) and writes `content` into it. */
function writeExclusive(temp: string, content: string): void {
  const fd = openSync(temp, 'wx', 0o644);
  try {
    const bytes = Buffer.from(content);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks every destination before any work starts (see the module comment): refuses what is not a
 * regular file, creates missing folders, and proves each folder writable with a probe file it removes.
 */
export function prepareOutputs(targets: readonly OutputTarget[]): void {
  const names = new Set<string>();
  for (const target of targets) {
    if (names.has(target.path)) {
      throw new UsageError(`${target.source} ${target.path}: named twice`);
    }
    names.add(target.path);
    checkDestination(target);
  }
  for (const target of targets) {
    ensureFolder(target);
    const probe = tempPathFor(target.path);
    try {
      writeExclusive(probe, '');
    } catch (error) {
      throw new UsageError(`${target.source} ${target.path}: cannot be written (${code(error)})`);
    }
    rmSync(probe, { force: true });
  }
}

export function writeOutputsAtomically(files: readonly OutputFile[]): void {
  for (const file of files) checkDestination(file);
  const written: string[] = [];
  try {
    for (const file of files) {
      const temp = tempPathFor(file.path);
      try {
        ensureFolder(file);
        writeExclusive(temp, file.content);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`${file.source} ${file.path}: cannot be written (${code(error)})`);
      }
      written.push(temp);
    }
    files.forEach((file, i) => {
      checkDestination(file);
      try {
        renameSync(written[i], file.path);
      } catch (error) {
        throw new UsageError(`${file.source} ${file.path}: cannot be written (${code(error)})`);
      }
    });
  } catch (error) {
    for (const temp of written) rmSync(temp, { force: true });
    throw error;
  }
}
