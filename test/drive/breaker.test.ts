import { describe, expect, test } from 'vitest';
import { TargetError } from '../../src/errors.js';
import { BREAKER_DEFAULTS, breakdown, CircuitBreaker, failureOf } from '../../src/drive/breaker.js';

const REFUSED = 'connection refused (ECONNREFUSED)';
const OK = [200, 201, 204];

describe('failureOf', () => {
  test('transport errors, timeouts and unexpected statuses are failures', () => {
    expect(failureOf({ status: 200, ms: 1 }, OK)).toBeNull();
    expect(failureOf({ status: 500, ms: 1 }, OK)).toBe('status 500');
    expect(failureOf({ status: 302, ms: 1 }, OK)).toBe('status 302');
    expect(failureOf({ error: REFUSED, ms: 1 }, OK)).toBe(REFUSED);
    expect(failureOf({ error: 'timed out after 10 s', ms: 10_000 }, OK)).toBe('timed out after 10 s');
    expect(failureOf({ status: 200, error: 'connection closed during the answer', ms: 1 }, OK)).toBe(
      'connection closed during the answer',
    );
    expect(failureOf({ ms: 1 }, OK)).toBe('no answer');
  });
});

describe('CircuitBreaker', () => {
  test('defaults: 20 failures in a row trip it', () => {
    const breaker = new CircuitBreaker();
    expect(BREAKER_DEFAULTS).toEqual({ consecutive: 20, window: 50, maxFailureRatio: 0.5 });
    for (let k = 0; k < 19; k++) expect(breaker.record(REFUSED)).toBe(false);
    expect(breaker.signal.aborted).toBe(false);
    expect(breaker.record(REFUSED)).toBe(true);
    expect(breaker.reason).toBe(`the last 20 requests all failed: ${REFUSED} ×20`);
    expect(breaker.signal.aborted).toBe(true);
    expect(breaker.signal.reason).toBeInstanceOf(TargetError);
    expect((breaker.signal.reason as Error).message).toBe(`the target keeps failing: ${breaker.reason}`);
  });

  test('a success resets the run of failures', () => {
    const breaker = new CircuitBreaker();
    for (let round = 0; round < 10; round++) {
      for (let k = 0; k < 19; k++) breaker.record('status 500');
      breaker.record(null);
      // 19 of every 20 fail, but the window needs > 50 % of 50 *and* a full window: that has happened,
      // so this pattern trips on the window rule as soon as the window fills.
      if (breaker.tripped) break;
    }
    expect(breaker.tripped).toBe(true);
    expect(breaker.reason).toMatch(/^4\d of the last 50 requests failed: status 500 ×4\d$/);
  });

  test('mostly errors in a window trips it, with the causes counted', () => {
    const breaker = new CircuitBreaker();
    // Alternate: 4 refused, 1 ok … plus a few 500s, so no run reaches 20.
    const pattern = [REFUSED, REFUSED, REFUSED, REFUSED, null, REFUSED, 'status 500', REFUSED, REFUSED, null];
    let n = 0;
    while (!breaker.tripped) breaker.record(pattern[n++ % pattern.length]);
    expect(n).toBe(50);
    expect(breaker.reason).toBe(`40 of the last 50 requests failed: ${REFUSED} ×35, status 500 ×5`);
  });

  test('at the threshold it holds: exactly half failing never trips it', () => {
    const breaker = new CircuitBreaker();
    for (let k = 0; k < 1000; k++) breaker.record(k % 2 === 0 ? 'status 503' : null);
    expect(breaker.tripped).toBe(false);
    expect(breaker.failures).toBe(500);
    expect(breaker.successes).toBe(500);
  });

  test('occasional failures never trip it', () => {
    const breaker = new CircuitBreaker();
    for (let k = 0; k < 5000; k++) breaker.record(k % 25 === 0 ? 'timed out after 10 s' : null);
    expect(breaker.tripped).toBe(false);
  });

  test('the window slides: old failures drop out', () => {
    const breaker = new CircuitBreaker({ consecutive: 1000, window: 10, maxFailureRatio: 0.5 });
    for (let k = 0; k < 5; k++) breaker.record('status 500');
    for (let k = 0; k < 100; k++) breaker.record(null);
    for (let k = 0; k < 5; k++) breaker.record('status 500');
    expect(breaker.tripped).toBe(false);
    breaker.record('status 500');
    expect(breaker.reason).toBe('6 of the last 10 requests failed: status 500 ×6');
  });

  test('no verdict from the window before it is full', () => {
    const breaker = new CircuitBreaker({ consecutive: 100, window: 50 });
    for (let k = 0; k < 10; k++) breaker.record('status 500');
    expect(breaker.tripped).toBe(false);
  });

  test('once tripped it stays tripped with its first reason', () => {
    const breaker = new CircuitBreaker({ consecutive: 2 });
    breaker.record('a');
    breaker.record('a');
    const reason = breaker.reason;
    for (let k = 0; k < 100; k++) breaker.record(null);
    expect(breaker.tripped).toBe(true);
    expect(breaker.reason).toBe(reason);
  });

  test('batches of calls', () => {
    const breaker = new CircuitBreaker({ noun: 'calls' });
    expect(breaker.recordMany(50, 0, 'unused')).toBe(false);
    expect(breaker.recordMany(0, 50, 'ValueError: boom')).toBe(true);
    expect(breaker.reason).toBe('the last 20 calls all failed: ValueError: boom ×20');
  });

  test('options are checked', () => {
    expect(() => new CircuitBreaker({ window: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ maxFailureRatio: 1 })).toThrow(RangeError);
  });
});

test('breakdown lists the three most frequent causes, then the rest', () => {
  expect(breakdown(['a', 'b', 'b', 'c', 'c', 'c', 'd', 'e', 'e'])).toBe('c ×3, b ×2, e ×2, other ×2');
  expect(breakdown(['x'])).toBe('x ×1');
});
