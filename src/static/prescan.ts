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

export function splitTopLevel(source: string): SourceBlock[] {
  const blocks: SourceBlock[] = [];
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
    const startsStatement =
      !continued &&
      depth === 0 &&
      first !== NEWLINE &&
      first !== CR &&
      first !== HASH &&
      !isIndent(first);

    if (startsStatement) {
      const lineText = source.slice(pos, Math.min(length, pos + 16));
      const joinsPrevious =
        current !== null && (decoratorPending || CONTINUATIONS.test(lineText));
      if (!joinsPrevious) {
        if (current) {
          current.end = lineStart;
          current.endRow = row;
          blocks.push(current);
        }
        const head =
          first === 64 /* @ */
            ? '@'
            : (HEAD.exec(lineText)?.[0].replace(/\s+def$/, ' def') ?? 'stmt');
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
        const triple =
          source.charCodeAt(pos + 1) === code && source.charCodeAt(pos + 2) === code;
        if (triple) {
          const close = findTripleEnd(source, pos + 3, code);
          row += countNewlines(source, pos, close);
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
    blocks.push(current);
  }
  return blocks;
}

/** Offset just past the closing triple quote, or the end of the source when it never closes. */
function findTripleEnd(source: string, from: number, quote: number): number {
  let pos = from;
  const length = source.length;
  while (pos < length) {
    const code = source.charCodeAt(pos);
    if (code === BACKSLASH) {
      pos += 2;
      continue;
    }
    if (
      code === quote &&
      source.charCodeAt(pos + 1) === quote &&
      source.charCodeAt(pos + 2) === quote
    ) {
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

function countNewlines(source: string, from: number, to: number): number {
  let count = 0;
  let at = source.indexOf('\n', from);
  while (at !== -1 && at < to) {
    count++;
    at = source.indexOf('\n', at + 1);
  }
  return count;
}

/** A range in the shape web-tree-sitter's `includedRanges` takes (character offsets, 0-based rows). */
export interface ParseRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

/** Merges the chosen blocks into as few contiguous ranges as possible. */
export function toRanges(blocks: readonly SourceBlock[]): ParseRange[] {
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
