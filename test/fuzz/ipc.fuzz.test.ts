/**
 * Fuzzing the IPC reader (issue 13): a connection's byte stream made of real frames and hostile bytes —
 * mutated frames, plain protocol lines, replays, frames signed with another key, random text — cut into
 * random chunks, seeded so every run draws the same cases. The reader must never throw and must return
 * exactly the real frames, in order: nothing forged gets through, nothing real is lost.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeFrame, LineDecoder, parseMessage, type ShimMessage } from '../../src/service/protocol.js';
import { int, mutate, pick, seeded, value, type Random } from './random.js';

const SEED = 1313;
const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);

function sample(random: Random, id: number): Record<string, unknown> {
  return {
    v: 2,
    type: 'sample',
    pid: 4242,
    ppid: 1,
    id,
    heap: int(random, 1e9),
    rss: int(random, 1e9),
    threads: int(random, 50),
    fds: int(random, 500),
    handlers: int(random, 5),
    gcObjects: int(random, 1e6),
    time: 1.5,
  };
}

/** Hostile bytes: whatever a service could write on the socket it holds. */
function junk(random: Random, real: string, seq: number): string {
  switch (int(random, 6)) {
    case 0:
      return mutate(random, real); // a damaged real frame, maybe without its newline
    case 1:
      return `${JSON.stringify({ ...sample(random, seq), seq: seq + 1 })}\n`; // plain, unsigned
    case 2:
      return encodeFrame(OTHER_KEY, { ...sample(random, seq), seq: seq + 1 }); // another key
    case 3:
      return real; // a replay of a frame already delivered
    case 4:
      return (
        JSON.stringify(value(random, ['v', 'type', 'pid', 'seq', 'id', 'heap', 'sites'])) +
        pick(random, ['', '\n'])
      );
    default:
      return Buffer.from(Array.from({ length: int(random, 200) }, () => int(random, 256))).toString('latin1');
  }
}

describe('fuzz: the IPC reader', () => {
  it('2000 streams: exactly the real frames come out, whatever surrounds them', () => {
    const random = seeded(SEED);
    for (let c = 0; c < 2000; c++) {
      const decoder = new LineDecoder();
      decoder.authenticate(KEY);
      const expected: number[] = [];
      let stream = '';
      let seq = 0;
      let last = '';
      const frames = 1 + int(random, 8);
      for (let f = 0; f < frames; f++) {
        if (random() < 0.6)
          stream += junk(random, last || encodeFrame(KEY, { ...sample(random, 0), seq: 0 }), seq);
        seq++;
        last = encodeFrame(KEY, { ...sample(random, seq), seq });
        // A real frame always starts a line of its own or ends one: the shim writes it whole.
        stream += last;
        expected.push(seq);
      }
      const bytes = Buffer.from(stream, 'latin1');
      const out: ShimMessage[] = [];
      try {
        for (let at = 0; at < bytes.length; ) {
          const size = 1 + int(random, 300);
          out.push(...decoder.push(bytes.subarray(at, at + size)));
          at += size;
        }
      } catch (error) {
        throw new Error(
          `case ${c} (seed ${SEED}) threw ${(error as Error).stack}\nstream: ${JSON.stringify(stream)}`,
        );
      }
      expect(
        out.map((m) => m.seq),
        `case ${c}: ${JSON.stringify(stream)}`,
      ).toEqual(expected);
      for (const m of out) expect(parseMessage(JSON.stringify(m))).not.toBeNull();
    }
  });

  it('2000 streams before the key: at most one hello, nothing else', () => {
    const random = seeded(SEED + 1);
    const hello = JSON.stringify({
      v: 2,
      type: 'hello',
      pid: 7,
      ppid: 1,
      role: 'spawn',
      python: '3.11.2',
      implementation: 'cpython',
      executable: 'python3',
      argv: [],
      traceDepth: 0,
    });
    for (let c = 0; c < 2000; c++) {
      const decoder = new LineDecoder();
      const parts = Array.from({ length: 1 + int(random, 6) }, () =>
        random() < 0.3 ? `${hello}\n` : junk(random, `${hello}\n`, c),
      );
      const out = decoder.push(Buffer.from(parts.join(''), 'latin1'));
      expect(out.length).toBeLessThanOrEqual(1);
      for (const m of out) expect(m.type).toBe('hello');
    }
  });
});
