import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { runBlock } from '../../src/drive/concurrency.js';

describe('runBlock', () => {
  test('runs every iteration of the block once, starting in order, never more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const result = await runBlock(100, 50, 4, async (i) => {
      started.push(i);
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(i % 3);
      inFlight--;
    });
    expect(result).toEqual({ done: 50, aborted: false });
    expect(started).toEqual(Array.from({ length: 50 }, (_, k) => 100 + k));
    expect(most).toBe(4);
  });

  test('is a barrier: nothing is in flight when it resolves, even with one slow straggler', async () => {
    let inFlight = 0;
    let finished = 0;
    await runBlock(0, 10, 3, async (i) => {
      inFlight++;
      await sleep(i === 1 ? 60 : 1);
      inFlight--;
      finished++;
    });
    expect(inFlight).toBe(0);
    expect(finished).toBe(10);
  });

  test('consecutive blocks never overlap', async () => {
    const log: string[] = [];
    for (let block = 0; block < 3; block++) {
      await runBlock(block * 5, 5, 2, async (i) => {
        log.push(`start ${i}`);
        await sleep(2);
        log.push(`end ${i}`);
      });
      log.push(`sample after ${block * 5 + 4}`);
    }
    for (let block = 0; block < 3; block++) {
      const sample = log.indexOf(`sample after ${block * 5 + 4}`);
      for (let i = block * 5; i < block * 5 + 5; i++) expect(log.indexOf(`end ${i}`)).toBeLessThan(sample);
      if (block < 2) expect(log.indexOf(`start ${block * 5 + 5}`)).toBeGreaterThan(sample);
    }
  });

  test('an empty block resolves at once; a limit above the count is fine', async () => {
    expect(await runBlock(0, 0, 4, async () => {})).toEqual({ done: 0, aborted: false });
    expect(await runBlock(0, 2, 16, async () => {})).toEqual({ done: 2, aborted: false });
    await expect(runBlock(0, 1, 0, async () => {})).rejects.toThrow(RangeError);
  });

  test('abort: no new iteration starts, those in flight get the signal and are awaited', async () => {
    const controller = new AbortController();
    let inFlight = 0;
    const seen: number[] = [];
    const result = await runBlock(
      0,
      100,
      3,
      async (i, signal) => {
        seen.push(i);
        inFlight++;
        if (i === 10) controller.abort();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            setTimeout(resolve, 10); // still takes a moment to wind down
          });
        });
        inFlight--;
      },
      controller.signal,
    );
    expect(result.aborted).toBe(true);
    expect(result.done).toBe(seen.length);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, k) => k));
    expect(seen.length).toBeLessThanOrEqual(13);
    expect(inFlight).toBe(0);
  });

  test('an already aborted signal starts nothing', async () => {
    let calls = 0;
    const result = await runBlock(0, 5, 2, async () => void calls++, AbortSignal.abort());
    expect(result).toEqual({ done: 0, aborted: true });
    expect(calls).toBe(0);
  });

  test('a rejecting task stops new starts, the rest finish, then the first error is thrown', async () => {
    let inFlight = 0;
    let started = 0;
    const run = runBlock(0, 100, 4, async (i) => {
      started++;
      inFlight++;
      await sleep(i === 5 ? 1 : 5);
      inFlight--;
      if (i === 5) throw new Error('boom 5');
      if (i === 6) throw new Error('boom 6');
    });
    await expect(run).rejects.toThrow('boom 5');
    expect(inFlight).toBe(0);
    expect(started).toBeLessThan(20);
  });
});
