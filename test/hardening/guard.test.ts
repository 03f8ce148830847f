/**
 * Issue 13: a file that exhausts the parser (a 50 MB file with a raised --max-file-size aborted
 * web-tree-sitter's wasm module: "internal error", every other file's findings lost) or takes too long
 * is reported as not fully analysed, and everyone else's findings are kept.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { analyzeGuarded } from '../../src/static/pool.js';
import type { SourceFile } from '../../src/static/discover.js';
import { heapgate, REPO, tempProject } from '../helpers/cli.js';

const LEAK = 'def handler(event, seen=[]):\n    seen.append(event)\n    return seen\n';

describe('the per-file guard on the parser threads', () => {
  it('reports a file that aborts the parser, kills its thread or hangs; the others are analysed', async () => {
    const names = ['a.py', 'abort.py', 'b.py', 'exit.py', 'c.py', 'hang.py', 'd.py', 'e.py'];
    const files: SourceFile[] = names.map((rel, i) => ({
      abs: `/nowhere/${rel}`,
      rel,
      size: 100 + i,
      mtimeMs: 0,
    }));
    const worker = pathToFileURL(path.join(REPO, 'test/fixtures/hostile/parser-worker.mjs'));
    const analyzed = await analyzeGuarded(files, worker, 2, { fileTimeoutMs: 2000 });
    const byFile = new Map(analyzed.map((a) => [a.result.file, a]));
    expect([...byFile.keys()].sort()).toEqual([...names].sort());
    for (const rel of ['a.py', 'b.py', 'c.py', 'd.py', 'e.py']) {
      expect(byFile.get(rel)).toEqual({
        result: { file: rel, findings: [], suppressed: 0, routes: [], problems: [] },
        hash: `hash-of-${rel}`,
      });
    }
    expect(byFile.get('abort.py')!.result.problems).toEqual([
      expect.objectContaining({ kind: 'analysis-limit', message: expect.stringContaining('out of memory') }),
    ]);
    expect(byFile.get('exit.py')!.result.problems[0].message).toContain('its thread exited (7)');
    expect(byFile.get('hang.py')!.result.problems).toEqual([
      expect.objectContaining({ kind: 'analysis-limit', message: expect.stringContaining('--file-timeout') }),
    ]);
    // A guard's verdict is not cached.
    expect(byFile.get('abort.py')!.hash).toBeNull();
  });

  it('end to end: a big file over --file-timeout is reported, the other files keep their findings', async () => {
    const rows = Array.from({ length: 80_000 }, (_, i) => `    "key_${i}": [${i}, ${i * 2}, "v${i}"],`);
    const big = `TABLE = {\n${rows.join('\n')}\n}\n\n${LEAK}${'# padding line for a big file\n'.repeat(60_000)}`;
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    const dir = tempProject({ 'big.py': big, 'ok.py': LEAK, 'pkg/also.py': LEAK });
    const result = await heapgate([
      'analyze',
      dir,
      '--format',
      'json',
      '--no-cache',
      '--threads',
      '0',
      '--file-timeout',
      '10ms',
    ]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings.map((f) => f.file)).toEqual(['ok.py', 'pkg/also.py']);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'analysis-limit',
        file: 'big.py',
        message: expect.stringContaining('10 ms'),
      }),
    ]);
  });
});
