import { describe, expect, it } from 'vitest';
import { BudgetError, parseBudget, parseBudgetFlags, resolveBudget } from '../../src/config/budget.js';
import { DEFAULT_BUDGET, describeBudget } from '../../src/model/budget.js';
import { UsageError } from '../../src/errors.js';

describe('parseBudget', () => {
  it('reads sizes, rates and counts, as strings or numbers', () => {
    expect(
      parseBudget(
        {
          growth: '64B',
          rate: '10MB/h',
          heap: '512MB',
          rss: 1_000_000,
          rssGrowth: '1KB',
          threads: 0,
          fds: '2',
          handlers: 1,
        },
        'scenarios/a.json',
      ),
    ).toEqual({
      growth: 64,
      rate: 10 * 1024 ** 2,
      heap: 512 * 1024 ** 2,
      rss: 1_000_000,
      rssGrowth: 1024,
      threads: 0,
      fds: 2,
      handlers: 1,
    });
  });

  it('keeps only the fields given, accepts the flag spelling and switches checks off', () => {
    expect(parseBudget({ 'rss-growth': '2KB' }, 'x')).toEqual({ rssGrowth: 2048 });
    expect(parseBudget({ heap: null, growth: 'off', fds: false }, 'x')).toEqual({
      heap: null,
      growth: null,
      fds: null,
    });
    expect(parseBudget(undefined, 'x')).toEqual({});
  });

  it('names where and the field in every error, as a usage error (exit 2)', () => {
    const cases: [unknown, RegExp][] = [
      [{ growth: '12 parsecs' }, /^scenarios\/a\.json: budget\.growth: expected a size .* got "12 parsecs"$/],
      [{ growth: '10MB/h' }, /budget\.growth: expected a size/],
      [{ rate: '10MB' }, /budget\.rate: expected a rate/],
      [{ threads: 1.5 }, /budget\.threads: expected a whole number/],
      [{ fds: -1 }, /budget\.fds: expected a whole number/],
      [{ heap: -5 }, /budget\.heap: expected a size/],
      [{ heap: [] }, /budget\.heap: expected a size .* got \[\]/],
      [{ leak: '1KB' }, /budget\.leak: unknown budget field \(known: growth, rate/],
      ['64B', /^scenarios\/a\.json: budget: expected an object/],
    ];
    for (const [value, message] of cases) {
      let error: unknown;
      try {
        parseBudget(value, 'scenarios/a.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BudgetError);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as BudgetError).exitCode).toBe(2);
      expect((error as BudgetError).where).toBe('scenarios/a.json');
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('parseBudgetFlags', () => {
  it('reads the --budget-* flags and names the flag in errors', () => {
    expect(parseBudgetFlags({ growth: '1KB', threads: '3', rate: undefined })).toEqual({
      growth: 1024,
      threads: 3,
    });
    expect(() => parseBudgetFlags({ rate: 'fast' })).toThrow(
      /^--budget-rate: expected a rate such as "10MB\/h"/,
    );
    expect(() => parseBudgetFlags({ handlers: 'many' })).toThrow(
      /^--budget-handlers: expected a whole number/,
    );
  });
});

describe('resolveBudget', () => {
  it('layers flags over the scenario over the defaults, field by field', () => {
    const scenario = parseBudget({ growth: '64B', threads: 2, heap: '1GB' }, 's.json');
    const flags = parseBudgetFlags({ growth: '16B', heap: 'off' });
    expect(resolveBudget(scenario, flags)).toEqual({
      ...DEFAULT_BUDGET,
      growth: 16,
      threads: 2,
      heap: null,
    });
    expect(resolveBudget()).toEqual(DEFAULT_BUDGET);
    expect(resolveBudget(undefined, { fds: 4 })).toEqual({ ...DEFAULT_BUDGET, fds: 4 });
  });

  it('has defaults that catch ~100 B/iteration with margin and a coarser RSS gate', () => {
    expect(DEFAULT_BUDGET.growth).toBeLessThan(100 / 2);
    expect(DEFAULT_BUDGET.rssGrowth).toBeGreaterThan(4 * 31);
    expect(Object.isFrozen(DEFAULT_BUDGET)).toBe(true);
  });
});

describe('describeBudget', () => {
  it('speaks in units', () => {
    expect(describeBudget('growth', 32)).toBe('32 B/iteration');
    expect(describeBudget('rate', 10 * 1024 ** 2)).toBe('10 MB/h');
    expect(describeBudget('heap', 512 * 1024 ** 2)).toBe('512 MB');
    expect(describeBudget('threads', 0)).toBe('+0 threads');
    expect(describeBudget('rss', null)).toBe('off');
  });
});
