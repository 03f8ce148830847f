/**
 * The per-tree walk index (static/node-index.ts) must answer exactly as tree-sitter's own
 * `descendantsOfType` does, for every node of a tree: same nodes, same order, the node itself included.
 * Checked on the fixtures' Python files and on trees with syntax errors (zero-width MISSING nodes) and
 * nodes that share their range with a parent (`f()` as a statement).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { descendantsOfTypes } from '../../src/static/node-index.js';
import { parsePython, pythonParser } from '../../src/static/parse.js';
import { scanSource, toRanges } from '../../src/static/prescan.js';

const TYPE_SETS: (string | string[])[] = [
  'identifier',
  'call',
  'function_definition',
  ['function_definition', 'lambda', 'class_definition'],
  ['expression_statement', 'call'],
  ['block', 'identifier'],
  ['assignment', 'subscript', 'call', 'comparison_operator'],
  ['import_statement', 'import_from_statement'],
  ['augmented_assignment', 'assignment'],
  'ERROR',
];

const SNIPPETS = [
  'f()\ng(h())\n',
  'def f(:\n    pass\n\ndef later(x={}):\n    return x\n',
  'items = compute(1,\n',
  'class A:\n    def m(self):\n        return [x for x in self.y if x]\n',
  'if x\n    y = 1\n',
  'with open(p) as f:\n    data = f.read(\n',
  'lambda: (yield)\n',
  '',
];

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pythonFiles(abs));
    else if (entry.name.endsWith('.py')) out.push(abs);
  }
  return out.sort();
}

function everyNode(root: Node): Node[] {
  const out: Node[] = [];
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    out.push(node);
    for (const child of node.children) if (child) stack.push(child);
  }
  return out;
}

const ids = (nodes: readonly (Node | null)[]) => nodes.filter((n) => n !== null).map((n) => n.id);

describe('descendantsOfTypes', () => {
  it('answers as descendantsOfType does for every node, once its index is built', async () => {
    const parser = await pythonParser();
    const here = path.dirname(new URL(import.meta.url).pathname);
    const sources = [
      ...SNIPPETS,
      ...pythonFiles(path.join(here, '..', 'fixtures')).map((f) => readFileSync(f, 'utf8')),
    ];
    let compared = 0;
    let indexed = 0;
    for (const source of sources) {
      const { blocks, quietRuns } = scanSource(source);
      // The whole file, and for the snippets a partial parse as the engine makes one (every other
      // top-level statement).
      const partial = blocks.filter((_, i) => i % 2 === 0);
      const trees = [parsePython(parser, source)];
      if (partial.length && source.length <= 400)
        trees.push(parsePython(parser, source, toRanges(partial, quietRuns)));
      for (const tree of trees) {
        // Every node of the snippets; every fifth of the fixtures' (the native answer is the slow part).
        const all = everyNode(tree.rootNode);
        const nodes = source.length > 400 ? all.filter((_, i) => i % 5 === 0) : all;
        for (const types of TYPE_SETS) {
          // Asking for the root twice pushes the walks past one whole tree: the index is built.
          descendantsOfTypes(tree.rootNode, types);
          descendantsOfTypes(tree.rootNode, types);
          for (const node of nodes) {
            const expected = ids(node.descendantsOfType(types));
            const got = ids(descendantsOfTypes(node, types));
            expect(got, `${JSON.stringify(types)} under ${node.type}@${node.startIndex}`).toEqual(expected);
            compared++;
            if (expected.length) indexed++;
          }
        }
        tree.delete();
      }
    }
    expect(compared).toBeGreaterThan(5_000);
    expect(indexed).toBeGreaterThan(500);
    // Thousands of native walks to compare with: slow on a loaded machine, never on the analysis' path.
  }, 240_000);
});
