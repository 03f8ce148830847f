/**
 * A lexical pre-pass that splits a Python file into its top-level statements, so the parser only has to
 * build trees for the statements that can hold a finding (the way semgrep prefilters on literal strings,
 * one level finer). Parsing is most of the static phase's cost; on the standard library most top-level
 * statements mention nothing any rule looks for.
 *
 * The scan understands just enough Python to find where a top-level statement starts: brackets, string
 * literals (single, triple-quoted, any prefix), comments and backslash continuations. When it is unsure
 * (an unterminated bracket or string) the rest of the file becomes one block, which is always safe: a
 * bigger block is only parsed more often, never analysed less.
 */

export interface SourceBlock {
  /** Character offsets into the source, end exclusive. Blocks tile the file from the first statement. */
  start: number;
  end: number;
  startRow: number;
  endRow: number;
  /** First keyword-ish word of the statement (`def`, `class`, `import`, `@`, `if`, or `stmt`). */
  head: string;
  /** The file ends inside this statement (an open bracket or string): certainly a syntax error. */
  unterminated?: boolean;
}

const NEWLINE = 10;
const CR = 13;
const HASH = 35;
const BACKSLASH = 92;
const SQUOTE = 39;
const DQUOTE = 34;

/** Statements that continue the compound statement above them instead of starting a new one. */
const CONTINUATIONS = /^(?:else|elif|except|finally)\b/;
const HEAD = /^(?:async\s+def|def|class|import|from|if|try|for|while|with|async)\b/;

function isIndent(code: number): boolean {
  // space, tab, form feed, vertical tab
  return code === 32 || code === 9 || code === 12 || code === 11;
}

/**
 * A run of lines holding only comments and blank space, outside any bracket or string. tree-sitter-python's
 * scanner is quadratic in the length of such runs (it rescans the comments ahead for every line to decide
 * on indentation), so long runs are left out of the parse: they can never change what the code means.
 */
export interface QuietRun {
  start: number;
  end: number;
  startRow: number;
  endRow: number;
}

export interface SourceScan {
  blocks: SourceBlock[];
  quietRuns: QuietRun[];
}

/** Runs shorter than this cost tree-sitter nothing worth a range boundary. */
const MIN_QUIET_LINES = 8;

export function splitTopLevel(source: string): SourceBlock[] {
  return scanSource(source).blocks;
}

export function scanSource(source: string): SourceScan {
  const blocks: SourceBlock[] = [];
  const quietRuns: QuietRun[] = [];
  let quietStart = -1;
  let quietStartRow = 0;
  const length = source.length;
  let depth = 0;
  let row = 0;
  let pos = 0;
  let current: SourceBlock | null = null;
  let decoratorPending = false;
  // True when the previous physical line ended inside brackets, a string or after a backslash.
  let continued = false;

  while (pos < length) {
    const lineStart = pos;
    const first = source.charCodeAt(pos);
    if (!continued && depth === 0) {
      let j = pos;
      while (j < length && isIndent(source.charCodeAt(j))) j++;
      const c = j < length ? source.charCodeAt(j) : NEWLINE;
      const quiet = c === HASH || c === NEWLINE || c === CR;
      if (quiet && quietStart === -1) {
        quietStart = lineStart;
        quietStartRow = row;
      } else if (!quiet && quietStart !== -1) {
        if (row - quietStartRow >= MIN_QUIET_LINES) {
          quietRuns.push({ start: quietStart, end: lineStart, startRow: quietStartRow, endRow: row });
        }
        quietStart = -1;
      }
    }
    const startsStatement =
      !continued && depth === 0 && first !== NEWLINE && first !== CR && first !== HASH && !isIndent(first);

    if (startsStatement) {
      const lineText = source.slice(pos, Math.min(length, pos + 16));
      const joinsPrevious = current !== null && (decoratorPending || CONTINUATIONS.test(lineText));
      if (!joinsPrevious) {
        if (current) {
          current.end = lineStart;
          current.endRow = row;
          blocks.push(current);
        }
        const head =
          first === 64 /* @ */ ? '@' : (HEAD.exec(lineText)?.[0].replace(/\s+def$/, ' def') ?? 'stmt');
        current = { start: lineStart, end: length, startRow: row, endRow: row, head };
      }
      decoratorPending = first === 64;
    }

    // Scan the physical line (and any string literal that runs past it).
    continued = false;
    while (pos < length) {
      const code = source.charCodeAt(pos);
      if (code === NEWLINE) {
        pos++;
        row++;
        break;
      }
      if (code === HASH) {
        const nl = source.indexOf('\n', pos);
        pos = nl === -1 ? length : nl;
        continue;
      }
      if (code === SQUOTE || code === DQUOTE) {
        const triple = source.charCodeAt(pos + 1) === code && source.charCodeAt(pos + 2) === code;
        if (triple) {
          const close = findTripleEnd(source, pos + 3, code);
          row += crossedNewlines;
          pos = close;
          if (pos >= length) continued = true;
        } else {
          const close = findSingleEnd(source, pos + 1, code);
          if (escapedNewlines > 0) {
            row += escapedNewlines;
            escapedNewlines = 0;
          }
          pos = close;
        }
        continue;
      }
      if (code === BACKSLASH) {
        const next = source.charCodeAt(pos + 1);
        if (next === NEWLINE) {
          continued = true;
          pos += 2;
          row++;
          break;
        }
        if (next === CR && source.charCodeAt(pos + 2) === NEWLINE) {
          continued = true;
          pos += 3;
          row++;
          break;
        }
        pos++;
        continue;
      }
      if (code === 40 || code === 91 || code === 123) depth++;
      else if ((code === 41 || code === 93 || code === 125) && depth > 0) depth--;
      pos++;
    }
    if (depth > 0) continued = true;
  }
  if (current) {
    current.end = length;
    current.endRow = row;
    if (continued) current.unterminated = true;
    blocks.push(current);
  }
  if (quietStart !== -1 && row - quietStartRow >= MIN_QUIET_LINES) {
    quietRuns.push({ start: quietStart, end: length, startRow: quietStartRow, endRow: row });
  }
  return { blocks, quietRuns };
}

/** Newlines inside the last triple-quoted string `findTripleEnd` crossed. */
let crossedNewlines = 0;

/** Offset just past the closing triple quote, or the end of the source when it never closes. */
function findTripleEnd(source: string, from: number, quote: number): number {
  let pos = from;
  const length = source.length;
  crossedNewlines = 0;
  while (pos < length) {
    const code = source.charCodeAt(pos);
    if (code === NEWLINE) crossedNewlines++;
    else if (code === BACKSLASH) {
      if (source.charCodeAt(pos + 1) === NEWLINE) crossedNewlines++;
      pos += 2;
      continue;
    }
    if (code === quote && source.charCodeAt(pos + 1) === quote && source.charCodeAt(pos + 2) === quote) {
      return pos + 3;
    }
    pos++;
  }
  return length;
}

/** Backslash-newlines crossed by the last `findSingleEnd`, so the caller can keep its row count. */
let escapedNewlines = 0;

/** Offset just past the closing quote; an unterminated literal ends before the newline. */
function findSingleEnd(source: string, from: number, quote: number): number {
  let pos = from;
  const length = source.length;
  while (pos < length) {
    const code = source.charCodeAt(pos);
    if (code === BACKSLASH) {
      // A backslash-newline inside a single-quoted string continues it on the next line.
      if (source.charCodeAt(pos + 1) === NEWLINE) escapedNewlines++;
      pos += 2;
      continue;
    }
    if (code === quote) return pos + 1;
    if (code === NEWLINE) return pos;
    pos++;
  }
  return length;
}

/** A range in the shape web-tree-sitter's `includedRanges` takes (character offsets, 0-based rows). */
export interface ParseRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

/**
 * Merges the chosen blocks into as few contiguous ranges as possible, leaving out long runs of
 * comment-only lines.
 */
export function toRanges(blocks: readonly SourceBlock[], quietRuns: readonly QuietRun[] = []): ParseRange[] {
  const merged = mergeBlocks(blocks);
  if (!quietRuns.length) return merged;
  const ranges: ParseRange[] = [];
  let q = 0;
  for (const range of merged) {
    let start = range.startIndex;
    let startRow = range.startPosition.row;
    while (q < quietRuns.length && quietRuns[q].end <= start) q++;
    for (let k = q; k < quietRuns.length && quietRuns[k].start < range.endIndex; k++) {
      const run = quietRuns[k];
      if (run.start > start) {
        ranges.push(lineRange(start, startRow, run.start, run.startRow));
      }
      if (run.end > start) {
        start = run.end;
        startRow = run.endRow;
      }
    }
    if (start < range.endIndex) {
      ranges.push(lineRange(start, startRow, range.endIndex, range.endPosition.row));
    }
  }
  return ranges;
}

function lineRange(start: number, startRow: number, end: number, endRow: number): ParseRange {
  return {
    startIndex: start,
    endIndex: end,
    startPosition: { row: startRow, column: 0 },
    endPosition: { row: endRow, column: 0 },
  };
}

function mergeBlocks(blocks: readonly SourceBlock[]): ParseRange[] {
  const ranges: ParseRange[] = [];
  for (const block of blocks) {
    const last = ranges[ranges.length - 1];
    if (last && last.endIndex === block.start) {
      last.endIndex = block.end;
      last.endPosition = { row: block.endRow, column: 0 };
    } else {
      ranges.push({
        startIndex: block.start,
        endIndex: block.end,
        startPosition: { row: block.startRow, column: 0 },
        endPosition: { row: block.endRow, column: 0 },
      });
    }
  }
  return ranges;
}
