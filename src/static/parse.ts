/** web-tree-sitter with the Python grammar shipped (as wasm) in the tree-sitter-python package. */
import { createRequire } from 'node:module';
import type { Parser, Tree } from 'web-tree-sitter';
import type { ParseRange } from './prescan.js';

const require = createRequire(import.meta.url);

let loading: Promise<Parser> | null = null;

/** One parser per thread, created on first use. */
export function pythonParser(): Promise<Parser> {
  loading ??= (async () => {
    // Imported on first use: a warm run (every file from the cache) never loads the parser's runtime.
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return loading;
}

/** Parses the whole source, or only the given ranges (positions stay those of the whole file). */
export function parsePython(parser: Parser, source: string, ranges?: ParseRange[]): Tree {
  // Feeding bounded slices keeps tree-sitter from copying the rest of a large file on every read.
  const input = (index: number) => source.slice(index, index + 16384);
  const tree = parser.parse(input, null, ranges ? { includedRanges: ranges } : undefined);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
