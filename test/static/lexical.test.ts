import { describe, expect, it } from 'vitest';
import {
  bracketBalance,
  closingBracket,
  escapeRegExp,
  scanCode,
  splitTopLevel,
  stringEnd,
  stripComment,
  topLevelIndexOf,
} from '../../src/static/lexical.js';

describe('the lexical scanner', () => {
  it('finds the matching bracket past strings, comments and nested brackets', () => {
    const code = 'f(a, "x)", [1, (2)], # )\n b)';
    expect(closingBracket(code, 1)).toBe(code.length - 1);
    expect(closingBracket('f(a, (b)', 1)).toBe(-1);
  });

  it('skips triple-quoted strings with quotes and escapes inside', () => {
    const code = `x = """a "b" \\""" c""" + ')'`;
    expect(stringEnd(code, 4)).toBe(code.indexOf(' +'));
    expect(bracketBalance(code)).toBe(0);
  });

  it('ends an unterminated one-line string at its line', () => {
    expect(stringEnd('"abc\n(', 0)).toBe(4);
    expect(bracketBalance('"abc\n(')).toBe(1);
  });

  it('splits at top-level separators only', () => {
    expect(splitTopLevel('str, Query(max_length=3, d="a,b"), x', ',')).toEqual([
      'str',
      'Query(max_length=3, d="a,b")',
      'x',
    ]);
    expect(splitTopLevel('A | list[B | C] | None', '|')).toEqual(['A', 'list[B | C]', 'None']);
    expect(splitTopLevel('', ',')).toEqual([]);
  });

  it('strips a comment but not a # inside a string', () => {
    expect(stripComment('x = "#no"  # yes')).toBe('x = "#no"  ');
    expect(stripComment("y = '#'")).toBe("y = '#'");
  });

  it('finds a top-level character and stops where visit says', () => {
    expect(topLevelIndexOf('a: Dict[str, int] = {}', '=')).toBe(18);
    const seen: number[] = [];
    expect(scanCode('(a)(b)', (ch, depth, at) => (seen.push(depth), ch === 'b' && at > 0))).toBe(4);
    expect(seen).toEqual([0, 1, 1, 0, 1]);
  });

  it('escapes regular-expression characters', () => {
    expect(new RegExp(escapeRegExp('a.b(c)*')).test('xa.b(c)*y')).toBe(true);
    expect(new RegExp(escapeRegExp('a.b')).test('axb')).toBe(false);
  });

  it('handles a megabyte of nested brackets and strings', () => {
    const code = '(' + '"x)", [1, {2: (3)}], '.repeat(50_000) + ')';
    expect(closingBracket(code, 0)).toBe(code.length - 1);
    expect(splitTopLevel(code.slice(1, -1), ',')).toHaveLength(100_000);
  });
});
