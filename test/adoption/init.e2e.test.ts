/**
 * Issue 16, item 2, done when: `heapgate init` then the gate with no flags works. init writes
 * [tool.heapgate] (the target found, the scenario folder) and one scenario file per route saying what it
 * guessed, never overwrites, writes the CI workflow when asked, and writes nothing when it cannot tell
 * which service to start.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../src/scenarios/validate.js';
import { heapgate, REPO } from '../helpers/cli.js';
import { heapgateLeavingNothing, reportOf } from '../helpers/soak.js';
import { tempDir } from '../helpers/temp.js';

const ADOPTION = path.join(REPO, 'test/fixtures/adoption');

function copyOf(fixture: string): string {
  const dir = tempDir('heapgate-init-');
  cpSync(path.join(ADOPTION, fixture), dir, { recursive: true });
  return dir;
}

describe('heapgate init', () => {
  it('then the gate with no flags: it starts the service from [tool.heapgate] and confirms the leak', async () => {
    const dir = copyOf('flask');
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "visits"\n');
    const init = await heapgate(['init', '--ci'], { cwd: dir });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).toContain('heapgate: target: "');
    expect(init.stdout).toContain('heapgate/get-track-visitor.json: written');

    const pyproject = readFileSync(path.join(dir, 'pyproject.toml'), 'utf8');
    expect(pyproject.startsWith('[project]\nname = "visits"\n\n[tool.heapgate]\n')).toBe(true);
    const table = (parse(pyproject) as { tool: { heapgate: Record<string, unknown> } }).tool.heapgate;
    expect(table.target).toMatch(/ -m flask --app app:app run --host 127\.0\.0\.1 --port \{port\}$/);
    expect(table.scenarios).toEqual(['heapgate']);

    const file = path.join(dir, 'heapgate/get-track-visitor.json');
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(written.name).toBe('GET /track/<visitor>');
    expect(written.description).toContain('Guessed: the path parameters');
    expect(written.request).toEqual({ method: 'GET', path: '/track/visitor-{i}' });
    expect(() => validateScenario(written, { file })).not.toThrow();
    expect(readFileSync(path.join(dir, '.github/workflows/heapgate.yml'), 'utf8')).toContain(
      'heapgate analyze . --enable-memory-budget-gate',
    );

    const gate = await heapgateLeavingNothing(
      ['analyze', '.', '--enable-memory-budget-gate', '--no-cache', '--format', 'json'],
      { cwd: dir },
    );
    const report = reportOf(gate);
    expect(gate.exitCode, gate.stderr).toBe(1);
    expect(gate.stderr).not.toContain('no --target given');
    expect(report.scenarios[0]).toMatchObject({
      name: 'GET /track/<visitor>',
      phase: 'selected',
      verdict: 'fail',
    });
    expect(report.findings[0]).toMatchObject({ dynamic: 'confirmed' });
    // Two runs of the CLI, one of them a soak: more than one test's default time on a loaded machine.
  }, 180_000);

  it('never overwrites: a second init keeps the edited scenario and the configured target', async () => {
    const dir = copyOf('fastapi');
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[tool.heapgate]\ntarget = "python3 -m uvicorn main:app --port {port}"\n',
    );
    const first = await heapgate(['init'], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain('[tool.heapgate] scenarios added');
    expect(first.stdout).toContain('[tool.heapgate] target already set, kept');
    const file = path.join(dir, 'heapgate/get-sessions-sid.json');
    writeFileSync(file, '{ "name": "mine", "request": { "path": "/sessions/{i}" } }\n');
    const second = await heapgate(['init'], { cwd: dir });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('heapgate/get-sessions-sid.json: exists, kept');
    expect(readFileSync(file, 'utf8')).toContain('"mine"');
    expect(readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')).toBe(
      '[tool.heapgate]\nscenarios = ["heapgate"]\ntarget = "python3 -m uvicorn main:app --port {port}"\n',
    );
  });

  it('two apps: exit 2 naming both, and nothing written', async () => {
    const dir = copyOf('two-apps');
    const before = readdirSync(dir).sort();
    const result = await heapgate(['init'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('a Flask app `admin` in admin.py; a FastAPI app `api` in api.py');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(path.join(dir, 'heapgate'))).toBe(false);
  });
});
