/**
 * Reading Python text without parsing it: one string- and comment-aware walk that knows the bracket depth,
 * and the few questions the rules and the route extractors ask of a piece of code with it (the matching
 * bracket, the top-level parts of an argument list, the code before a comment). The pre-scan
 * (prescan.ts) has its own, faster walk over whole files because it also tracks lines and blocks.
 *
 * Strings: '…', "…", '''…''', """…""" with backslash escapes (a prefix such as r, b or f is just a name
 * before the quote, and a raw string's `\'` still does not end it, as in Python). Comments run from `#`
 * outside a string to the end of the line.
 */

const OPEN = '([{';
const CLOSE = ')]}';

/**
 * Walks `code` from `from` outside strings and comments, calling `visit` with each character, the bracket
 * depth before it and its index; `visit` returning true stops the walk and gives that index (-1 when it
 * never does). Linear in the length walked.
 */
export function scanCode(
  code: string,
  visit: (ch: string, depth: number, at: number) => boolean | void,
  from = 0,
): number {
  let depth = 0;
  const n = code.length;
  for (let i = from; i < n; i++) {
    const ch = code[i];
    if (ch === '#') {
      const nl = code.indexOf('\n', i);
      if (nl === -1) return -1;
      i = nl - 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = stringEnd(code, i) - 1;
      continue;
    }
    if (visit(ch, depth, i) === true) return i;
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch)) depth--;
  }
  return -1;
}

/** Index just past the string literal whose opening quote is at `at` (the text's end when unterminated). */
export function stringEnd(code: string, at: number): number {
  const quote = code[at];
  const n = code.length;
  if (code[at + 1] === quote && code[at + 2] === quote) {
    for (let i = at + 3; i < n; i++) {
      if (code[i] === '\\') i++;
      else if (code[i] === quote && code[i + 1] === quote && code[i + 2] === quote) return i + 3;
    }
    return n;
  }
  for (let i = at + 1; i < n; i++) {
    const ch = code[i];
    if (ch === '\\') i++;
    else if (ch === quote) return i + 1;
    else if (ch === '\n') return i; // an unterminated one-line string ends with its line
  }
  return n;
}

/** Index of the bracket closing the one at `open` (-1 when it never closes). */
export function closingBracket(code: string, open: number): number {
  return scanCode(code, (ch, depth, at) => at > open && CLOSE.includes(ch) && depth === 1, open);
}

/** The parts of `code` between `separator`s at bracket depth 0 (trimmed; empty parts dropped). */
export function splitTopLevel(code: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  scanCode(code, (ch, depth, at) => {
    if (ch === separator && depth === 0) {
      parts.push(code.slice(start, at).trim());
      start = at + 1;
    }
  });
  parts.push(code.slice(start).trim());
  return parts.filter(Boolean);
}

/** Index of the first `ch` at bracket depth 0 outside strings and comments (-1 when none). */
export function topLevelIndexOf(code: string, ch: string): number {
  return scanCode(code, (c, depth) => c === ch && depth === 0);
}

/** The text before a `#` that is not inside a string. */
export function stripComment(line: string): string {
  const at = line.indexOf('#');
  if (at < 0) return line;
  let end = line.length;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '#') {
      end = i;
      break;
    }
    if (ch === '"' || ch === "'") i = stringEnd(line, i) - 1;
  }
  return line.slice(0, end);
}

/** Opening minus closing brackets outside strings and comments. */
export function bracketBalance(code: string): number {
  let balance = 0;
  scanCode(code, (ch) => {
    if (OPEN.includes(ch)) balance++;
    else if (CLOSE.includes(ch)) balance--;
  });
  return balance;
}

/** `text` as a literal inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
