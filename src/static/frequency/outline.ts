/**
 * A file's nesting read from its text: every logical line (brackets, strings, comments and backslash
 * continuations understood) with its indentation, its first keyword and the header it sits under, and
 * where the strings and comments are. The run-frequency pass reads the files that may call a flagged
 * function this way instead of parsing them: it needs only which def, class or loop holds a name, the
 * decorators above a def and the bases of a class.
 */
import { stringEnd } from '../lexical.js';
import { partitionPoint } from '../sorted.js';

export type LineHead =
  | 'def'
  | 'class'
  | 'decorator'
  | 'while'
  | 'for'
  | 'async for'
  | 'if'
  | 'with'
  | 'try'
  | 'import'
  | 'return'
  | 'other';

export interface LogicalLine {
  /** Offset of its first character and just past its last (continuation lines included). */
  start: number;
  end: number;
  /** Indentation in columns (a tab to the next multiple of 8). */
  indent: number;
  /** The header line this one is nested in (index into lines), -1 at module level. */
  parent: number;
  head: LineHead;
  /** The def's or class's name. */
  name: string | null;
}

export interface Outline {
  source: string;
  lines: LogicalLine[];
  /** Sorted [start, end) pairs of strings and comments, flattened. */
  quiet: number[];
  /** Offsets where physical lines start. */
  rows: number[];
}

const HEADS: [RegExp, LineHead][] = [
  [/^(?:async\s+)?def\s+(\w+)/, 'def'],
  [/^class\s+(\w+)/, 'class'],
  [/^@/, 'decorator'],
  [/^while\b/, 'while'],
  [/^async\s+for\b/, 'async for'],
  [/^for\b/, 'for'],
  [/^(?:if|elif|else)\b/, 'if'],
  [/^(?:async\s+)?with\b/, 'with'],
  [/^(?:try|except|finally)\b/, 'try'],
  [/^(?:import|from)\s/, 'import'],
  [/^return\b/, 'return'],
];

export function outlineOf(source: string): Outline {
  const lines: LogicalLine[] = [];
  const quiet: number[] = [];
  const n = source.length;
  const stack: number[] = [];
  let pos = 0;
  while (pos < n) {
    let indent = 0;
    while (pos < n) {
      const c = source.charCodeAt(pos);
      if (c === 32) indent++;
      else if (c === 9) indent += 8 - (indent % 8);
      else if (c !== 12) break;
      pos++;
    }
    if (pos >= n) break;
    const first = source.charCodeAt(pos);
    if (first === 10 || first === 13) {
      pos++;
      continue;
    }
    if (first === 35) {
      const nl = source.indexOf('\n', pos);
      const end = nl === -1 ? n : nl;
      quiet.push(pos, end);
      pos = end;
      continue;
    }
    const start = pos;
    let depth = 0;
    while (pos < n) {
      const c = source.charCodeAt(pos);
      if (c === 35) {
        const nl = source.indexOf('\n', pos);
        const end = nl === -1 ? n : nl;
        quiet.push(pos, end);
        pos = end;
        continue;
      }
      if (c === 34 || c === 39) {
        const end = stringEnd(source, pos);
        quiet.push(pos, end);
        pos = end;
        continue;
      }
      if (c === 92) {
        pos += 2;
        continue;
      }
      if (c === 10) {
        if (depth > 0) {
          pos++;
          continue;
        }
        break;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
      pos++;
    }
    let end = pos;
    while (end > start && /\s/.test(source[end - 1])) end--;
    const text = source.slice(start, Math.min(end, start + 120));
    let head: LineHead = 'other';
    let name: string | null = null;
    for (const [pattern, kind] of HEADS) {
      const match = pattern.exec(text);
      if (match) {
        head = kind;
        name = match[1] ?? null;
        break;
      }
    }
    while (stack.length && lines[stack[stack.length - 1]].indent >= indent) stack.pop();
    const parent = stack.length ? stack[stack.length - 1] : -1;
    lines.push({ start, end, indent, parent, head, name });
    stack.push(lines.length - 1);
  }
  const rows = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) rows.push(i + 1);
  return { source, lines, quiet, rows };
}

/** The logical line holding offset `at` (the last one starting at or before it), or -1. */
export function lineAt(outline: Outline, at: number): number {
  const { lines } = outline;
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].start <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The offset where 1-based `line` starts. */
export function offsetOfRow(outline: Outline, line: number): number {
  return outline.rows[Math.max(0, Math.min(line - 1, outline.rows.length - 1))];
}

/** The 1-based line of an offset. */
export function rowOf(outline: Outline, at: number): number {
  const { rows } = outline;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rows[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Whether offset `at` is inside a string or a comment. */
export function inQuiet(outline: Outline, at: number): boolean {
  const { quiet } = outline;
  let lo = 0;
  let hi = quiet.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (quiet[2 * mid + 1] <= at) lo = mid + 1;
    else if (quiet[2 * mid] > at) hi = mid - 1;
    else return true;
  }
  return false;
}

/** A logical line's text with its strings and comments blanked out (same length, same offsets). */
export function codeOf(outline: Outline, index: number): string {
  const line = outline.lines[index];
  const chars = outline.source.slice(line.start, line.end).split('');
  const { quiet } = outline;
  // The first string or comment that ends after the line starts (binary search: files have thousands).
  const lo = partitionPoint(quiet.length / 2, (i) => quiet[2 * i + 1] <= line.start);
  for (let q = 2 * lo; q < quiet.length; q += 2) {
    if (quiet[q + 1] <= line.start) continue;
    if (quiet[q] >= line.end) break;
    const from = Math.max(quiet[q], line.start) - line.start;
    const to = Math.min(quiet[q + 1], line.end) - line.start;
    for (let i = from; i < to; i++) if (chars[i] !== '\n') chars[i] = ' ';
  }
  return chars.join('');
}

/** The header lines holding line `index`, innermost first. */
export function ancestors(outline: Outline, index: number): number[] {
  const out: number[] = [];
  for (let p = outline.lines[index].parent; p !== -1; p = outline.lines[p].parent) out.push(p);
  return out;
}

/** The qualified name of a def or class line (`Class.method`, `outer.inner`), as the findings spell it. */
export function qualifiedNameOf(outline: Outline, index: number): string {
  const parts = [outline.lines[index].name ?? '?'];
  for (const p of ancestors(outline, index)) {
    const line = outline.lines[p];
    if ((line.head === 'def' || line.head === 'class') && line.name) parts.push(line.name);
  }
  return parts.reverse().join('.');
}

/** The innermost def holding line `index` (itself when it is a def), or -1. */
export function enclosingDef(outline: Outline, index: number): number {
  if (outline.lines[index].head === 'def') return index;
  for (const p of ancestors(outline, index)) if (outline.lines[p].head === 'def') return p;
  return -1;
}

/** The decorator lines right above a def or class line, top first. */
export function decoratorsOf(outline: Outline, index: number): number[] {
  const out: number[] = [];
  const indent = outline.lines[index].indent;
  for (let i = index - 1; i >= 0; i--) {
    const line = outline.lines[i];
    if (line.head !== 'decorator' || line.indent !== indent) break;
    out.unshift(i);
  }
  return out;
}

/** The def or class a decorator line decorates (the next line at its indentation that is not one). */
export function decoratedBy(outline: Outline, index: number): number {
  const indent = outline.lines[index].indent;
  for (let i = index + 1; i < outline.lines.length; i++) {
    const line = outline.lines[i];
    if (line.indent !== indent) return -1;
    if (line.head === 'def' || line.head === 'class') return i;
    if (line.head !== 'decorator') return -1;
  }
  return -1;
}

/** Every def and class line by qualified name (the first of each name). */
export function definitions(outline: Outline): Map<string, number> {
  const out = new Map<string, number>();
  outline.lines.forEach((line, i) => {
    if (line.head !== 'def' && line.head !== 'class') return;
    const name = qualifiedNameOf(outline, i);
    if (!out.has(name)) out.set(name, i);
  });
  return out;
}

/** The text of a line (at most `max` characters). */
export function textOf(outline: Outline, index: number, max = 400): string {
  const line = outline.lines[index];
  return outline.source.slice(line.start, Math.min(line.end, line.start + max));
}

/** The last line index nested under line `index` (itself when nothing is). */
export function blockEnd(outline: Outline, index: number): number {
  const indent = outline.lines[index].indent;
  let last = index;
  for (let i = index + 1; i < outline.lines.length; i++) {
    if (outline.lines[i].indent <= indent) break;
    last = i;
  }
  return last;
}
