import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  encodeCommand,
  encodeFrame,
  LineDecoder,
  MAX_LINE_BYTES,
  parseMessage,
} from '../../src/service/protocol.js';

const sample = {
  v: 2,
  type: 'sample',
  pid: 10,
  ppid: 1,
  id: 3,
  heap: 100,
  rss: 2000,
  threads: 2,
  fds: 5,
  handlers: 0,
  gcObjects: 900,
  time: 1.5,
};

describe('parseMessage', () => {
  it('accepts a well-formed sample', () => {
    expect(parseMessage(JSON.stringify(sample))).toEqual(sample);
  });

  it.each([
    ['a wrong protocol version', { ...sample, v: 1 }],
    ['a negative heap', { ...sample, heap: -1 }],
    ['an absurd heap', { ...sample, heap: 2 ** 60 }],
    ['a fractional thread count', { ...sample, threads: 1.5 }],
    ['a string where a number belongs', { ...sample, rss: '2000' }],
    ['no pid', { ...sample, pid: undefined }],
    ['an unknown type', { ...sample, type: 'telemetry' }],
    [
      'a site without a traceback',
      {
        v: 2,
        type: 'sites',
        pid: 1,
        ppid: 0,
        sites: [{ file: 'a.py', line: 1, sizeDiff: 1, countDiff: 1, project: true }],
      },
    ],
    [
      'a hello with an unknown role',
      {
        v: 2,
        type: 'hello',
        pid: 1,
        ppid: 0,
        role: 'boss',
        python: '3',
        implementation: 'cpython',
        executable: 'p',
        argv: [],
        traceDepth: 1,
      },
    ],
  ])('rejects %s', (_name, message) => {
    expect(parseMessage(JSON.stringify(message))).toBeNull();
  });

  it('rejects text that is not JSON or not an object', () => {
    expect(parseMessage('Serving HTTP on 0.0.0.0 port 8000')).toBeNull();
    expect(parseMessage('{"v":1')).toBeNull();
    expect(parseMessage('[1,2]')).toBeNull();
  });
});

describe('LineDecoder', () => {
  const key = randomBytes(32);
  const authenticated = () => {
    const decoder = new LineDecoder();
    decoder.authenticate(key);
    return decoder;
  };

  it('reassembles messages split across chunks and counts noise', () => {
    const decoder = authenticated();
    const text =
      `hello from print()\n${encodeFrame(key, { ...sample, seq: 1 })}\n` +
      encodeFrame(key, { ...sample, id: 4, seq: 2 });
    const bytes = Buffer.from(text);
    const messages = [];
    for (let i = 0; i < bytes.length; i += 7) messages.push(...decoder.push(bytes.subarray(i, i + 7)));
    expect(messages.map((m) => m.id)).toEqual([3, 4]);
    expect(decoder.noise).toBe(1);
    expect(decoder.forged).toBe(0);
  });

  it('drops a line longer than the limit without buffering it', () => {
    const decoder = authenticated();
    const huge = Buffer.alloc(1024 * 1024, 0x61);
    let out = 0;
    for (let sent = 0; sent <= MAX_LINE_BYTES; sent += huge.length) out += decoder.push(huge).length;
    out += decoder.push(Buffer.from(`tail\n${encodeFrame(key, { ...sample, seq: 1 })}`)).length;
    expect(out).toBe(1);
    expect(decoder.noise).toBe(1);
  });

  it('accepts one plain hello before the key, and nothing else', () => {
    const decoder = new LineDecoder();
    const hello = {
      v: 2,
      type: 'hello',
      pid: 10,
      ppid: 1,
      role: 'spawn',
      python: '3.11.2',
      implementation: 'cpython',
      executable: 'python3',
      argv: [],
      traceDepth: 0,
    };
    const plain = `${JSON.stringify(sample)}\n${JSON.stringify(hello)}\n${JSON.stringify(hello)}\n`;
    expect(decoder.push(Buffer.from(plain)).map((m) => m.type)).toEqual(['hello']);
    expect(decoder.forged).toBe(2);
  });

  it.each([
    ['a plain sample reply', () => `${JSON.stringify({ ...sample, seq: 5 })}\n`],
    ['one signed with another key', () => encodeFrame(randomBytes(32), { ...sample, seq: 5 })],
    ['a tampered one', () => encodeFrame(key, { ...sample, seq: 5 }).replace('"heap":100', '"heap":1')],
    ['a replayed one', () => encodeFrame(key, { ...sample, seq: 1 })],
    ['one without a sequence number', () => encodeFrame(key, sample)],
  ])('refuses %s once the key is set', (_name, frame) => {
    const decoder = authenticated();
    expect(decoder.push(Buffer.from(encodeFrame(key, { ...sample, seq: 1 })))).toHaveLength(1);
    expect(decoder.push(Buffer.from(frame()))).toEqual([]);
    expect(decoder.forged).toBe(1);
    // The real shim's next frame still goes through.
    expect(decoder.push(Buffer.from(encodeFrame(key, { ...sample, seq: 2 })))).toHaveLength(1);
  });
});

describe('encodeCommand', () => {
  it('writes one JSON line with the id first', () => {
    expect(encodeCommand(7, { cmd: 'sites', limit: 5 })).toBe('{"id":7,"cmd":"sites","limit":5}\n');
  });
});
