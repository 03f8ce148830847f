/**
 * `close: "hold"` against a real aiohttp service (test/fixtures/services/ws_hold.py): a bounded number of
 * connections held open models many clients at once. What docs/websocket.md says, checked from both
 * sides — the service's own log of what it saw, and the samples: its connections and fds rise to the
 * hold bound and no further, every connection ends with a clean close (the oldest past the bound, the
 * rest when the run ends) before the service is stopped, nothing is left running, the cost of the open
 * connections is a plateau that passes, and a leak per connection that outlives its close still fails.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PYTHON, scenario, soak } from '../helpers/soak.js';

const MAX_OPEN = 20;
const CONCURRENCY = 4;

async function holdRun(leak: 'none' | 'history') {
  const events = path.join(mkdtempSync(path.join(os.tmpdir(), 'heapgate-hold-')), 'events');
  const run = await soak([
    '--target',
    `env LEAK=${leak} EVENTS=${events} ${DEBIAN_PYTHON} ws_hold.py`,
    '--scenarios',
    scenario('ws-hold.json'),
    '--iterations',
    '800',
  ]);
  const lines = readFileSync(events, 'utf8').split('\n').filter(Boolean);
  const opened = lines.filter((l) => l.startsWith('open '));
  return {
    run,
    scenario: run.report.scenarios[0],
    opened: opened.length,
    /** The most clients the service had connected at once. */
    mostConnected: Math.max(...opened.map((l) => Number(l.split(' ')[1]))),
    closes: lines.filter((l) => l.startsWith('close ')),
  };
}

describe('WebSocket clients held open (close: "hold", maxOpen 20)', () => {
  it('rise to the bound and no further, all end with a clean close, and their cost levels off: a pass', async () => {
    const { run, scenario: s, opened, mostConnected, closes } = await holdRun('none');
    expect(run.exitCode, s.reasons?.join('; ')).toBe(0);
    expect(s.verdict).toBe('pass');
    // The service saw every iteration's connection, never more than the bound plus those in flight.
    expect(opened).toBe(s.totalIterations);
    expect(mostConnected).toBeGreaterThanOrEqual(MAX_OPEN);
    expect(mostConnected).toBeLessThanOrEqual(MAX_OPEN + CONCURRENCY);
    // Every one ended with a close frame before the service was stopped: none vanished, none left open.
    expect(closes).toEqual(Array.from({ length: opened }, () => 'close clean'));
    // Samples are taken with nothing in flight: the bound's connections, each one socket in the service.
    const fds = s.series!.map((p) => p.fds);
    const rise = Math.max(...fds) - fds[0];
    expect(rise).toBeGreaterThanOrEqual(MAX_OPEN);
    expect(rise).toBeLessThanOrEqual(MAX_OPEN + 2);
    expect(fds.at(-1)! - fds[0]).toBeGreaterThanOrEqual(MAX_OPEN);
    expect(s.metrics.fds).toMatchObject({ exceeded: false });
    expect(s.metrics.heap?.exceeded).toBe(false);
  });

  it('still fails a service that keeps something per connection after it closed', async () => {
    const { run, scenario: s, mostConnected, closes } = await holdRun('history');
    expect(run.exitCode, s.metrics.heap?.reason).toBe(1);
    expect(s.metrics.heap).toMatchObject({ exceeded: true, trend: 'growing' });
    // Held the same way: the leak is what outlives a connection, not the connections held.
    expect(mostConnected).toBeLessThanOrEqual(MAX_OPEN + CONCURRENCY);
    expect(closes.every((l) => l === 'close clean')).toBe(true);
    expect(s.metrics.fds).toMatchObject({ exceeded: false });
  });
});
