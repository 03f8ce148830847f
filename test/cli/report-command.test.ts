import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { heapgate, REPO, tempProject } from '../helpers/cli.js';

const FIXTURES = path.join(REPO, 'test/fixtures/reports');
const STATIC = path.join(FIXTURES, 'static-example.json');
const LEAKY = path.join(FIXTURES, 'soak-leaky.json');
/** Outside GitHub Actions whatever runs the tests. */
const ENV = { GITHUB_ACTIONS: 'false', GITHUB_STEP_SUMMARY: '' };

describe('heapgate report', () => {
  it('re-renders a saved report as the terminal table by default, exit 0', async () => {
    const result = await heapgate(['report', STATIC], { env: ENV });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('app.py');
    expect(result.stdout).toMatch(/6 findings in 1 file/);
  });

  it('exits 0 for a report whose gate failed: re-rendering is not a gate', async () => {
    const result = await heapgate(['report', LEAKY, '--format', 'text'], { env: ENV });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('unique-paths');
    expect(result.stdout).toContain('gate failed');
  });

  it('renders JSON identical to the saved report', async () => {
    for (const file of [STATIC, LEAKY]) {
      const result = await heapgate(['report', file, '--format', 'json'], { env: ENV });
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    }
  });

  it('writes several formats with --output-dir, each parseable', async () => {
    const dir = tempProject({});
    const out = path.join(dir, 'out');
    const result = await heapgate(
      ['report', STATIC, '--format', 'json,sarif,junit,markdown,text', '--output-dir', out],
      { env: ENV },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^heapgate: wrote /);
    expect(readdirSync(out).sort()).toEqual(
      ['heapgate.json', 'heapgate.junit.xml', 'heapgate.md', 'heapgate.sarif', 'heapgate.txt'].sort(),
    );
    const sarif = JSON.parse(readFileSync(path.join(out, 'heapgate.sarif'), 'utf8')) as {
      version: string;
      runs: { results: unknown[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(6);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(path.join(out, 'heapgate.junit.xml'), 'utf8'),
    ) as { testsuites: { '@_failures': string } };
    expect(junit.testsuites['@_failures']).toBe('6');
    expect(readFileSync(path.join(out, 'heapgate.md'), 'utf8')).toMatch(/^## heapgate: /);
  });

  it('renders a soak report as self-contained HTML with its charts', async () => {
    const dir = tempProject({});
    const file = path.join(dir, 'report.html');
    const result = await heapgate(['report', LEAKY, '--format', 'html', '--output', file], { env: ENV });
    expect(result.exitCode).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('unique-paths');
    expect(html).toContain('<svg');
  });

  it('writes one format to --output', async () => {
    const dir = tempProject({});
    const file = path.join(dir, 'summary.md');
    const result = await heapgate(['report', LEAKY, '--format', 'markdown', '--output', file], { env: ENV });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^## heapgate: ❌ failed/);
  });

  it.each([
    [['--format', 'json,sarif'], /--format: several formats \(json, sarif\) need --output-dir/],
    [['--format', 'pdf'], /--format: unknown format 'pdf'/],
    [['--output', 'a', '--output-dir', 'b'], /--output and --output-dir: give one or the other/],
  ])('refuses bad flags %j with exit 2', async (flags, message) => {
    const result = await heapgate(['report', STATIC, ...flags], { env: ENV });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  describe('invalid input: exit 2, the message names the file and the field', () => {
    const invalid = (content: string) => {
      const dir = tempProject({ 'report.json': content });
      return path.join(dir, 'report.json');
    };
    const base = JSON.parse(readFileSync(LEAKY, 'utf8')) as Record<string, unknown>;

    it('a missing file', async () => {
      const result = await heapgate(['report', 'no/such/report.json'], { env: ENV });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('heapgate: error: no/such/report.json: cannot be read (no such file)');
    });

    it('not JSON', async () => {
      const file = invalid('{"schemaVersion": 1,');
      const result = await heapgate(['report', file], { env: ENV });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`${file}: not valid JSON`);
    });

    it('another schemaVersion, or not a heapgate report at all', async () => {
      const newer = invalid(JSON.stringify({ ...base, schemaVersion: 2 }));
      const a = await heapgate(['report', newer], { env: ENV });
      expect(a.exitCode).toBe(2);
      expect(a.stderr).toContain(`${newer}: schemaVersion: expected 1, got 2: written by a newer heapgate`);
      const sarif = invalid(JSON.stringify({ version: '2.1.0', runs: [] }));
      const b = await heapgate(['report', sarif], { env: ENV });
      expect(b.exitCode).toBe(2);
      expect(b.stderr).toContain(
        `${sarif}: schemaVersion: expected 1, got nothing (is this a heapgate JSON report?`,
      );
    });

    it('fields the renderers need, every problem at once', async () => {
      const scenarios = JSON.parse(JSON.stringify(base.scenarios)) as Record<string, unknown>[];
      delete scenarios[0].verdict;
      (scenarios[0].metrics as Record<string, Record<string, unknown>>).heap.slopePerIteration = '393';
      const file = invalid(JSON.stringify({ ...base, scenarios, gate: { passed: 'no', reasons: [] } }));
      const result = await heapgate(['report', file], { env: ENV });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(
        `${file}: scenarios[0].verdict: expected one of pass, fail, error, got nothing`,
      );
      expect(result.stderr).toContain(
        `${file}: scenarios[0].metrics.heap.slopePerIteration: expected a number, got "393"`,
      );
      expect(result.stderr).toContain(`${file}: gate.passed: expected true or false, got "no"`);
    });

    it('a finding without a line', async () => {
      const r = JSON.parse(readFileSync(STATIC, 'utf8')) as { findings: Record<string, unknown>[] };
      delete r.findings[2].line;
      const file = invalid(JSON.stringify(r));
      const result = await heapgate(['report', file, '--format', 'sarif'], { env: ENV });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`${file}: findings[2].line: expected a whole number ≥ 1, got nothing`);
      expect(existsSync(file)).toBe(true);
    });
  });

  it('fills in the fields an older report may lack (shortId, endLine, endColumn)', async () => {
    const r = JSON.parse(readFileSync(STATIC, 'utf8')) as { findings: Record<string, unknown>[] };
    for (const f of r.findings) {
      delete f.shortId;
      delete f.endLine;
      delete f.endColumn;
    }
    const dir = tempProject({});
    const file = path.join(dir, 'old.json');
    writeFileSync(file, JSON.stringify(r));
    const result = await heapgate(['report', file, '--format', 'json'], { env: ENV });
    expect(result.exitCode).toBe(0);
    const rendered = JSON.parse(result.stdout) as { findings: { shortId: string; endLine: number }[] };
    expect(rendered.findings[0].shortId).toBe('R2');
    expect(rendered.findings[0].endLine).toBe(20);
  });
});
