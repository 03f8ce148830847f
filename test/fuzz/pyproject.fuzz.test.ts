/**
 * Fuzzing the pyproject.toml reader (issue 13): random and mutated `[tool.heapgate]` tables, seeded so
 * every run draws the same cases. Whatever a repository's file says: a clean error (UsageError, exit 2)
 * or valid options whose paths stay inside the project — never another exception, and reading it writes
 * nothing anywhere. A dozen cases also go through the real CLI: exit 0, 1 or 2, nothing written
 * outside the project.
 */
import { mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDynamicOptions } from '../../src/config/dynamic.js';
import { checkConfigKeys, resolveAnalyzeOptions } from '../../src/config/options.js';
import { readPyprojectConfig } from '../../src/config/pyproject.js';
import { UsageError } from '../../src/errors.js';
import { heapgate, tempProject } from '../helpers/cli.js';
import { int, mutate, pick, seeded, type Random } from './random.js';

const SEED = 2024;
const KEYS = [
  'fail-on',
  'select',
  'ignore',
  'exclude',
  'format',
  'output-dir',
  'cache',
  'cache-dir',
  'max-file-size',
  'file-timeout',
  'target',
  'scenarios',
  'budget',
  'ready-timeout',
  'heap-counter',
  'iterations',
  'duration',
  'python',
  'ready-path',
  'allow-remote',
  'trace-depth',
  'grace',
  'output_dir',
  'fial-on',
];
const STRINGS = [
  '"HIGH"',
  '"R1,M5"',
  '"json"',
  '"reports"',
  '"/etc"',
  '"../../.."',
  '"/tmp/heapgate-fuzz-outside"',
  '"~/x"',
  '".heapgate_cache"',
  '"10MB"',
  '"60s"',
  '"python app.py"',
  '"scenarios"',
  '"."',
  '""',
  '"a\\u0000b"',
  '"sub/../../escape"',
  '"/"',
];

function tomlValue(random: Random, depth = 0): string {
  switch (int(random, depth > 1 ? 4 : 7)) {
    case 0:
      return pick(random, STRINGS);
    case 1:
      return pick(random, ['0', '-1', '3', '1.5', '1e400', '9007199254740993']);
    case 2:
      return pick(random, ['true', 'false']);
    case 3:
      return pick(random, ['1979-05-27', 'inf', 'nan', '0x1F']);
    case 4:
    case 5:
      return `[${Array.from({ length: int(random, 4) }, () => tomlValue(random, depth + 1)).join(', ')}]`;
    default:
      return `{ ${Array.from({ length: int(random, 3) }, () => `${pick(random, ['growth', 'rate', 'threads', 'x'])} = ${tomlValue(random, depth + 1)}`).join(', ')} }`;
  }
}

const BASE = [
  '[project]',
  'name = "svc"',
  '',
  '[tool.heapgate]',
  'fail-on = "HIGH"',
  'select = ["R1", "R2"]',
  'exclude = ["tests", "migrations/**"]',
  'format = "text"',
  'output-dir = "reports"',
  'cache-dir = ".heapgate_cache"',
  'max-file-size = "10MB"',
  'target = "python app.py"',
  'scenarios = ["heapgate/scenarios"]',
  'budget = { growth = "64B", threads = 0 }',
  'ready-timeout = "30s"',
  '',
].join('\n');

function fuzzCase(random: Random): string {
  if (random() < 0.5) return mutate(random, BASE);
  const lines = ['[tool.heapgate]'];
  for (let i = int(random, 6); i > 0; i--) lines.push(`${pick(random, KEYS)} = ${tomlValue(random)}`);
  return `${lines.join('\n')}\n`;
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(realpathSync(root), p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

describe('fuzz: the pyproject.toml reader', () => {
  it('2000 cases in process: a UsageError or options whose paths stay in the project', () => {
    const random = seeded(SEED);
    const parent = tempProject({});
    const root = path.join(parent, 'project');
    mkdirSync(path.join(root, 'heapgate/scenarios'), { recursive: true });
    let valid = 0;
    for (let c = 0; c < 2000; c++) {
      const text = fuzzCase(random);
      writeFileSync(path.join(root, 'pyproject.toml'), text);
      try {
        const config = readPyprojectConfig(root);
        checkConfigKeys(config);
        const analyze = resolveAnalyzeOptions(root, {});
        const dynamic = resolveDynamicOptions({}, config, root);
        for (const p of [analyze.cacheDir, analyze.outputDir, ...dynamic.scenarioPaths]) {
          if (p !== null) expect(inside(root, path.resolve(p)), `case ${c}: ${p}\n${text}`).toBe(true);
        }
        valid++;
      } catch (error) {
        if (!(error instanceof UsageError)) {
          throw new Error(`case ${c} (seed ${SEED}) threw ${(error as Error).stack}\ninput:\n${text}`);
        }
      }
    }
    expect(valid).toBeGreaterThan(50);
    expect(readdirSync(parent)).toEqual(['project']);
    expect(readdirSync(root).sort()).toEqual(['heapgate', 'pyproject.toml']);
  });

  it('12 cases through the CLI: exit 0, 1 or 2, and nothing written outside the project', async () => {
    const random = seeded(SEED + 1);
    const parent = tempProject({});
    mkdirSync(path.join(parent, 'outside'));
    for (let c = 0; c < 12; c++) {
      const root = path.join(parent, `p${c}`);
      mkdirSync(root);
      writeFileSync(path.join(root, 'app.py'), 'def f(x=[]):\n    return x\n');
      const text = fuzzCase(random);
      writeFileSync(path.join(root, 'pyproject.toml'), text);
      const result = await heapgate(['analyze', '.'], { cwd: root });
      expect([0, 1, 2], `case ${c}: ${result.stderr}\n${text}`).toContain(result.exitCode);
      expect(result.stderr).not.toContain('internal error');
    }
    expect(readdirSync(path.join(parent, 'outside'))).toEqual([]);
    expect(readdirSync(parent).filter((n) => !/^p\d+$/.test(n))).toEqual(['outside']);
  });
});
