/**
 * Issue 13, "It damages files": the cache never writes into the user's own files (`--cache-dir .` used
 * to overwrite the project's .gitignore with `*`, after which every run saw 0 files and passed), and the
 * paths a repository's pyproject.toml names (cache-dir, output-dir, scenarios) stay inside it unless
 * given on the command line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { heapgate, tempProject } from '../helpers/cli.js';

const LEAK = 'def handler(event, seen=[]):\n    seen.append(event)\n    return seen\n';

async function analyze(
  dir: string,
  ...args: string[]
): Promise<{ report: Report; exitCode: number; stderr: string }> {
  const result = await heapgate(['analyze', '.', '--format', 'json', ...args], { cwd: dir });
  return {
    report: JSON.parse(result.stdout || 'null') as Report,
    exitCode: result.exitCode,
    stderr: result.stderr,
  };
}

describe('the cache', () => {
  it('--cache-dir . leaves the project’s .gitignore alone, and later runs still see every file', async () => {
    const dir = tempProject({ 'app.py': LEAK, '.gitignore': 'node_modules\n' });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    for (let run = 0; run < 2; run++) {
      const { report } = await analyze(dir, '--cache-dir', '.');
      expect(report.static!.filesAnalyzed).toBe(1);
      expect(report.findings).toHaveLength(1);
    }
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n');
    expect(readdirSync(dir).sort()).toEqual(['.git', '.gitignore', '.heapgate_cache', 'app.py']);
    const second = await analyze(dir, '--cache-dir', '.');
    expect(second.report.static!.cache.hits).toBe(1);
  });

  it('creates no .gitignore in a project that has none', async () => {
    const dir = tempProject({ 'app.py': LEAK });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    await analyze(dir, '--cache-dir', '.');
    expect(existsSync(path.join(dir, '.gitignore'))).toBe(false);
    const { report } = await analyze(dir, '--cache-dir', '.');
    expect(report.static!.filesAnalyzed).toBe(1);
  });

  it('writes into a folder it made, and marks it', async () => {
    const dir = tempProject({ 'app.py': LEAK });
    await analyze(dir, '--cache-dir', 'cache');
    expect(readdirSync(path.join(dir, 'cache')).sort()).toEqual([
      '.gitignore',
      'CACHEDIR.TAG',
      'static-v1.json',
    ]);
    const { report } = await analyze(dir, '--cache-dir', 'cache');
    expect(report.static!.cache.hits).toBe(1);
  });
});

describe('paths in a repository’s pyproject.toml stay inside it', () => {
  const outside = () => tempProject({}, 'heapgate-test-outside-');

  it.each([
    ['cache-dir', '--cache-dir'],
    ['output-dir', '--output-dir'],
  ])('%s outside the project: exit 2, nothing written there', async (key, flagName) => {
    const target = outside();
    for (const value of [target, path.relative(os.tmpdir(), target).replace(/^/, '../')]) {
      const dir = tempProject({
        'app.py': LEAK,
        'pyproject.toml': `[tool.heapgate]\n${key} = ${JSON.stringify(value)}\n`,
      });
      const result = await heapgate(['analyze', '.'], { cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`[tool.heapgate] ${key}: '${value}' is outside the project`);
      expect(result.stderr).toContain(`pass ${flagName} on the command line`);
      expect(readdirSync(target)).toEqual([]);
    }
  });

  it('a symlink inside the project that leads out counts as outside', async () => {
    const target = outside();
    const dir = tempProject({
      'app.py': LEAK,
      'pyproject.toml': '[tool.heapgate]\ncache-dir = "cache/heapgate"\n',
    });
    symlinkSync(target, path.join(dir, 'cache'));
    const result = await heapgate(['analyze', '.'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(readdirSync(target)).toEqual([]);
  });

  it('scenarios outside the project are refused too (a .js scenario runs its code)', async () => {
    const target = tempProject({
      'evil.mjs': 'export default { name: "x", call: { function: "os:getpid" } };\n',
    });
    const dir = tempProject({
      'app.py': LEAK,
      'pyproject.toml': `[tool.heapgate]\nscenarios = ${JSON.stringify(path.join(target, 'evil.mjs'))}\n`,
    });
    const result = await heapgate(['scenarios', '.'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('[tool.heapgate] scenarios:');
    expect(result.stderr).toContain('pass --scenarios on the command line');
  });

  it('inside the project they work, and the command line may name any path', async () => {
    const dir = tempProject({
      'app.py': LEAK,
      'pyproject.toml': '[tool.heapgate]\noutput-dir = "reports"\nformat = "json"\n',
    });
    const inside = await heapgate(['analyze', '.'], { cwd: dir });
    expect(inside.exitCode).toBe(0);
    expect(existsSync(path.join(dir, 'reports', 'heapgate.json'))).toBe(true);
    const target = outside();
    mkdirSync(path.join(target, 'r'));
    const flag = await heapgate(['analyze', '.', '--output-dir', path.join(target, 'r')], { cwd: dir });
    expect(flag.exitCode).toBe(0);
    expect(existsSync(path.join(target, 'r', 'heapgate.json'))).toBe(true);
  });
});
