/**
 * The lexical side of the resource rules, for their triggers: calls and bindings of the creation words,
 * their import aliases, and the names of the file's own functions that may be factories.
 */
import type { ScanFacts } from '../../rule.js';

/**
 * For a rule's `fileWords`: the names of the functions defined in statements that mention one of the
 * creation words, so the statements calling those (possible) factories get parsed too.
 */
export function factoryWords(
  facts: ScanFacts,
  words: readonly string[],
  test?: (text: string) => boolean,
): string[] {
  const mention = new RegExp(`\\b(?:${words.join('|')})\\b`);
  const names = new Set<string>();
  for (const block of facts.blocks) {
    const text = facts.source.slice(block.start, block.end);
    if (!mention.test(text) && !(test && test(text))) continue;
    if (!/\breturn\b/.test(text)) continue;
    // Only the defs whose own lines both create and return: a class of fifty methods with one
    // factory must not make all fifty names trigger words.
    for (const def of defSegments(text)) {
      if (/\breturn\b/.test(def.body) && (mention.test(def.body) || (test?.(def.body) ?? false))) {
        names.add(def.name);
      }
    }
  }
  return [...names];
}

/**
 * A test for one of the words called and bound by an assignment: `f = open(`, `conn = await db.connect(`.
 * The rules only flag resources bound to a name, so this is the necessary condition for a statement to
 * hold a finding (resources from the file's own factories come as fileWords instead).
 */
export function bindingOf(words: readonly string[]): (text: string) => boolean {
  const pattern = new RegExp(`(?:^|[^=!<>])=\\s*(?:await\\s+)?(?:[\\w.]+\\.)?(?:${words.join('|')})\\s*\\(`);
  return (text) => pattern.test(text);
}

/** Each `def` in a chunk of source with the lines of its body (up to the next line indented as little). */
export function defSegments(text: string): { name: string; body: string }[] {
  const out: { name: string; body: string }[] = [];
  const def = /^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/gm;
  let match: RegExpExecArray | null;
  while ((match = def.exec(text))) {
    const indent = match[1].length;
    const lineEnd = text.indexOf('\n', match.index);
    let end = text.length;
    const line = /^([ \t]*)(\S)/gm;
    line.lastIndex = lineEnd === -1 ? text.length : lineEnd + 1;
    let next: RegExpExecArray | null;
    while ((next = line.exec(text))) {
      if (next[2] !== '#' && next[1].length <= indent) {
        end = next.index;
        break;
      }
    }
    out.push({ name: match[2], body: text.slice(match.index, end) });
  }
  return out;
}

/** A test for a call of one of the words: `open(`, `.connect(`, `Session (`. */
export function callOf(words: readonly string[]): (text: string) => boolean {
  const pattern = new RegExp(`\\b(?:${words.join('|')})\\s*\\(`);
  return (text) => pattern.test(text);
}

/**
 * For a rule's `fileWords`, since its trigger is a `test` rather than `words`: local names the
 * creation words are imported as (`from io import open as io_open`) and the file's own factories.
 */
export function creationWords(
  facts: ScanFacts,
  words: readonly string[],
  test: (text: string) => boolean,
): string[] {
  const known = new Set(words);
  const out = new Set<string>();
  for (const block of facts.blocks) {
    const text = facts.source.slice(block.start, block.end);
    if (!/\bimport\b/.test(text)) continue;
    for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s+as\s+([A-Za-z_]\w*)/g))
      if (known.has(m[1])) out.add(m[2]);
  }
  const aliases = [...out];
  const mentions = aliases.length ? callOf(aliases) : null;
  for (const name of factoryWords(facts, words, (text) => test(text) || (mentions?.(text) ?? false))) {
    out.add(name);
  }
  return [...out];
}
