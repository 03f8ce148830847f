/**
 * Import aliases read from the text, for the lexical pre-pass (triggers run before anything is parsed):
 * `from threading import Thread as Worker` makes `Worker` a word the rule must look for.
 */
import type { ScanFacts } from '../rule.js';

const ALIAS = /\b([A-Za-z_]\w*)\s+as\s+([A-Za-z_]\w*)/g;

/**
 * Module-level compound statements holding imports (`try: import ujson as json / except ImportError:`).
 * The import table is built from the parsed statements only, so these must be parsed for names to
 * resolve the same way with and without the pre-scan. Defs and classes are left out: their local
 * imports do not affect module-level names.
 */
export function nestedImports(text: string): boolean {
  return !/^(?:async\s+def|def|class|@)/.test(text) && /^[ \t]+(?:import|from)[ \t]/m.test(text);
}

/**
 * Local names that imports give to any of `words` (`from threading import Thread as Worker`),
 * including imports nested in module-level `try`/`if` statements, which the engine's own alias
 * scan (import statements only) does not see.
 */
export function importAliases(facts: ScanFacts, words: readonly string[]): string[] {
  const { source, blocks } = facts;
  const known = new Set(words);
  const aliases: string[] = [];
  for (const block of blocks) {
    const text = source.slice(block.start, block.end);
    if (block.head !== 'import' && block.head !== 'from' && !nestedImports(text)) continue;
    ALIAS.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = ALIAS.exec(text))) {
      if (known.has(match[1]) && !known.has(match[2])) {
        known.add(match[2]);
        aliases.push(match[2]);
      }
    }
  }
  return aliases;
}
