/**
 * Issue 16, item 5: .pre-commit-hooks.yaml. The hook's fields are ones pre-commit reads, its entry names
 * the package's own bin, and running the entry with its args the way pre-commit would (no file names, from
 * the repository's root) fails on a leak and passes a clean project.
 */
import { cpSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapgate, REPO, tempProject } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  args?: string[];
  language: string;
  types?: string[];
  pass_filenames?: boolean;
  require_serial?: boolean;
}

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const HOOKS = yaml.load(readFileSync(path.join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const FIELDS = new Set([
  'id',
  'name',
  'entry',
  'language',
  'files',
  'exclude',
  'types',
  'types_or',
  'exclude_types',
  'always_run',
  'fail_fast',
  'verbose',
  'pass_filenames',
  'require_serial',
  'description',
  'language_version',
  'minimum_pre_commit_version',
  'args',
  'stages',
]);

describe('.pre-commit-hooks.yaml', () => {
  it('declares the heapgate hook with fields pre-commit knows, its entry the package bin', () => {
    expect(HOOKS.map((h) => h.id)).toEqual(['heapgate']);
    const [hook] = HOOKS;
    for (const key of Object.keys(hook)) expect(FIELDS.has(key), key).toBe(true);
    expect(hook).toMatchObject({ language: 'node', types: ['python'], pass_filenames: false });
    const bin = (
      JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> }
    ).bin;
    expect(Object.keys(bin)).toContain(hook.entry.split(' ')[0]);
  });

  const runHook = (cwd: string) => {
    const [hook] = HOOKS;
    const [, ...entryArgs] = hook.entry.split(' ');
    return heapgate([...entryArgs, ...(hook.args ?? [])], { cwd });
  };

  it('fails a commit that adds a leak, naming where', async () => {
    const dir = tempDir('heapgate-hook-');
    cpSync(path.join(REPO, 'test/fixtures/adoption/flask'), dir, { recursive: true });
    const result = await runHook(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("'VISITS'");
  });

  it('passes a clean project', async () => {
    const dir = tempProject({
      'app.py':
        'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/health")\ndef health():\n    return "ok"\n',
    });
    const result = await runHook(dir);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });
});
