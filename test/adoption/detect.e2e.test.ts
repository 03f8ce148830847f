/**
 * Issue 16, item 1, done when: on a Flask, a FastAPI, an aiohttp, a Django and an http.server service with
 * no flags and no config, `heapgate analyze . --enable-memory-budget-gate` finds the target, says which
 * command it chose, and gates (each leaks, so each finding is confirmed and the gate fails); a project where
 * two apps are found gets the exit-2 message naming both.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { gate } from '../helpers/gate.js';
import { heapgateLeavingNothing } from '../helpers/soak.js';

export const ADOPTION = path.join(REPO, 'test/fixtures/adoption');

describe('a target found by itself', () => {
  const cases: [string, string, string][] = [
    ['flask', 'a Flask app `app` in app.py', '-m flask --app app:app run --host 127.0.0.1 --port {port}'],
    ['fastapi', 'a FastAPI app `app` in main.py', '-m uvicorn --host 127.0.0.1 --port {port} main:app'],
    [
      'aiohttp',
      'an aiohttp app factory `make_app(argv)` in server.py',
      '-m aiohttp.web -H 127.0.0.1 -P {port} server:make_app',
    ],
    ['django', "Django's manage.py in manage.py", 'manage.py runserver 127.0.0.1:{port} --noreload'],
    ['http-server', 'an http.server script that reads its port in serve.py', 'serve.py'],
  ];
  for (const [app, what, command] of cases) {
    it(`${app}: no flags, no config — the gate starts it and confirms the leak`, async () => {
      const { exitCode, report, stderr } = await gate(app, [], ADOPTION);
      expect(stderr).toMatch(
        new RegExp(`note: no --target given: heapgate starts "\\S+ ${escape(command)}" \\(${escape(what)}; `),
      );
      expect(exitCode, stderr).toBe(1);
      expect(report.findings[0]).toMatchObject({
        rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
        dynamic: 'confirmed',
      });
      expect(report.scenarios[0]).toMatchObject({ phase: 'selected', verdict: 'fail' });
    });
  }

  it('two apps: exit 2, naming both and how to choose', async () => {
    const result = await heapgateLeavingNothing(
      ['analyze', '.', '--enable-memory-budget-gate', '--no-cache'],
      {
        cwd: path.join(ADOPTION, 'two-apps'),
      },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'heapgate found 2 services it could start (a Flask app `admin` in admin.py; a FastAPI app `api` in api.py): pass --target "CMD" to choose',
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
