import { describe, expect, it } from 'vitest';
import { formatBytes, parseDuration, parseRate, parseSize } from '../../src/units.js';

describe('parseSize', () => {
  it('reads bytes and binary multiples', () => {
    expect(parseSize('64B')).toBe(64);
    expect(parseSize('64')).toBe(64);
    expect(parseSize('1KB')).toBe(1024);
    expect(parseSize('1.5 KB')).toBe(1536);
    expect(parseSize('2mb')).toBe(2 * 1024 ** 2);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('.5k')).toBe(512);
  });
  it('refuses what is not a size', () => {
    for (const bad of ['', 'KB', '-1KB', '1 parsec', '1KB/h', '1e3', 'abc'])
      expect(parseSize(bad)).toBeNull();
  });
});

describe('parseRate', () => {
  it('reads sizes per hour, minute and second as bytes per hour', () => {
    expect(parseRate('10MB/h')).toBe(10 * 1024 ** 2);
    expect(parseRate('1KB/min')).toBe(60 * 1024);
    expect(parseRate('100B/s')).toBe(360_000);
  });
  it('refuses a size without a period, or an unknown period', () => {
    expect(parseRate('10MB')).toBeNull();
    expect(parseRate('10MB/day')).toBeNull();
    expect(parseRate('x/h')).toBeNull();
  });
});

describe('parseDuration', () => {
  it('reads units and combinations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('12')).toBe(12_000);
  });
  it('refuses garbage', () => {
    for (const bad of ['', 'm', '10x', '10m foo', 'h1']) expect(parseDuration(bad)).toBeNull();
  });
});

describe('formatBytes', () => {
  it('is short and human', () => {
    expect(formatBytes(312)).toBe('312 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(-2 * 1024 ** 2)).toBe('-2.0 MB');
    expect(formatBytes(100 * 1024 ** 2)).toBe('100 MB');
    expect(formatBytes(2.5)).toBe('2.5 B');
  });
});
