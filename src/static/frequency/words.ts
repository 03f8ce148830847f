/**
 * A compact per-file index of the identifiers a file mentions (a Bloom filter, base64), built on the
 * worker thread while the file's source is in memory and cached with its result, so the run-frequency
 * pass can ask "which files could call `collect_metrics`?" without reading every file again. A false
 * "maybe" costs one file read; a "no" is always right.
 */
import { Buffer } from 'node:buffer';

/** Bits per character of source: about ten bits per distinct identifier in ordinary Python. */
const CHARS_PER_BIT = 6;
const MIN_BITS = 256;
const HASHES = 3;

function isStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}

function isPart(c: number): boolean {
  return isStart(c) || (c >= 48 && c <= 57);
}

/** FNV-1a over the UTF-16 code units of `word`, as the scan below computes it. */
function hashWord(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
  return h >>> 0;
}

function setBits(bits: Uint8Array, size: number, h: number): void {
  const step = (Math.imul(h, 0x9e3779b1) >>> 0) | 1;
  for (let k = 0; k < HASHES; k++) {
    const bit = ((h + Math.imul(k, step)) >>> 0) % size;
    bits[bit >> 3] |= 1 << (bit & 7);
  }
}

/** The file's identifiers (every maximal run of word characters starting with a letter or `_`). */
export function wordFilter(source: string): string {
  const size = Math.max(MIN_BITS, Math.ceil(source.length / CHARS_PER_BIT / 8) * 8);
  const bits = new Uint8Array(size >> 3);
  const n = source.length;
  let i = 0;
  while (i < n) {
    let c = source.charCodeAt(i);
    if (isStart(c)) {
      let h = 0x811c9dc5;
      do {
        h = Math.imul(h ^ c, 16777619);
        c = source.charCodeAt(++i);
      } while (i < n && isPart(c));
      setBits(bits, size, h >>> 0);
    } else if (c >= 48 && c <= 57) {
      // A number (or the digits of `1e5`, `0x1f`): never a name.
      do c = source.charCodeAt(++i);
      while (i < n && isPart(c));
    } else i++;
  }
  return Buffer.from(bits).toString('base64');
}

/** A word's probe, computed once and tried against many files' filters. */
export interface WordProbe {
  h: number;
  step: number;
}

export function probeOf(word: string): WordProbe {
  const h = hashWord(word);
  return { h, step: (Math.imul(h, 0x9e3779b1) >>> 0) | 1 };
}

/** The filter's bits (decode once per file and keep them). */
export function filterBits(filter: string): Uint8Array {
  return new Uint8Array(Buffer.from(filter, 'base64'));
}

/** Whether a file whose filter bits are `bits` may mention the probed word (false: it certainly does not). */
export function bitsMayMention(bits: Uint8Array, probe: WordProbe): boolean {
  const size = bits.length * 8;
  if (!size) return true;
  for (let k = 0; k < HASHES; k++) {
    const bit = ((probe.h + Math.imul(k, probe.step)) >>> 0) % size;
    if (!(bits[bit >> 3] & (1 << (bit & 7)))) return false;
  }
  return true;
}
