/**
 * Who may speak on the run's socket (service/channels.ts, docs/ipc.md "Who may speak"): a key for a live
 * process of the run, once; a refusal for anyone else. Real processes, a real socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelServer } from '../../src/service/channels.js';
import { tempDir } from '../helpers/temp.js';

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
    const dir = tempDir('heapgate-test-channel-');
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
