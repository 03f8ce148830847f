import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/service/kill.js';
import { treeUsage } from '../../src/service/usage.js';

describe('treeUsage', () => {
  it('counts every process of the tree, with their RSS and CPU', async () => {
    // A parent that starts two children holding 20 MB each, then keeps one core busy.
    const script = [
      'import subprocess, sys, time',
      'hold = "import time; b = bytearray(20 * 1024 * 1024); b[::4096] = b\'x\' * len(b[::4096]); time.sleep(30)"',
      'kids = [subprocess.Popen([sys.executable, "-c", hold]) for _ in range(2)]',
      'time.sleep(0.3)', // let the children touch their pages
      'print("ready", flush=True)',
      'end = time.time() + 30',
      'while time.time() < end: pass',
    ].join('\n');
    const parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    try {
      await new Promise<void>((resolve) => parent.stdout.once('data', () => resolve()));
      await treeUsage(parent.pid!); // CPU is measured between readings
      await new Promise((r) => setTimeout(r, 500));
      const usage = await treeUsage(parent.pid!);
      expect(usage).not.toBeNull();
      expect(usage!.processes).toBe(3);
      expect(usage!.rssBytes).toBeGreaterThan(40 * 1024 * 1024);
      // One busy core reads ~100 %; a machine loaded by other jobs gives it less (25 % seen at a load of 16 on
      // 2 cores), an idle one's reading is 0: anything clearly above idle shows the CPU was measured.
      expect(usage!.cpuPercent).toBeGreaterThan(10);
    } finally {
      process.kill(-parent.pid!, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(parent.pid!)).toBe(false);
    expect(await treeUsage(parent.pid!)).toBeNull();
  });
});
