import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapgate, REPO, tempProject } from '../helpers/cli.js';

const FIXTURES = path.join(REPO, 'test/fixtures/reports');
const CLEAN = path.join(FIXTURES, 'soak-clean.json');
const CLEAN_2 = path.join(FIXTURES, 'soak-clean-2.json');
const LEAKY = path.join(FIXTURES, 'soak-leaky.json');
const ENV = { GITHUB_ACTIONS: 'false', GITHUB_STEP_SUMMARY: '' };

interface JsonComparison {
  comparisonVersion: number;
  regressed: boolean;
  base: { file: string };
  head: { file: string };
  counts: Record<string, number>;
  scenarios: {
    name: string;
    status: string;
    metrics: {
      metric: string;
      status: string;
      head: { low: number } | null;
      base: { high: number } | null;
    }[];
    reasons: string[];
  }[];
}

describe('heapgate compare', () => {
  it('two clean runs of the same service: exit 0, a table of unchanged slopes', async () => {
    const result = await heapgate(['compare', CLEAN, CLEAN_2], { env: ENV });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Base slope [90% CI]');
    expect(result.stdout).toMatch(/unique-paths .*pass → pass .*heap/);
    expect(result.stdout).toContain('unchanged');
    expect(result.stdout).toContain('heapgate compare: 0 regressions, 1 unchanged — no growth regression');
  });

  it('clean vs leaky: exit 1, the regressions listed with their figures', async () => {
    const result = await heapgate(['compare', CLEAN, LEAKY], { env: ENV });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('REGRESSION');
    expect(result.stdout).toMatch(/unique-paths: heap grows 393 B\/iteration in head/);
    expect(result.stdout).toContain('worker-failing: new in head and errors in head');
    expect(result.stdout).toContain('2 regressions');
  });

  it('leaky vs clean (the fix): exit 0, improved', async () => {
    const result = await heapgate(['compare', LEAKY, CLEAN], { env: ENV });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('improved');
    expect(result.stdout).toContain('removed');
  });

  it('--format markdown for a pull request', async () => {
    const result = await heapgate(['compare', CLEAN, LEAKY, '--format', 'markdown'], { env: ENV });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^## heapgate compare: ❌ growth regression/);
    expect(result.stdout).toContain(
      '| Scenario | Verdict | Metric | Base slope [90% CI] | Head slope [90% CI] | Change | Status |',
    );
    expect(result.stdout).toMatch(
      /\| unique-paths \| pass → fail \| heap \| 0\.6 B\/iteration \[.*\] \| 393 B\/iteration \[.*\] \| \+393 B\/it \| 🔴 REGRESSION \|/,
    );
    expect(result.stdout).toContain('### Regressions');
    expect(result.stderr).toContain('heapgate compare: 2 regressions');
  });

  it('--format json: the comparison as data', async () => {
    const result = await heapgate(['compare', CLEAN, LEAKY, '--format', 'json'], { env: ENV });
    expect(result.exitCode).toBe(1);
    const c = JSON.parse(result.stdout) as JsonComparison;
    expect(c.comparisonVersion).toBe(1);
    expect(c.regressed).toBe(true);
    expect(c.base.file).toBe(CLEAN);
    expect(c.counts.regression).toBe(2);
    const heap = c.scenarios[0].metrics.find((m) => m.metric === 'heap')!;
    expect(heap.status).toBe('regression');
    expect(heap.head!.low).toBeGreaterThan(heap.base!.high);
  });

  it('--output writes the file, nothing on stdout', async () => {
    const dir = tempProject({});
    const file = path.join(dir, 'compare.md');
    const result = await heapgate(['compare', CLEAN, CLEAN_2, '--format', 'markdown', '--output', file], {
      env: ENV,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toMatch(/^## heapgate compare: ✅ no growth regression/);
  });

  it('bad input exits 2 naming the file and field', async () => {
    const dir = tempProject({
      'bad.json': JSON.stringify({ ...JSON.parse(readFileSync(CLEAN, 'utf8')), scenarios: [{ name: 'x' }] }),
    });
    const bad = path.join(dir, 'bad.json');
    const result = await heapgate(['compare', CLEAN, bad], { env: ENV });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${bad}: scenarios[0].verdict: expected one of pass, fail, error`);
    const missing = await heapgate(['compare', path.join(dir, 'nope.json'), CLEAN], { env: ENV });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('nope.json: cannot be read (no such file)');
    const format = await heapgate(['compare', CLEAN, CLEAN_2, '--format', 'sarif'], { env: ENV });
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toContain("--format: compare writes text, markdown, json, not 'sarif'");
    const args = await heapgate(['compare', CLEAN], { env: ENV });
    expect(args.exitCode).toBe(2);
  });

  it('in GitHub Actions: error annotations on stderr, the table in the job summary, stdout untouched', async () => {
    const dir = tempProject({ 'summary.md': '# earlier step\n' });
    const summary = path.join(dir, 'summary.md');
    const result = await heapgate(['compare', CLEAN, LEAKY, '--format', 'json'], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    });
    expect(result.exitCode).toBe(1);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
    expect(result.stdout).not.toContain('::error');
    const annotations = result.stderr.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toMatch(
      /^::error title=heapgate compare%3A unique-paths regressed::passed in base, fails in head%0Aheap grows/,
    );
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n## heapgate compare: ❌ growth regression')).toBe(true);
  });

  it('synthetic runs: a scenario whose leak doubled regressed, even though both failed', async () => {
    const leaky = JSON.parse(readFileSync(LEAKY, 'utf8')) as {
      scenarios: { series: { heap: number; iteration: number }[] }[];
    };
    const worse = JSON.parse(JSON.stringify(leaky)) as typeof leaky;
    for (const p of worse.scenarios[0].series) p.heap += 400 * p.iteration;
    const dir = tempProject({});
    const head = path.join(dir, 'head.json');
    writeFileSync(head, JSON.stringify(worse));
    const result = await heapgate(['compare', LEAKY, head, '--format', 'json'], { env: ENV });
    expect(result.exitCode).toBe(1);
    const c = JSON.parse(result.stdout) as JsonComparison;
    expect(c.scenarios[0].status).toBe('regression');
    expect(c.scenarios[0].reasons[0]).toMatch(/^heap grows 7\d\d B\/iteration in head/);
  });
});
