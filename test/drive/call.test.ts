import { describe, expect, test } from 'vitest';
import { TargetError } from '../../src/errors.js';
import { CircuitBreaker } from '../../src/drive/breaker.js';
import { callBlockTimeoutMs, errorSummary, runCallBlock, type CallChannel } from '../../src/drive/call.js';
import type { CallSpec } from '../../src/scenarios/model.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import type { Command, ShimMessage } from '../../src/service/protocol.js';
import { TargetProcess } from '../../src/service/process.js';
import { tempProject } from '../helpers/cli.js';

function callSpec(call: Record<string, unknown>): CallSpec {
  return validateScenario({ name: 'c', call }, { file: 'test.json' }).call!;
}

/** Records commands and answers like the shim would (a stand-in for the IPC channel, not for HTTP). */
function channel(
  answer: (command: Command) => ShimMessage | Error,
): CallChannel & { sent: [Command, number][] } {
  const sent: [Command, number][] = [];
  return {
    sent,
    request: async (command, timeoutMs) => {
      sent.push([command, timeoutMs]);
      const reply = answer(command);
      if (reply instanceof Error) throw reply;
      return reply;
    },
  };
}

const envelope = { v: 2 as const, pid: 10, ppid: 1, id: 1 };
const allOk = (command: Command): ShimMessage =>
  command.cmd === 'call'
    ? { ...envelope, type: 'call', ok: command.calls.length, errors: 0, seconds: 0.01 }
    : { ...envelope, type: 'error', error: 'unexpected' };

describe('runCallBlock', () => {
  test('one command per block with args and kwargs expanded per iteration', async () => {
    const ch = channel(allOk);
    const spec = callSpec({
      function: 'app.jobs:handle',
      args: ['record-{i}', 3, { k: '{i}' }],
      kwargs: { key: 'k{i}', n: null },
    });
    const result = await runCallBlock(ch, spec, 100, 3);
    expect(result).toEqual({ ok: 3, errors: 0, seconds: 0.01 });
    expect(ch.sent).toHaveLength(1);
    const [command, timeoutMs] = ch.sent[0];
    expect(command).toEqual({
      cmd: 'call',
      function: 'app.jobs:handle',
      calls: [
        { args: ['record-100', 3, { k: '100' }], kwargs: { key: 'k100', n: null } },
        { args: ['record-101', 3, { k: '101' }], kwargs: { key: 'k101', n: null } },
        { args: ['record-102', 3, { k: '102' }], kwargs: { key: 'k102', n: null } },
      ],
    });
    expect(timeoutMs).toBe(30_000);
    expect(spec.args).toEqual(['record-{i}', 3, { k: '{i}' }]);
  });

  test('block timeout: count × per-call timeout, capped at 10 minutes, overridable', async () => {
    const spec = callSpec({ function: 'a:b', timeout: '2s' });
    expect(callBlockTimeoutMs(spec, 1)).toBe(2000);
    expect(callBlockTimeoutMs(spec, 50)).toBe(100_000);
    expect(callBlockTimeoutMs(spec, 10_000)).toBe(600_000);
    const ch = channel(allOk);
    await runCallBlock(ch, spec, 0, 5, { timeoutMs: 123 });
    expect(ch.sent[0][1]).toBe(123);
  });

  test('failures in the function come back as counts with the first traceback', async () => {
    const traceback = 'Traceback (most recent call last):\n  File "app.py", line 3, in f\nValueError: boom\n';
    const ch = channel(() => ({ ...envelope, type: 'call', ok: 1, errors: 2, error: traceback }));
    const result = await runCallBlock(ch, callSpec({ function: 'a:b' }), 0, 3);
    expect(result).toEqual({ ok: 1, errors: 2, firstError: traceback });
    expect(errorSummary(traceback)).toBe('ValueError: boom');
    const breaker = new CircuitBreaker({ noun: 'calls', consecutive: 2 });
    breaker.recordMany(result.ok, result.errors, errorSummary(result.firstError!));
    expect(breaker.reason).toBe('the last 2 calls all failed: ValueError: boom ×2');
  });

  test('a dead channel, a timeout or a shim error is a TargetError', async () => {
    const spec = callSpec({ function: 'a:b' });
    await expect(
      runCallBlock(
        channel(() => new Error('the channel is closed')),
        spec,
        5,
        2,
      ),
    ).rejects.toThrow(new TargetError('call a:b (iterations 5–6): the channel is closed'));
    await expect(
      runCallBlock(
        channel(() => ({ ...envelope, type: 'error', error: 'not a command' })),
        spec,
        0,
        1,
      ),
    ).rejects.toThrow('call a:b (iteration 0): the shim failed: not a command');
    await expect(
      runCallBlock(
        channel(() => ({ ...envelope, type: 'call', ok: 1, errors: 0 })),
        spec,
        0,
        2,
      ),
    ).rejects.toThrow('the shim reported 1 calls for 2 sent');
    await expect(
      runCallBlock(
        channel(() => ({ ...envelope, type: 'pong' })),
        spec,
        0,
        1,
      ),
    ).rejects.toBeInstanceOf(TargetError);
  });

  test('an empty block sends nothing', async () => {
    const ch = channel(allOk);
    expect(await runCallBlock(ch, callSpec({ function: 'a:b' }), 0, 0)).toEqual({ ok: 0, errors: 0 });
    expect(ch.sent).toHaveLength(0);
  });
});

describe('runCallBlock in a real bare interpreter', () => {
  test('templates reach Python; raising calls and unknown functions are counted', async () => {
    const cwd = tempProject({
      'jobs.py': [
        'seen = []',
        'def check(index, label, *, key):',
        '    if label != "rec-" + index or key != "k" + index:',
        '        raise ValueError("mismatch %r %r %r" % (index, label, key))',
        '    seen.append(index)',
        'def odd_fails(index):',
        '    if int(index) % 2:',
        '        raise KeyError(index)',
        'async def coro(index):',
        '    return index',
        '',
      ].join('\n'),
    });
    const target = await TargetProcess.start({
      command: null,
      python: 'python3',
      cwd,
      port: null,
      traceDepth: 1,
      readyTimeoutMs: 15_000,
    });
    try {
      const main = target.main!;
      expect(
        await runCallBlock(
          main,
          callSpec({ function: 'jobs:check', args: ['{i}', 'rec-{i}'], kwargs: { key: 'k{i}' } }),
          0,
          25,
        ),
      ).toMatchObject({
        ok: 25,
        errors: 0,
      });
      const mixed = await runCallBlock(main, callSpec({ function: 'jobs:odd_fails', args: ['{i}'] }), 10, 4);
      expect(mixed).toMatchObject({ ok: 2, errors: 2 });
      expect(errorSummary(mixed.firstError!)).toBe("KeyError: '11'");
      expect(
        await runCallBlock(main, callSpec({ function: 'jobs:coro', args: ['{i}'] }), 0, 3),
      ).toMatchObject({ ok: 3, errors: 0 });
      const missing = await runCallBlock(main, callSpec({ function: 'jobs:nope' }), 0, 5);
      expect(missing).toMatchObject({ ok: 0, errors: 5 });
      expect(errorSummary(missing.firstError!)).toMatch(/^AttributeError: .*nope/);
    } finally {
      await target.stop();
    }
  });
});
