/**
 * Seeded randomness for the fuzz tests: every run draws the same cases, so a failure names its seed and
 * case and can be replayed. Generators for mutated text and for JSON-like values built from a vocabulary.
 */

export type Random = () => number;

/** mulberry32: a small, fast, seeded generator (uniform in [0, 1)). */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[int(random, items.length)];
}

const ALPHABET = [
  ...'{}[]":,.-+eE0123456789 \t\n\r\\/#=\'abcxyz_',
  '\u0000',
  '\u00e9',
  '\u2028',
  '\ud83d\ude00',
  'true',
  'null',
  '{i}',
  '..',
  '\uFEFF',
];

/** `text` with a few random edits: deletions, insertions, repeats, swaps, truncation. */
export function mutate(random: Random, text: string): string {
  let out = text;
  const edits = 1 + int(random, 4);
  for (let e = 0; e < edits; e++) {
    const at = int(random, out.length + 1);
    switch (int(random, 6)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + int(random, 8));
        break;
      case 1:
        out = out.slice(0, at) + pick(random, ALPHABET) + out.slice(at);
        break;
      case 2: {
        const piece = out.slice(at, at + 1 + int(random, 40));
        out = out.slice(0, at) + piece.repeat(1 + int(random, 3)) + out.slice(at);
        break;
      }
      case 3: {
        const other = int(random, out.length + 1);
        out = out.slice(0, Math.min(at, other)) + out.slice(Math.max(at, other));
        break;
      }
      case 4:
        out = out.slice(0, at);
        break;
      default:
        out = out.slice(0, at) + String.fromCharCode(int(random, 0x3000)) + out.slice(at + 1);
    }
  }
  return out;
}

/** A JSON-like value whose object keys come from `keys` (so validators see plausible shapes). */
export function value(random: Random, keys: readonly string[], depth = 0): unknown {
  const kind = int(random, depth > 3 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, [0, -1, 1, 1.5, 3000, 1e308, -0, 2 ** 53 + 1]);
    case 3:
      return pick(random, [
        '',
        'x',
        '/item/{i}',
        'GET',
        'POST',
        '64B',
        '10MB/h',
        'auto',
        'off',
        '1m',
        '../..',
      ]);
    case 4:
      return pick(random, keys);
    case 5:
      return 'v'.repeat(int(random, 3)) + String.fromCharCode(int(random, 0xffff));
    case 6:
    case 7: {
      const object: Record<string, unknown> = {};
      const n = int(random, 6);
      for (let i = 0; i < n; i++) object[pick(random, keys)] = value(random, keys, depth + 1);
      return object;
    }
    default:
      return Array.from({ length: int(random, 4) }, () => value(random, keys, depth + 1));
  }
}
