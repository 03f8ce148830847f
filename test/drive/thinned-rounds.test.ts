import { describe, expect, it } from 'vitest';
import { MAX_ROUNDS, ThinnedRounds } from '../../src/drive/thinned-rounds.js';

describe('ThinnedRounds', () => {
  it('keeps every round of a run shorter than its capacity, unchanged', () => {
    const store = new ThinnedRounds<number>();
    for (let k = 0; k < MAX_ROUNDS - 1; k++) store.add([k, -k]);
    expect(store.size).toBe(MAX_ROUNDS - 1);
    expect(store.items().length).toBe(2 * (MAX_ROUNDS - 1));
    expect(store.rounds()[10]).toEqual([10, -10]);
  });

  it('past its capacity keeps whole rounds, evenly spread, the first and the newest among them', () => {
    const store = new ThinnedRounds<number>(16);
    for (let k = 0; k < 1000; k++) {
      store.add([k, k + 0.5]);
      expect(store.size).toBeLessThanOrEqual(16);
      expect(store.rounds().at(-1)).toEqual([k, k + 0.5]);
    }
    const firsts = store.rounds().map((r) => r[0]);
    expect(firsts[0]).toBe(0);
    const gaps = firsts.slice(1, -1).map((x, i) => x - firsts[i]);
    expect(new Set(gaps).size).toBe(1);
    for (const round of store.rounds()) expect(round[1]).toBe(round[0] + 0.5);
  });
});
