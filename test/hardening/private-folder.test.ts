/**
 * Issue 13: the shim's private folder was left in /tmp when heapgate was SIGKILLed. Now the shim removes
 * it when heapgate's end of the channel closes, and a heapgate sweeps the folders of runs whose heapgate
 * is gone (for targets whose shim never ran).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { sweepStaleFolders } from '../../src/service/harness.js';
import { freePort } from '../../src/service/readiness.js';
import { REPO } from '../helpers/cli.js';
import { expectNothingLeft } from '../helpers/processes.js';
import { SERVICES } from '../helpers/soak.js';
import { tempDir } from '../helpers/temp.js';

describe('the private folder', () => {
  it('is removed when heapgate is killed with SIGKILL', async () => {
    const script = `
      import { TargetProcess } from ${JSON.stringify(path.join(REPO, 'dist/service/process.js'))};
      const t = await TargetProcess.start({ command: 'python3 stdlib_service.py', python: 'python3',
        cwd: ${JSON.stringify(SERVICES)}, port: ${await freePort()}, traceDepth: 1, readyTimeoutMs: 15000 });
      process.stdout.write(JSON.stringify({ runId: t.runId, folder: t.privateFolder }) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const runner = execa('node', ['--input-type=module', '-e', script], { reject: false });
    const { runId, folder } = await new Promise<{ runId: string; folder: string }>((resolve) =>
      runner.stdout!.once('data', (d: Buffer) =>
        resolve(JSON.parse(d.toString()) as { runId: string; folder: string }),
      ),
    );
    expect(existsSync(folder)).toBe(true);
    runner.kill('SIGKILL');
    await runner;
    await expectNothingLeft(runId, [folder], 10_000);
  });

  it('of a run whose heapgate is gone is swept; a live run’s and a stranger’s are not', () => {
    const tmp = tempDir('heapgate-test-sweep-');
    const folder = (name: string, owner?: object) => {
      const dir = path.join(tmp, name);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'heapgate_shim.py'), '');
      if (owner) writeFileSync(path.join(dir, 'owner.json'), JSON.stringify(owner));
      return dir;
    };
    const dead = folder('heapgate-dead', { runId: 'r1', pid: 2 ** 22 + 17, started: '1' });
    const live = folder('heapgate-live', { runId: 'r2', pid: process.ppid, started: null });
    const stranger = folder('heapgate-stranger');
    const otherName = folder('someone-else', { runId: 'r3', pid: 2 ** 22 + 17, started: '1' });
    expect(sweepStaleFolders(tmp)).toEqual([dead]);
    expect(existsSync(dead)).toBe(false);
    for (const kept of [live, stranger, otherName]) expect(existsSync(kept)).toBe(true);
  });
});
