import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { heapgate, tempProject } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
type Validator = ((data: unknown) => boolean) & { errors?: unknown[] | null };
const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: object): Validator };

const APP = [
  'def record(event, seen=[]):  # M5',
  '    seen.append(event)',
  '    return seen',
  '',
  'def quiet(event, seen={}):  # heapgate: ignore[M5]',
  '    return seen',
  '',
  'def fine(event, seen=None):',
  '    return seen',
  '',
].join('\n');

/** A route that calls the flagged functions, so their findings run per request and keep their severity. */
const SERVER = [
  'from flask import Flask',
  'from app import record',
  'from pkg.util import g',
  'from a_first import z',
  'server = Flask(__name__)',
  '',
  '@server.route("/")',
  'def index():',
  '    record(1)',
  '    g(1)',
  '    z()',
  '    return "ok"',
  '',
].join('\n');

function project(extra: Record<string, string> = {}): string {
  return tempProject({ 'app.py': APP, 'pkg/util.py': 'def g(a, b={}):\n    return b\n', ...extra });
}

/** The project with a route reaching its findings (their severity is the rule's). */
function routedProject(extra: Record<string, string> = {}): string {
  return project({ 'server.py': SERVER, ...extra });
}

describe('heapgate analyze', () => {
  it('prints a table grouped by file and a summary, exit 0 without --fail-on', async () => {
    const dir = routedProject();
    const result = await heapgate(['analyze', dir]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('app.py');
    expect(result.stdout).toContain('pkg/util.py');
    expect(result.stdout).toContain("Parameter 'seen' defaults to a mutable list");
    expect(result.stdout).toMatch(/2 findings in 2 files \(2 MEDIUM\)/);
    expect(result.stdout).toContain('1 suppressed');
    // Without --fail-on nothing is gated: it must not claim a gate passed (issue 13).
    expect(result.stdout).toContain('not gated (no --fail-on)');
    expect(result.stdout).not.toContain('gate passed');
  });

  it('exits 1 when a finding is at or above --fail-on, 0 when all are below', async () => {
    const dir = routedProject();
    const failing = await heapgate(['analyze', dir, '--fail-on', 'medium']);
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toContain('gate failed: 2 findings at or above MEDIUM');
    const passing = await heapgate(['analyze', dir, '--fail-on', 'HIGH']);
    expect(passing.exitCode).toBe(0);
  });

  it('writes the JSON report with findings sorted by file, line, column', async () => {
    const dir = routedProject({ 'a_first.py': 'def z(q=[], r={}):\n    pass\n' });
    const result = await heapgate(['analyze', dir, '--format', 'json']);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('heapgate');
    expect(report.scenarios).toEqual([]);
    expect(report.gate).toEqual({ passed: true, reasons: [] });
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual([
      'a_first.py:1:9',
      'a_first.py:1:15',
      'app.py:1:24',
      'pkg/util.py:1:12',
    ]);
    for (const f of report.findings) {
      expect(f).toMatchObject({
        rule: 'MEMORY_MUTABLE_DEFAULT',
        severity: 'MEDIUM',
        dynamic: 'not-exercised',
      });
      expect(typeof f.fix).toBe('string');
      expect(['low', 'medium', 'high']).toContain(f.confidence);
    }
    expect(report.findings[2].function).toBe('record');
  });

  it('writes every format to --output-dir: valid SARIF 2.1.0, parseable JUnit, Markdown', async () => {
    const dir = project();
    const out = path.join(dir, 'reports');
    const result = await heapgate([
      'analyze',
      dir,
      '--format',
      'json,sarif,junit,markdown,text',
      '--output-dir',
      out,
      '--fail-on',
      'LOW',
    ]);
    expect(result.exitCode).toBe(1);
    expect(readdirSync(out).sort()).toEqual([
      'heapgate.json',
      'heapgate.junit.xml',
      'heapgate.md',
      'heapgate.sarif',
      'heapgate.txt',
    ]);

    const sarif = JSON.parse(readFileSync(path.join(out, 'heapgate.sarif'), 'utf8'));
    const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
    const validate = new Ajv({
      strict: false,
      unicodeRegExp: false,
      validateFormats: false,
      allErrors: true,
    }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = sarif.runs[0];
    expect(run.results).toHaveLength(2);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('app.py');
    const rule = run.tool.driver.rules[run.results[0].ruleIndex];
    expect(rule.id).toBe('MEMORY_MUTABLE_DEFAULT');
    expect(rule.help.markdown).toContain('### Fix');

    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(path.join(out, 'heapgate.junit.xml'), 'utf8'),
    );
    expect(junit.testsuites['@_failures']).toBe('2');
    const suites = [junit.testsuites.testsuite].flat();
    const m5 = suites.find((s: { '@_name': string }) => s['@_name'].includes('M5'));
    expect(m5['@_failures']).toBe('2');
    expect([m5.testcase].flat()[0].failure['@_message']).toContain("Parameter 'seen'");

    const markdown = readFileSync(path.join(out, 'heapgate.md'), 'utf8');
    expect(markdown).toContain('## heapgate: ❌ failed');
    expect(markdown).toContain('`app.py:1`');
    expect(result.stderr).toContain('gate failed');
  });

  it('selects and ignores rules by short or long id', async () => {
    const dir = project();
    const selected = await heapgate(['analyze', dir, '--select', 'm5', '--format', 'json']);
    expect((JSON.parse(selected.stdout) as Report).findings).toHaveLength(2);
    const ignored = await heapgate([
      'analyze',
      dir,
      '--ignore',
      'MEMORY_MUTABLE_DEFAULT',
      '--format',
      'json',
    ]);
    expect((JSON.parse(ignored.stdout) as Report).findings).toHaveLength(0);
  });

  it('skips venvs, site-packages, node_modules, .gitignore entries and --exclude globs', async () => {
    const bad = 'def f(x=[]):\n    pass\n';
    const dir = tempProject({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'generated/\n*_pb2.py\n',
      'app.py': bad,
      'env1/pyvenv.cfg': 'home = /usr/bin\n',
      'env1/lib/mod.py': bad,
      'lib/site-packages/dep.py': bad,
      'node_modules/x/y.py': bad,
      'generated/gen.py': bad,
      'api_pb2.py': bad,
      'tests/test_app.py': bad,
      'sub/.gitignore': 'local.py\n',
      'sub/local.py': bad,
      'sub/kept.py': bad,
    });
    const result = await heapgate(['analyze', dir, '--format', 'json', '--exclude', 'tests']);
    const files = (JSON.parse(result.stdout) as Report).findings.map((f) => f.file);
    expect(files).toEqual(['app.py', 'sub/kept.py']);
  });

  it('analyses a single file given as PATH', async () => {
    const dir = project();
    const result = await heapgate(['analyze', path.join(dir, 'pkg/util.py'), '--format', 'json']);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings.map((f) => f.file)).toEqual(['util.py']);
  });
});

describe('heapgate analyze: usage errors exit 2 and name the culprit', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown severity', ['--fail-on', 'SEVERE'], /--fail-on: expected one of LOW, MEDIUM, HIGH, CRITICAL/],
    ['unknown rule', ['--select', 'R9'], /--select: unknown rule 'R9'/],
    ['unknown format', ['--format', 'pdf'], /--format: unknown format 'pdf'/],
    ['several formats to stdout', ['--format', 'json,sarif'], /need --output-dir/],
    ['unknown flag', ['--frobnicate'], /unknown option '--frobnicate'/],
    ['bad size', ['--max-file-size', 'lots'], /--max-file-size: expected a size/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const dir = project();
      const result = await heapgate(['analyze', dir, ...args]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    });
  }

  it('a missing PATH', async () => {
    const result = await heapgate(['analyze', '/nonexistent/heapgate/path']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('/nonexistent/heapgate/path: no such file or folder');
  });

  it('an unwritable --output leaves nothing behind', async () => {
    const dir = project();
    const blocker = path.join(dir, 'app.py', 'report.json'); // a file where a folder should be
    const result = await heapgate(['analyze', dir, '--format', 'json', '--output', blocker]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--output');
    // Checked before any work starts (issue 13): not even the cache is written.
    expect(readdirSync(dir).sort()).toEqual(['app.py', 'pkg']);
  });
});

describe('[tool.heapgate] in pyproject.toml', () => {
  it('applies settings, and flags win over them', async () => {
    const dir = routedProject({
      'pyproject.toml': '[project]\nname = "svc"\n\n[tool.heapgate]\nfail-on = "MEDIUM"\nexclude = ["pkg"]\n',
    });
    const fromConfig = await heapgate(['analyze', dir, '--format', 'json']);
    expect(fromConfig.exitCode).toBe(1);
    expect((JSON.parse(fromConfig.stdout) as Report).findings.map((f) => f.file)).toEqual(['app.py']);
    const flagsWin = await heapgate([
      'analyze',
      dir,
      '--format',
      'json',
      '--fail-on',
      'HIGH',
      '--exclude',
      'nothing',
    ]);
    expect(flagsWin.exitCode).toBe(0);
    expect((JSON.parse(flagsWin.stdout) as Report).findings).toHaveLength(2);
  });

  it('rejects a bad value naming the file and the field', async () => {
    const dir = project({ 'pyproject.toml': '[tool.heapgate]\nfail_on = "URGENT"\n' });
    const result = await heapgate(['analyze', dir]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `${path.join(dir, 'pyproject.toml')}: [tool.heapgate] fail-on: expected one of`,
    );
  });

  it('rejects unknown settings and broken TOML', async () => {
    const unknown = project({ 'pyproject.toml': '[tool.heapgate]\nfial-on = "HIGH"\n' });
    const a = await heapgate(['analyze', unknown]);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toContain('[tool.heapgate] fial-on: unknown setting');
    const broken = project({ 'pyproject.toml': '[tool.heapgate\nselect = \n' });
    const b = await heapgate(['analyze', broken]);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain('pyproject.toml: not valid TOML');
  });
});

describe('the cache', () => {
  it('serves unchanged files, re-analyses changed ones, and is bypassed by --no-cache', async () => {
    const dir = project();
    const first = JSON.parse((await heapgate(['analyze', dir, '--format', 'json'])).stdout) as Report;
    expect(first.static!.cache).toEqual({ hits: 0, misses: 2 });
    expect(existsSync(path.join(dir, '.heapgate_cache', '.gitignore'))).toBe(true);
    const second = JSON.parse((await heapgate(['analyze', dir, '--format', 'json'])).stdout) as Report;
    expect(second.static!.cache).toEqual({ hits: 2, misses: 0 });
    expect(second.findings).toEqual(first.findings);

    // Same size, different content: the hash, not the size, decides.
    const util = path.join(dir, 'pkg/util.py');
    const changed = readFileSync(util, 'utf8').replace('b={}', 'b=()');
    await import('node:fs').then((fs) => fs.writeFileSync(util, changed));
    const third = JSON.parse((await heapgate(['analyze', dir, '--format', 'json'])).stdout) as Report;
    expect(third.static!.cache).toEqual({ hits: 1, misses: 1 });
    expect(third.findings.map((f) => f.file)).toEqual(['app.py']);

    const fresh = project();
    const nocache = JSON.parse(
      (await heapgate(['analyze', fresh, '--format', 'json', '--no-cache'])).stdout,
    ) as Report;
    expect(nocache.static!.cache.misses).toBe(2);
    expect(existsSync(path.join(fresh, '.heapgate_cache'))).toBe(false);
  });

  it('gives the same findings on worker threads as on the main thread', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`m${i}.py`] = `def f${i}(a, b=[${i}]):\n    return b\n`.repeat(200);
    const dir = tempProject(files);
    const threaded = JSON.parse(
      (await heapgate(['analyze', dir, '--format', 'json', '--no-cache', '--threads', '2'])).stdout,
    ) as Report;
    const inline = JSON.parse(
      (await heapgate(['analyze', dir, '--format', 'json', '--no-cache', '--threads', '0'])).stdout,
    ) as Report;
    expect(threaded.findings).toHaveLength(40 * 200);
    expect(threaded.findings).toEqual(inline.findings);
  });
});
