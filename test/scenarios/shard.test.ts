import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseShard, shardScenarios } from '../../src/scenarios/shard.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `scenario-${i}` }));

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('parseShard', () => {
  it('reads i/n, 1-based, with optional spaces', () => {
    expect(parseShard('1/3', '--shard')).toEqual({ index: 1, total: 3 });
    expect(parseShard(' 3 / 3 ', '--shard')).toEqual({ index: 3, total: 3 });
    expect(parseShard('1/1', '--shard')).toEqual({ index: 1, total: 1 });
  });

  it.each([
    ['0/3', /between 1 and 3 \(shards count from 1\)/],
    ['4/3', /between 1 and 3/],
    ['1/0', /at least 1/],
    ['2', /expected i\/n/],
    ['a/b', /expected i\/n/],
    ['-1/3', /expected i\/n/],
    ['1.5/3', /expected i\/n/],
    ['', /expected i\/n/],
  ])('rejects %j naming the flag', (text, message) => {
    let error: unknown;
    try {
      parseShard(text, '--shard');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--shard: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('shardScenarios', () => {
  it('puts every scenario in exactly one shard, sizes within one of each other', () => {
    for (const total of [1, 2, 3, 5, 8]) {
      for (const n of [0, 1, 7, 30, 101]) {
        const items = names(n);
        const shards = Array.from({ length: total }, (_, k) =>
          shardScenarios(items, { index: k + 1, total }),
        );
        const all = shards
          .flat()
          .map((s) => s.name)
          .sort();
        expect(all).toEqual(items.map((s) => s.name).sort());
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('does not depend on the order the scenarios were found in', () => {
    const items = names(40);
    for (let index = 1; index <= 3; index++) {
      const reference = shardScenarios(items, { index, total: 3 })
        .map((s) => s.name)
        .sort();
      for (const seed of [1, 2, 3]) {
        const shuffled = shardScenarios(shuffle(items, seed), { index, total: 3 })
          .map((s) => s.name)
          .sort();
        expect(shuffled).toEqual(reference);
      }
    }
  });

  it('keeps the original order within a shard and returns the items themselves', () => {
    const items = names(12);
    const shard = shardScenarios(items, { index: 2, total: 3 });
    const positions = shard.map((s) => items.indexOf(s));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions.every((p) => p >= 0)).toBe(true);
  });

  it('balances by weight when given one', () => {
    const items = [
      { name: 'long', iterations: 30000 },
      ...Array.from({ length: 10 }, (_, i) => ({ name: `short-${i}`, iterations: 3000 })),
    ];
    const weight = (s: { iterations: number }) => s.iterations;
    const shards = [1, 2].map((index) => shardScenarios(items, { index, total: 2 }, weight));
    const loads = shards.map((s) => s.reduce((sum, x) => sum + x.iterations, 0));
    expect(loads.sort()).toEqual([30000, 30000]);
    expect(shards.flat()).toHaveLength(items.length);
  });

  it('one shard of one is everything', () => {
    const items = names(5);
    expect(shardScenarios(items, { index: 1, total: 1 })).toEqual(items);
  });
});
