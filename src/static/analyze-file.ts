/** A file on disk → its FileResult: reading, size limit and decoding problems, then analyzeSource. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import { analyzeSource } from './analyze-source.js';
import { decodePython } from './decode.js';
import type { FileResult } from '../model/static.js';
import { codeKind } from './frequency/paths.js';
import { wordFilter } from './frequency/words.js';
import { ALL_RULES } from './rules/index.js';

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface AnalyzeFileOptions {
  maxFileBytes?: number;
  fullParse?: boolean;
}

export interface AnalyzedFile {
  result: FileResult;
  /** sha1 of the bytes analysed, for the cache; null when the file could not be read. */
  hash: string | null;
}

export function analyzeFile(
  parser: Parser,
  abs: string,
  rel: string,
  options: AnalyzeFileOptions = {},
): AnalyzedFile {
  const empty: FileResult = { file: rel, findings: [], suppressed: 0, routes: [], problems: [] };
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    empty.problems.push({
      kind: code === 'ELOOP' ? 'symlink-loop' : 'unreadable',
      file: rel,
      message: `cannot be read (${code}); skipped`,
    });
    return { result: empty, hash: null };
  }
  const hash = createHash('sha1').update(bytes).digest('hex');
  const limit = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (bytes.length > limit) {
    empty.problems.push({
      kind: 'too-large',
      file: rel,
      message: `is ${(bytes.length / 1048576).toFixed(1)} MB, over the ${(limit / 1048576).toFixed(0)} MB limit (max-file-size); skipped`,
    });
    return { result: empty, hash };
  }
  const decoded = decodePython(bytes);
  if (!decoded.ok) {
    empty.problems.push({ kind: decoded.kind, file: rel, line: decoded.line, message: decoded.message });
    return { result: empty, hash };
  }
  const result = analyzeSource(parser, decoded.text, {
    file: rel,
    rules: ALL_RULES,
    fullParse: options.fullParse,
  });
  // What the run-frequency pass searches for callers; tests and scripts never make service code run.
  if (!codeKind(rel)) result.words = wordFilter(decoded.text);
  return { result, hash };
}
