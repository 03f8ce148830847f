import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { heapgate, tempProject } from '../helpers/cli.js';

const LEAK = 'def handler(event, seen=[]):\n    seen.append(event)\n    return seen\n';

async function analyzeJson(dir: string, ...args: string[]): Promise<{ report: Report; exitCode: number }> {
  const result = await heapgate(['analyze', dir, '--format', 'json', '--no-cache', ...args]);
  return { report: JSON.parse(result.stdout) as Report, exitCode: result.exitCode };
}

describe('inputs that must not stop a run', () => {
  it('reports a syntax error once and still analyses the rest of the file', async () => {
    const dir = tempProject({
      'broken.py': `${LEAK}\ndef oops(:\n    pass\n\ndef later(x={}):\n    return x\n`,
      'ok.py': LEAK,
    });
    const { report, exitCode } = await analyzeJson(dir);
    expect(exitCode).toBe(0);
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual([
      'broken.py:1',
      'broken.py:8',
      'ok.py:1',
    ]);
    const problems = report.problems!.filter((p) => p.file === 'broken.py');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'syntax-error', line: 5 });
  });

  it('reports an unclosed bracket at the end of a file', async () => {
    const dir = tempProject({ 'tail.py': `${LEAK}\nitems = compute(1,\n` });
    const { report } = await analyzeJson(dir);
    expect(report.findings).toHaveLength(1);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'syntax-error', file: 'tail.py' })]);
  });

  it('skips a file that is not UTF-8 and decodes one that declares its encoding', async () => {
    const latin1 = Buffer.from('# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\n' + LEAK, 'latin1');
    const invalid = Buffer.concat([
      Buffer.from('x = "'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"\n' + LEAK),
    ]);
    const dir = tempProject({ 'declared.py': latin1, 'invalid.py': invalid });
    const { report, exitCode } = await analyzeJson(dir);
    expect(exitCode).toBe(0);
    expect(report.findings.map((f) => f.file)).toEqual(['declared.py']);
    expect(report.findings[0].line).toBe(3);
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'not-utf8', file: 'invalid.py', line: 1 }),
    ]);
  });

  it('skips a binary file named .py and analyses an empty one quietly', async () => {
    const dir = tempProject({
      'blob.py': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]),
      'empty.py': '',
      'ok.py': LEAK,
    });
    const { report } = await analyzeJson(dir);
    expect(report.findings.map((f) => f.file)).toEqual(['ok.py']);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'binary', file: 'blob.py' })]);
  });

  it('gets through a 5 MB generated file', async () => {
    const rows = Array.from({ length: 80_000 }, (_, i) => `    "key_${i}": [${i}, ${i * 2}, "v${i}"],`);
    const generated = `TABLE = {\n${rows.join('\n')}\n}\n\n${LEAK}`;
    expect(generated.length).toBeGreaterThan(2.5 * 1024 * 1024);
    const big = `${generated}\n${'# padding line for a 5 MB file\n'.repeat(80_000)}`;
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    const dir = tempProject({ 'generated.py': big, 'ok.py': LEAK });
    const { report, exitCode } = await analyzeJson(dir);
    expect(exitCode).toBe(0);
    expect(report.findings.map((f) => f.file)).toEqual(['generated.py', 'ok.py']);
    expect(report.problems).toEqual([]);
    const limited = await analyzeJson(dir, '--max-file-size', '1MB');
    expect(limited.report.findings.map((f) => f.file)).toEqual(['ok.py']);
    expect(limited.report.problems).toEqual([
      expect.objectContaining({ kind: 'too-large', file: 'generated.py' }),
    ]);
  });

  it('reports a symlink loop once and finishes', async () => {
    const dir = tempProject({ 'pkg/ok.py': LEAK });
    symlinkSync(path.join(dir, 'pkg'), path.join(dir, 'pkg', 'again'));
    symlinkSync('self.py', path.join(dir, 'self.py'));
    const { report, exitCode } = await analyzeJson(dir);
    expect(exitCode).toBe(0);
    expect(report.findings.map((f) => f.file)).toEqual(['pkg/ok.py']);
    expect(report.problems!.map((p) => `${p.kind} ${p.file}`).sort()).toEqual([
      'symlink-loop pkg/again',
      'symlink-loop self.py',
    ]);
  });

  it('stays inside the tree: a link to / is not walked, links that leave are reported and not followed', async () => {
    const outside = tempProject({ 'elsewhere.py': LEAK, 'lib/more.py': LEAK });
    const dir = tempProject({ 'pkg/ok.py': LEAK });
    symlinkSync('/', path.join(dir, 'root'));
    symlinkSync(path.join(outside, 'lib'), path.join(dir, 'pkg', 'lib'));
    symlinkSync(path.join(outside, 'elsewhere.py'), path.join(dir, 'linked.py'));
    symlinkSync(path.join(dir, 'pkg', 'ok.py'), path.join(dir, 'inside.py')); // inside: followed
    const { report, exitCode } = await analyzeJson(dir);
    expect(exitCode).toBe(0);
    expect(report.findings.map((f) => f.file)).toEqual(['inside.py', 'pkg/ok.py']);
    expect(report.static!.filesAnalyzed).toBe(2);
    expect(report.problems!.map((p) => `${p.kind} ${p.file}`).sort()).toEqual([
      'outside-tree linked.py',
      'outside-tree pkg/lib',
      'outside-tree root',
    ]);
    expect(report.problems!.find((p) => p.file === 'root')!.message).toBe(
      'links outside the analysed folder (to /); not followed',
    );
  });
});
