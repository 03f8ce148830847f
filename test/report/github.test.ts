import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { annotations, escapeData, escapeProperty, workflowCommand } from '../../src/report/github.js';
import type { Report, ReportFinding } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/reports');
const fixture = (name: string): Report =>
  validateReport(JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')), name);

/** The runner's parser, for round trips: `::level k=v,k=v::data`, unescaped. */
function parse(line: string): { level: string; props: Record<string, string>; data: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string) =>
    s
      .replace(/%0D/g, '\r')
      .replace(/%0A/g, '\n')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%');
  const props: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    props[pair.slice(0, at)] = unescape(pair.slice(at + 1));
  }
  return { level: m[1], props, data: unescape(m[3]) };
}

function finding(overrides: Partial<ReportFinding> = {}): ReportFinding {
  return {
    rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
    shortId: 'R1',
    severity: 'HIGH',
    file: 'app.py',
    line: 3,
    column: 5,
    endLine: 3,
    endColumn: 9,
    message: 'CACHE grows',
    function: 'handle',
    confidence: 'high',
    fix: 'bound it',
    dynamic: 'not-exercised',
    ...overrides,
  };
}

function report(overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'heapgate', version: '0' },
    findings: [],
    scenarios: [],
    gate: { passed: true, reasons: [] },
    ...overrides,
  };
}

describe('workflow-command escaping', () => {
  it('escapes %, CR and LF in data; also : and , in properties', () => {
    expect(escapeData('100% a:b,c\r\nd')).toBe('100%25 a:b,c%0D%0Ad');
    expect(escapeProperty('100% a:b,c\r\nd')).toBe('100%25 a%3Ab%2Cc%0D%0Ad');
    // % first, so an existing escape sequence in the text survives as text.
    expect(escapeData('%0A')).toBe('%250A');
  });

  it('a hostile file name or message cannot end the command or forge another', () => {
    const line = workflowCommand(
      'error',
      { file: 'a,line=1::evil.py', line: 2, title: 'x::y' },
      'first\n::error::forged\r\n%0A',
    );
    expect(line.split('\n')).toHaveLength(1);
    expect(line.split('\r')).toHaveLength(1);
    expect(line.startsWith('::error file=a%2Cline=1%3A%3Aevil.py,line=2,title=x%3A%3Ay::first%0A')).toBe(
      true,
    );
    const parsed = parse(line);
    expect(parsed).toEqual({
      level: 'error',
      props: { file: 'a,line=1::evil.py', line: '2', title: 'x::y' },
      data: 'first\n::error::forged\r\n%0A',
    });
  });
});

describe('annotations', () => {
  it('maps severities to levels, with file, line, columns and a title', () => {
    const lines = annotations(
      report({
        findings: [
          finding({ severity: 'LOW', line: 1 }),
          finding({ severity: 'MEDIUM', line: 2 }),
          finding({ severity: 'CRITICAL', line: 4 }),
        ],
      }),
    ).map(parse);
    expect(lines.map((l) => l.level)).toEqual(['error', 'warning', 'notice']);
    expect(lines[0].props).toEqual({
      file: 'app.py',
      line: '4',
      endLine: '4',
      col: '5',
      endColumn: '9',
      title: 'heapgate R1 RELIABILITY_UNBOUNDED_GLOBAL (CRITICAL)',
    });
    expect(lines[0].data).toBe('CACHE grows Fix: bound it');
  });

  it('leaves out columns on multi-line findings (GitHub rejects them there)', () => {
    const [line] = annotations(report({ findings: [finding({ endLine: 5, endColumn: 2 })] })).map(parse);
    expect(line.props.line).toBe('3');
    expect(line.props.endLine).toBe('5');
    expect(line.props.col).toBeUndefined();
    expect(line.props.endColumn).toBeUndefined();
  });

  it('confirmed findings are errors, not-reproduced ones notices', () => {
    const lines = annotations(
      report({
        findings: [
          finding({ severity: 'LOW', dynamic: 'confirmed' }),
          finding({ severity: 'CRITICAL', dynamic: 'not-reproduced', line: 9 }),
        ],
      }),
    ).map(parse);
    expect(lines[0].level).toBe('error');
    expect(lines[0].data).toMatch(/Confirmed by the soak/);
    expect(lines[1].level).toBe('notice');
    expect(lines[1].data).toMatch(/Not reproduced/);
  });

  it('a failed scenario is an error at its top leak site in the project, with its reasons', () => {
    const leaky = fixture('soak-leaky.json');
    const lines = annotations(leaky, { pathPrefix: 'services/api' }).map(parse);
    const leak = lines.find((l) => l.props.title === 'heapgate: scenario unique-paths leaks')!;
    expect(leak.level).toBe('error');
    expect(leak.props.file).toBe('services/api/stdlib_service.py');
    expect(leak.props.line).toBe('41');
    expect(leak.data).toMatch(/^heap grows 393 B\/iteration/);
    expect(leak.data).toContain('Top leak site: stdlib_service.py:41');
    const errored = lines.find((l) => l.props.title === 'heapgate: scenario worker-failing errored')!;
    expect(errored.props.file).toBeUndefined();
    expect(errored.data).toMatch(/^the target kept failing/);
    // The gate's reasons are the scenarios' own: not annotated twice.
    expect(lines).toHaveLength(2);
  });

  it('a failed scenario without a leak site in the project has no file', () => {
    const leaky = fixture('soak-leaky.json');
    const s = {
      ...leaky.scenarios[0],
      leakSites: leaky.scenarios[0].leakSites.filter((x) => x.file.startsWith('/')),
    };
    const [line] = annotations(report({ scenarios: [s] })).map(parse);
    expect(line.props.file).toBeUndefined();
    expect(line.props.title).toBe('heapgate: scenario unique-paths leaks');
  });

  it('gate reasons of their own (--fail-on) are errors without a file', () => {
    const lines = annotations(
      report({
        findings: [finding()],
        gate: { passed: false, reasons: ['1 finding at or above HIGH (1 HIGH) — --fail-on HIGH'] },
      }),
    ).map(parse);
    expect(lines[0]).toEqual({
      level: 'error',
      props: { title: 'heapgate: gate failed' },
      data: '1 finding at or above HIGH (1 HIGH) — --fail-on HIGH',
    });
    expect(lines[1].props.file).toBe('app.py');
  });

  it('the static fixture: one annotation per finding, none for a passing gate', () => {
    const r = fixture('static-example.json');
    const lines = annotations(r).map(parse);
    expect(lines).toHaveLength(r.findings.length);
    expect(lines.every((l) => l.props.file === 'app.py')).toBe(true);
  });

  it('keeps the most important within GitHub’s 10 per level and says how many were left out', () => {
    const findings = [
      ...Array.from({ length: 15 }, (_, i) => finding({ severity: 'HIGH', line: i + 1 })),
      ...Array.from({ length: 3 }, (_, i) => finding({ severity: 'MEDIUM', line: 100 + i })),
      ...Array.from({ length: 12 }, (_, i) => finding({ severity: 'LOW', line: 200 + i })),
    ];
    const all = annotations(report({ findings }));
    expect(all).toHaveLength(30);
    const lines = annotations(report({ findings }), { limitPerLevel: 10 }).map(parse);
    const count = (level: string) => lines.filter((l) => l.level === level).length;
    expect(count('error')).toBe(10);
    expect(count('warning')).toBe(3);
    expect(count('notice')).toBe(10);
    const last = lines[lines.length - 1];
    expect(last.props.title).toBe('heapgate: more results');
    expect(last.data).toMatch(/^8 more annotations left out \(5 errors, 3 notices\)/);
    // The first ten errors are the first ten lines.
    expect(lines.slice(0, 10).map((l) => l.props.line)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
  });

  it('annotates findings in the project with their file, never paths outside it', () => {
    const lines = annotations(
      report({
        findings: [
          finding({ file: 'app.py', message: 'inside' }),
          finding({ file: '../outside.py', message: 'parent' }),
          finding({ file: '/abs/x.py', message: 'absolute' }),
          finding({ file: 'pkg/mod.py', message: 'nested' }),
        ],
      }),
    ).map(parse);
    const byMessage = new Map(lines.map((l) => [l.data.split(' Fix: ')[0], l.props.file]));
    expect(byMessage).toEqual(
      new Map([
        ['inside', 'app.py'],
        ['parent', undefined],
        ['absolute', undefined],
        ['nested', 'pkg/mod.py'],
      ]),
    );
  });
});
