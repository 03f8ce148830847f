/**
 * Issue 13, "a verdict a service can fake": the service used to be able to write forged `sample`
 * replies on the control channel (6 of 62 samples forged, a leaking service passed). A real leaking
 * service that forges — on the run's socket and on every descriptor it holds — must now fail, and the
 * report must say that messages were ignored. The claim check is also tested on its own, with real
 * processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelServer } from '../../src/service/channels.js';
import { REPO } from '../helpers/cli.js';
import { heapgateLeavingNothing, reportOf, scenario, soak } from '../helpers/soak.js';

const HOSTILE = path.join(REPO, 'test/fixtures/hostile');

describe('a service that forges sample replies', () => {
  it('is measured for real: the leak fails and the report says messages were ignored', async () => {
    const result = await heapgateLeavingNothing(
      [
        'soak',
        '--target',
        'python3 forger.py',
        '--scenarios',
        scenario('unique-paths.json'),
        '--iterations',
        '1500',
        '--format',
        'json',
      ],
      { cwd: HOSTILE },
    );
    const report = reportOf(result);
    expect(result.exitCode).toBe(1);
    const [s] = report.scenarios;
    expect(s.verdict).toBe('fail');
    // The fixture stores ~100 B per request; the forged replies said 0.
    expect(s.metrics.heap!.slopePerIteration).toBeGreaterThan(100);
    expect(s.notes?.join('\n')).toMatch(
      /\d+ messages on the control channels did not come from heapgate's shim/,
    );
  });

  it('a clean service has no such note', async () => {
    const { report } = await soak([
      '--target',
      'python3 stdlib_service.py',
      '--scenarios',
      scenario('health.json'),
      '--iterations',
      '300',
    ]);
    expect(report.scenarios[0].notes?.join('\n') ?? '').not.toContain('control channels');
  });
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A live process, marked with the run id (or not). */
function processMarked(runId: string | null): ChildProcess {
  const env = { ...process.env, ...(runId ? { HEAPGATE_RUN_ID: runId } : {}) };
  const child = spawn('sleep', ['60'], { env, stdio: 'ignore' });
  children.push(child);
  return child;
}

/** Connects, claims `pid`, and returns heapgate's answer (a key or a refusal). */
async function claim(socketPath: string, pid: number, role = 'spawn'): Promise<Record<string, string>> {
  const socket = net.connect(socketPath);
  const hello = {
    v: 2,
    type: 'hello',
    pid,
    ppid: 1,
    role,
    python: '3.11.2',
    implementation: 'cpython',
    executable: 'python3',
    argv: [],
    traceDepth: 0,
  };
  socket.write(`${JSON.stringify(hello)}\n`);
  const line = await new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]);
    });
  });
  return JSON.parse(line) as Record<string, string>;
}

describe('who may speak on the channel', () => {
  it('gives a key to a live process of the run, once; refuses everyone else', async () => {
    const runId = randomUUID();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heapgate-test-channel-'));
    const channels = await ChannelServer.listen(path.join(dir, 'control.sock'), runId);
    try {
      const member = processMarked(runId);
      const stranger = processMarked(null);
      const socketPath = path.join(dir, 'control.sock');

      const accepted = await claim(socketPath, member.pid!);
      expect(accepted.key).toMatch(/^[0-9a-f]{64}$/);
      expect((await claim(socketPath, member.pid!)).refused).toContain('already has a channel');
      expect((await claim(socketPath, stranger.pid!)).refused).toContain('not part of this run');
      expect((await claim(socketPath, 2 ** 22 + 17)).refused).toContain('no live process');
      expect((await claim(socketPath, process.pid)).refused).toContain('that is heapgate');
      expect(channels.connections.size).toBe(1);
      expect(channels.forged).toBe(4);
    } finally {
      await channels.close();
    }
  });
});
