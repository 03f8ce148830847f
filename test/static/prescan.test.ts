import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discoverPythonFiles } from '../../src/static/discover.js';
import { pythonParser } from '../../src/static/parse.js';
import { splitTopLevel, toRanges } from '../../src/static/prescan.js';

function heads(source: string): string[] {
  return splitTopLevel(source).map((b) => source.slice(b.start, b.end).split('\n')[0]);
}

describe('splitTopLevel', () => {
  it('splits top-level statements and keeps bodies, comments and decorators with them', () => {
    const source = [
      '"""Doc."""',
      'import os',
      '',
      '@decorator',
      '@other(arg)',
      'def f(a,',
      '      b):',
      '# a comment at column 0 inside the body',
      '    return a',
      'class C:',
      '    x = 1',
      'if x:',
      '    pass',
      'elif y:',
      '    pass',
      'else:',
      '    pass',
      'try:',
      '    pass',
      'except E:',
      '    pass',
      'finally:',
      '    pass',
      'y = (1,',
      '2)',
      'z = 1 + \\',
      '2',
      '',
    ].join('\n');
    expect(heads(source)).toEqual([
      '"""Doc."""',
      'import os',
      '@decorator',
      'class C:',
      'if x:',
      'try:',
      'y = (1,',
      'z = 1 + \\',
    ]);
    const blocks = splitTopLevel(source);
    expect(blocks.map((b) => b.head)).toEqual(['stmt', 'import', '@', 'class', 'if', 'try', 'stmt', 'stmt']);
    expect(blocks[2].startRow).toBe(3);
    expect(blocks[3].startRow).toBe(9);
  });

  it('does not split inside strings, including triple-quoted and escaped quotes', () => {
    const source = [
      'x = """',
      'def not_a_def():',
      '"""',
      "y = 'it\\'s # not a comment ('",
      'z = f"{a!r} \\" ("',
      "w = r'\\''",
      'v = b"""a',
      "'''",
      'class K: pass',
      '"""',
      'def real(): pass',
    ].join('\n');
    expect(heads(source)).toEqual([
      'x = """',
      "y = 'it\\'s # not a comment ('",
      'z = f"{a!r} \\" ("',
      "w = r'\\''",
      'v = b"""a',
      'def real(): pass',
    ]);
  });

  it('keeps the rest of the file together after an unclosed bracket', () => {
    const source = 'a = 1\nb = foo(\ndef f():\n    pass\nc = 3\n';
    expect(heads(source)).toEqual(['a = 1', 'b = foo(']);
  });

  it('counts rows through backslash-continued single-quoted strings', () => {
    const source = "s = 'a\\\nb'\ndef f(): pass\n";
    const blocks = splitTopLevel(source);
    expect(blocks.map((b) => b.startRow)).toEqual([0, 2]);
  });

  it('merges adjacent blocks into one parse range', () => {
    const source = 'a = 1\nb = 2\nc = 3\n';
    const blocks = splitTopLevel(source);
    expect(toRanges([blocks[0], blocks[1]])).toEqual([
      {
        startIndex: 0,
        endIndex: 12,
        startPosition: { row: 0, column: 0 },
        endPosition: { row: 2, column: 0 },
      },
    ]);
    expect(toRanges([blocks[0], blocks[2]])).toHaveLength(2);
  });
});

describe('splitTopLevel on the Python standard library', () => {
  it('starts every block where tree-sitter starts a top-level statement', async () => {
    const stdlib = execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"])
      .toString()
      .trim();
    const files = discoverPythonFiles(stdlib, { exclude: ['test', 'lib2to3', 'idlelib'] }).files;
    // Every 7th file: a broad sample that keeps the test quick.
    const sample = files.filter((_, i) => i % 7 === 0);
    expect(sample.length).toBeGreaterThan(50);
    const parser = await pythonParser();
    let checked = 0;
    for (const file of sample) {
      const source = readFileSync(file.abs, 'utf8');
      const tree = parser.parse(source)!;
      if (tree.rootNode.hasError) {
        tree.delete();
        continue;
      }
      const statementStarts = new Set<number>();
      for (const child of tree.rootNode.namedChildren) {
        if (child && child.type !== 'comment') statementStarts.add(child.startIndex);
      }
      tree.delete();
      const blocks = splitTopLevel(source);
      for (const block of blocks) {
        expect(statementStarts.has(block.start), `${file.rel}: block at ${block.startRow + 1}`).toBe(true);
      }
      // Decorators and else/except clauses are merged, so blocks can only be fewer than statements.
      expect(blocks.length).toBeLessThanOrEqual(statementStarts.size);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });
});
