/**
 * Held by and honest attribution under `soak`: a module global named with its growth and the line that
 * fills it, the growth explained; a native leak (libxml2's name dictionary, through lxml) reported as
 * outside the Python heap, its clean twin passing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { DEBIAN_PYTHON, scenario, SERVICES, soak } from '../helpers/soak.js';

const uniquePaths = scenario('unique-paths.json');
const HOLDERS = path.join(REPO, 'test/fixtures/holders');

function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

describe('held by under soak', () => {
  it('names the module global that grows, the line that fills it, and how much of the growth it keeps', async () => {
    const run = await soak([
      '--target',
      'env LEAK=heap python3 stdlib_service.py',
      '--scenarios',
      uniquePaths,
    ]);
    expect(run.exitCode).toBe(1);
    const [s] = run.report.scenarios;
    const line = lineOf(path.join(SERVICES, 'stdlib_service.py'), 'STORE[path] = ');
    expect(s.heldBy).toHaveLength(1);
    expect(s.heldBy![0]).toMatchObject({
      path: 'stdlib_service.STORE',
      type: 'dict',
      entriesPerIteration: 1,
      addedAt: `stdlib_service.py:${line}`,
      ownCode: true,
    });
    expect(s.heldBy![0].findings).toBeUndefined(); // soak has no static phase to tie it to
    expect(s.leakSites[0]).toMatchObject({ file: 'stdlib_service.py', line, role: 'retains' });
    expect(s.explained).toMatchObject({ outsidePythonHeap: false });
    expect(s.explained!.share).toBeGreaterThan(0.5);
    expect(s.holdersSearch!.objects).toBeGreaterThan(1000);
  });

  it('reports a native leak through lxml as outside the Python heap; its clean twin passes', async () => {
    const target = (names: string) => ['--target', `env XML_NAMES=${names} ${DEBIAN_PYTHON} xml_names.py`];
    const leaky = await soak([...target('unique'), '--scenarios', uniquePaths, '--cwd', HOLDERS]);
    expect(leaky.exitCode).toBe(1);
    const [s] = leaky.report.scenarios;
    expect(s.verdict).toBe('fail');
    expect(s.explained).toMatchObject({ outsidePythonHeap: true });
    expect(s.explained!.share).toBeLessThan(0.25);
    expect(s.heldBy).toEqual([]);
    expect(s.reasons!.at(-1)).toMatch(/^the growth is outside the Python heap \(native memory/);

    const clean = await soak([...target('stable'), '--scenarios', uniquePaths, '--cwd', HOLDERS]);
    expect(clean.exitCode).toBe(0);
    expect(clean.report.scenarios[0].explained).toBeUndefined();
  });
});
