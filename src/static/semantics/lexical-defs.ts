/**
 * Definitions read from a file's text rather than its tree, so the answer does not depend on which
 * statements the pre-scan chose to parse: which defs and classes the file has, their parameter lists,
 * and the names its decorator lines use. Each index is built by one scan of the file (source-index.ts)
 * and answers every later question about any name.
 */
import { escapeRegExp } from '../lexical.js';
import { perSource } from './source-index.js';

const ASCII_NAME = /^[A-Za-z_]\w*$/;

/**
 * Every match of a global expression, also those starting inside an earlier match: the same positions
 * a per-name expression would have found, whatever the name.
 */
function* allMatches(source: string, pattern: RegExp): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source))) {
    yield match;
    pattern.lastIndex = match.index + 1;
  }
}

/** The first match per name (capture group 1) of a global expression. */
function firstByName(source: string, pattern: RegExp): Map<string, RegExpExecArray> {
  const first = new Map<string, RegExpExecArray>();
  for (const match of allMatches(source, pattern)) if (!first.has(match[1])) first.set(match[1], match);
  return first;
}

const DEF_PARAMETERS = Symbol('def parameters');

/** The text between the parentheses of the first `def <name>(…)` in the file, or null (R2's call form). */
export function firstDefParameters(source: string, name: string): string | null {
  if (!ASCII_NAME.test(name)) {
    return new RegExp(`\\bdef\\s+${name}\\s*\\(([^)]*)\\)`).exec(source)?.[1] ?? null;
  }
  const index = perSource(source, DEF_PARAMETERS, () => firstByName(source, /\bdef\s+(\w+)\s*\(([^)]*)\)/g));
  return index.get(name)?.[2] ?? null;
}

const CLASS_NAMES = Symbol('class names');

/** Whether the file defines `class <head>` (at any depth). */
export function definesClass(source: string, head: string): boolean {
  if (!ASCII_NAME.test(head)) return new RegExp(`^\\s*class\\s+${head}\\b`, 'm').test(source);
  const names = perSource(source, CLASS_NAMES, () => {
    const found = new Set<string>();
    for (const match of allMatches(source, /^\s*class\s+(\w+)/gm)) found.add(match[1]);
    return found;
  });
  return names.has(head);
}

export interface ClassHeader {
  /** Offset of the header line. */
  index: number;
  /** Its indentation, in characters. */
  indent: number;
  /** Offset just past the header line's text (before its newline). */
  end: number;
}

const CLASS_HEADERS = Symbol('class headers');

/** The first `class <name>…:` header line of the file. */
export function classHeader(source: string, name: string): ClassHeader | null {
  const header = (match: RegExpExecArray | null): ClassHeader | null =>
    match && { index: match.index, indent: match[1].length, end: match.index + match[0].length };
  if (!ASCII_NAME.test(name)) {
    const pattern = `^([ \\t]*)class[ \\t]+${escapeRegExp(name)}\\b[^\\n]*:[ \\t]*(?:#[^\\n]*)?$`;
    return header(new RegExp(pattern, 'm').exec(source));
  }
  const index = perSource(source, CLASS_HEADERS, () => {
    const found = new Map<string, RegExpExecArray>();
    const pattern = /^([ \t]*)class[ \t]+(\w+)\b[^\n]*:[ \t]*(?:#[^\n]*)?$/gm;
    for (const match of allMatches(source, pattern)) if (!found.has(match[2])) found.set(match[2], match);
    return found;
  });
  return header(index.get(name) ?? null);
}

export interface DefHeader {
  /** Indentation of the `def` line, in characters. */
  indent: number;
  /** Offset of the opening parenthesis of its parameters. */
  open: number;
}

const DEF_HEADERS = Symbol('def headers');

/** Every `def <name>(` (or `async def`) that starts a line, in file order. */
export function defHeaders(source: string, name: string): readonly DefHeader[] {
  const header = (match: RegExpExecArray): DefHeader => ({
    indent: match[1].length,
    open: match.index + match[0].length - 1,
  });
  if (!ASCII_NAME.test(name)) {
    const pattern = new RegExp(`^([ \\t]*)(?:async[ \\t]+)?def[ \\t]+${name}[ \\t]*\\(`, 'gm');
    return [...source.matchAll(pattern)].map(header);
  }
  const index = perSource(source, DEF_HEADERS, () => {
    const found = new Map<string, DefHeader[]>();
    for (const match of source.matchAll(/^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(/gm)) {
      const list = found.get(match[2]) ?? [];
      list.push(header(match));
      found.set(match[2], list);
    }
    return found;
  });
  return index.get(name) ?? [];
}

const DECORATOR_NAMES = Symbol('decorator names');

/**
 * The names decorator lines use: `@a.b.c(…)` uses `a`, `b` and `c` (`first` holds only `a`, what a
 * bare `@a` or `@a(…)` would be).
 */
function decoratorNames(source: string): { any: Set<string>; first: Set<string> } {
  return perSource(source, DECORATOR_NAMES, () => {
    const any = new Set<string>();
    const first = new Set<string>();
    for (const match of source.matchAll(/^[ \t]*@[ \t]*([\w.]+)/gm)) {
      const segments = match[1].split('.');
      first.add(segments[0]);
      for (const segment of segments) any.add(segment);
    }
    return { any, first };
  });
}

/** Some decorator line of the file has `name` in its dotted name (`@name`, `@registry.name(…)`, `@name.x`). */
export function usedInDecorator(source: string, name: string): boolean {
  if (!ASCII_NAME.test(name)) {
    return new RegExp(`^[ \\t]*@[ \\t]*(?:[\\w.]+\\.)?${name}\\b`, 'm').test(source);
  }
  return decoratorNames(source).any.has(name);
}

/** Some decorator line of the file starts with `name` itself (`@name`, `@name(…)`, `@name.attr`). */
export function usedAsDecorator(source: string, name: string): boolean {
  if (!ASCII_NAME.test(name)) return new RegExp(`^[ \\t]*@[ \\t]*${name}\\b`, 'm').test(source);
  return decoratorNames(source).first.has(name);
}

/**
 * The lines of an indented body starting at offset `from`, up to the first non-blank line indented
 * `indent` characters or less (and at most `limit` + 1 lines), joined again: a class's or def's body.
 */
export function indentedBody(source: string, from: number, indent: number, limit = Infinity): string {
  const lines: string[] = [];
  let start = from;
  for (;;) {
    const newline = source.indexOf('\n', start);
    const line = source.slice(start, newline === -1 ? source.length : newline);
    if (line.trim() && /^[ \t]*/.exec(line)![0].length <= indent) break;
    lines.push(line);
    if (lines.length > limit || newline === -1) break;
    start = newline + 1;
  }
  return lines.join('\n');
}
