/** The report validator and the figures the verdict records (measured range, fit, plateau, projection). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { REPO } from '../helpers/cli.js';

function fixture(name: string): Report {
  return JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/reports', `${name}.json`), 'utf8')) as Report;
}

function problems(report: unknown): string {
  try {
    validateReport(report, 'r.json');
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('validateReport and the recorded figures', () => {
  it('accepts reports with them and reports without them (older runs)', () => {
    const report = fixture('soak-leaky');
    expect(report.scenarios[0].measured).toEqual({
      fromSample: 1,
      toSample: 30,
      fromIteration: 50,
      toIteration: 1500,
    });
    expect(problems(report)).toBe('');
    for (const s of report.scenarios) {
      delete s.measured;
      delete s.iterationsPerHour;
      for (const m of Object.values(s.metrics)) {
        delete m.fit;
        delete m.plateau;
        delete m.projection;
      }
    }
    expect(problems(report)).toBe('');
  });

  it('names each broken figure', () => {
    const report = fixture('soak-clean');
    const [s] = report.scenarios;
    s.measured = { ...s.measured!, toSample: s.series!.length };
    (s as unknown as Record<string, unknown>).iterationsPerHour = 'fast';
    (s.metrics.heap!.fit as unknown as Record<string, unknown>).slope = '1';
    (s.metrics.heap!.plateau as unknown as Record<string, unknown>).level = null;
    (s.metrics.rss as unknown as Record<string, unknown>).projection = { perMillion: 1, perHour: 'x' };
    expect(problems(report).split('\n')).toEqual([
      'r.json: scenarios[0].metrics.heap.fit.slope: expected a number, got "1"',
      'r.json: scenarios[0].metrics.heap.plateau.level: expected a number, got null',
      'r.json: scenarios[0].metrics.rss.projection.perHour: expected a number, got "x"',
      'r.json: scenarios[0].measured: expected sample indices within the 62 samples of series, got ' +
        '{"fromSample":1,"toSample":62,"fromIteration":50,"toItera...',
      'r.json: scenarios[0].iterationsPerHour: expected a number ≥ 0, got "fast"',
    ]);
  });

  it('a metric whose plateau is null (none found) or whose hourly projection is null (no rate) is fine', () => {
    const report = fixture('soak-clean');
    report.scenarios[0].metrics.heap!.plateau = null;
    report.scenarios[0].metrics.heap!.projection = { perMillion: 5, perHour: null };
    report.scenarios[0].iterationsPerHour = null;
    expect(problems(report)).toBe('');
  });
});
