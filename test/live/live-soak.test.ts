/**
 * `heapgate soak --live` end to end: while a real soak runs, /metrics and /leaks answer (parsed, and their
 * values move), the page renders in headless Chromium with the charts drawn, and SIGKILL of heapgate
 * mid-soak leaves a parseable partial report written by --save-every.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { processesWithEnv } from '../../src/service/kill.js';
import { BIN } from '../helpers/cli.js';
import { DEBIAN_PYTHON, SERVICES } from '../helpers/soak.js';
import { tempDir } from '../helpers/temp.js';

const CHROMIUM = '/usr/bin/chromium';
const dir = tempDir('heapgate-live-');
const mark = randomUUID();

afterAll(() => {
  // heapgate was SIGKILLed: whatever it started and could not end is ended here, by pid.
  for (const pid of processesWithEnv('HEAPGATE_TEST_MARK', mark)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  get: () => Promise<T | null> | T | null,
  withinMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await get();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Every sample line of a Prometheus text exposition: `name{labels} value`, checked as it parses. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const value = Number(match[3]);
    if (Number.isNaN(value) && match[3] !== 'NaN') throw new Error(`bad value: ${line}`);
    out.set(`${match[1]}${match[2] ?? ''}`, value);
  }
  return out;
}

describe('heapgate soak --live', () => {
  it('answers /metrics and /leaks as values move, renders the page in Chromium, and leaves a partial report when killed', async () => {
    const scenarioFile = path.join(dir, 'orders.json');
    writeFileSync(
      scenarioFile,
      JSON.stringify({ name: 'orders', request: { path: '/orders/{i}' }, duration: '2m' }),
    );
    const output = path.join(dir, 'out', 'report.json');
    const child = execa(
      'node',
      [
        BIN,
        'soak',
        '--format',
        'json',
        '--output',
        output,
        '--live',
        '--save-every',
        '1s',
        '--target',
        `env LEAK=none ${DEBIAN_PYTHON} flask_app.py`,
        '--scenarios',
        scenarioFile,
      ],
      { cwd: SERVICES, env: { NO_COLOR: '1', HEAPGATE_TEST_MARK: mark }, reject: false },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const base = await until(
        'the live view',
        () => /live view on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1] ?? null,
      );

      // /metrics: parsed line by line; the iteration count moves between two reads.
      const iterations = async () => {
        const metrics = parseMetrics(await (await fetch(`${base}metrics`)).text());
        const n = metrics.get('heapgate_iterations{scenario="orders"}');
        return n !== undefined && n > 0 ? { n, metrics } : null;
      };
      const first = await until('measured iterations on /metrics', iterations);
      expect(first.metrics.get('heapgate_heap_bytes{scenario="orders",pid="all"}')).toBeGreaterThan(1e6);
      expect(
        [...first.metrics.keys()].some((k) => /^heapgate_rss_bytes\{scenario="orders",pid="\d+"\}$/.test(k)),
      ).toBe(true);
      expect(first.metrics.has('heapgate_slope_per_iteration{scenario="orders",metric="heap"}')).toBe(true);
      const second = await until('the iterations to move', async () => {
        const next = await iterations();
        return next && next.n > first.n ? next : null;
      });
      expect(second.n).toBeGreaterThan(first.n);

      // /leaks: the riptide shape, a fresh timestamp each time.
      const leaks = (await (await fetch(`${base}leaks`)).json()) as Record<string, unknown>;
      expect(Object.keys(leaks).sort()).toEqual(
        [
          'baseline_mb',
          'current_mb',
          'growth_mb_per_minute',
          'has_leaks',
          'leak_candidates',
          'overall_growth_rate',
          'recommendations',
          'time_window_secs',
          'timestamp',
        ].sort(),
      );
      expect(leaks.has_leaks).toBe(false);
      expect(leaks.current_mb).toEqual(expect.any(Number));
      await sleep(1100);
      const later = (await (await fetch(`${base}leaks`)).json()) as Record<string, unknown>;
      expect(Date.parse(String(later.timestamp))).toBeGreaterThan(Date.parse(String(leaks.timestamp)));

      // The page, in headless Chromium, mid-run: the scenario and its charts are drawn.
      if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
      const profile = mkdtempSync(path.join(dir, 'profile-'));
      const page = await execa(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          `--user-data-dir=${profile}`,
          '--dump-dom',
          base,
        ],
        { timeout: 30_000, reject: false, env: { ...process.env, LANG: 'C.UTF-8' } },
      );
      expect(page.exitCode, String(page.stderr).slice(-1000)).toBe(0);
      expect(page.stdout).toContain('orders');
      expect(page.stdout).toMatch(/<svg[^>]*>[\s\S]*<polyline/);
      expect(page.stdout).toContain('the soak is still running');

      // SIGKILL mid-soak: the report --save-every wrote is complete JSON, marked partial.
      const partial = await until('the partial report', () => {
        try {
          return JSON.parse(readFileSync(output, 'utf8')) as Report;
        } catch {
          return null;
        }
      });
      expect(partial.scenarios[0].name).toBe('orders');
      child.kill('SIGKILL');
      await child;
      const left = JSON.parse(readFileSync(output, 'utf8')) as Report;
      expect(left.gate.passed).toBe(false);
      expect(left.gate.reasons.join('\n')).toMatch(/the soak is still running .*: this report is partial/);
      expect(left.scenarios[0].series!.length).toBeGreaterThan(2);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });
});
