/**
 * Facts about a file's text computed once per file and reused by every rule and every candidate, so a
 * rule's lexical questions ("where else does this name appear?", "which line is this offset on?") cost
 * a lookup instead of another scan of the whole file. Keeping every analysis linear in the size of the
 * file and the number of findings depends on it (bench/static-scaling.js prints the curve).
 *
 * The memo holds the facts of the last file asked about: the engine analyses one file at a time per
 * thread, and a rule's check and trigger see the same source string.
 */
import { escapeRegExp } from '../lexical.js';
import { splitTopLevel, type SourceBlock } from '../prescan.js';
import { partitionPoint } from '../sorted.js';

let memoSource: string | null = null;
let memo = new Map<symbol, unknown>();

/** `compute()` for this source, once: later calls with the same source (and key) get the same value. */
export function perSource<T>(source: string, key: symbol, compute: () => T): T {
  // Equal text in another string object keeps the facts; remembering the newer object keeps the
  // comparison a pointer check (comparing two equal 8 MB strings on every call would be quadratic).
  if (memoSource !== source) memo = new Map();
  memoSource = source;
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute();
  memo.set(key, value);
  return value;
}

const BLOCKS = Symbol('blocks');
const LINE_STARTS = Symbol('line starts');
const WORDS = Symbol('words');
const ODD_WORDS = Symbol('non-ASCII words');

/** The file's top-level statements, as the pre-scan splits them. */
export function blocksOf(source: string): readonly SourceBlock[] {
  return perSource(source, BLOCKS, () => splitTopLevel(source));
}

/** The index of the block holding offset `at` (the first block ending after it), or blocks.length. */
export function blockIndexAt(blocks: readonly SourceBlock[], at: number): number {
  return partitionPoint(blocks.length, (i) => blocks[i].end <= at);
}

/** Offsets where lines start (after each `\n`), in order. */
function lineStarts(source: string): Int32Array {
  return perSource(source, LINE_STARTS, () => {
    let count = 1;
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) count++;
    const starts = new Int32Array(count);
    let k = 1;
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts[k++] = i + 1;
    return starts;
  });
}

/** The 0-based line of an offset (the number of `\n` before it). */
export function rowAt(source: string, at: number): number {
  const starts = lineStarts(source);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The offset its line starts at (just after the previous `\n`). */
export function lineStartAt(source: string, at: number): number {
  return lineStarts(source)[rowAt(source, at)];
}

const ASCII_NAME = /^[A-Za-z_]\w*$/;

/**
 * Names looked up one scan each before the whole file's words are indexed in one go: a file asking about
 * a few names (most) scans for just those; one asking about many pays for one index, whatever their number.
 */
const SCANS_BEFORE_INDEX = 32;

interface WordIndex {
  /** Occurrences of each name looked up so far. */
  asked: Map<string, number[]>;
  /** Every word of the file, once built. */
  all: Map<string, number[]> | null;
}

/**
 * Offsets of `name` as a whole word (a maximal run of `\w` characters, as a regular expression's `\b`
 * sees it), anywhere in the text: code, strings and comments alike. Empty for names that never occur.
 */
export function wordOccurrences(source: string, name: string): readonly number[] {
  if (!ASCII_NAME.test(name)) return oddWordOccurrences(source, name);
  const index = perSource<WordIndex>(source, WORDS, () => ({ asked: new Map(), all: null }));
  if (index.all) return index.all.get(name) ?? [];
  const asked = index.asked.get(name);
  if (asked) return asked;
  if (index.asked.size >= SCANS_BEFORE_INDEX) {
    index.all = allWords(source);
    return index.all.get(name) ?? [];
  }
  const found: number[] = [];
  const pattern = new RegExp(`\\b${name}\\b`, 'g');
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source))) found.push(match.index);
  index.asked.set(name, found);
  return found;
}

function allWords(source: string): Map<string, number[]> {
  const map = new Map<string, number[]>();
  const word = /\w+/g;
  let match: RegExpExecArray | null;
  while ((match = word.exec(source))) {
    const list = map.get(match[0]);
    if (list) list.push(match.index);
    else map.set(match[0], [match.index]);
  }
  return map;
}

/**
 * A name with characters outside `\w` (Python allows `café`): `\b` around it means what it meant to
 * the per-name expressions this index replaces, so they are asked directly, once per name.
 */
function oddWordOccurrences(source: string, name: string): readonly number[] {
  const cache = perSource(source, ODD_WORDS, () => new Map<string, number[]>());
  let found = cache.get(name);
  if (!found) {
    found = [];
    const pattern = new RegExp(`\\b${escapeRegExp(name)}\\b`, 'g');
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(source))) {
      found.push(match.index);
      if (match[0].length === 0) pattern.lastIndex++;
    }
    cache.set(name, found);
  }
  return found;
}

/**
 * Above this many words an alternation is tried word after word at every place one of them could
 * start (quadratic on a file with thousands of module-level names); a set lookup per word of the text
 * costs the same whatever the number of words, but more than a short alternation.
 */
const MAX_ALTERNATION = 200;

/**
 * A finder for the whole-word occurrences of `words`: it calls `visit` with each in `text`, in order,
 * until `visit` returns true. Linear in the text whatever the number of words.
 */
export function wordFinder(
  words: ReadonlySet<string>,
): (text: string, visit: (word: string, at: number) => boolean | void) => void {
  if (!words.size) return () => {};
  const plain = [...words].every((w) => /^\w+$/.test(w));
  const source =
    plain && words.size > MAX_ALTERNATION ? '\\w+' : `\\b(?:${[...words].map(escapeRegExp).join('|')})\\b`;
  const pattern = new RegExp(source, 'g');
  return (text, visit) => {
    pattern.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(text))) {
      if (words.has(match[0]) && visit(match[0], match.index) === true) return;
    }
  };
}
