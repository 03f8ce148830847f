import { describe, expect, it } from 'vitest';
import {
  closePayload,
  encodeFrame,
  FrameReader,
  isSendableCloseCode,
  MAX_MESSAGE_BYTES,
  OPCODE,
  ProtocolError,
} from '../../src/drive/ws-frames.js';
import { serverFrame } from './server.js';

/** Every message and control frame a reader yields for these bytes, fed `step` bytes at a time. */
function readAll(bytes: Buffer, step = bytes.length): unknown[] {
  const reader = new FrameReader();
  const out: unknown[] = [];
  for (let at = 0; at < bytes.length; at += step) {
    reader.push(bytes.subarray(at, at + step));
    for (let m = reader.next(); m; m = reader.next()) out.push(m);
  }
  return out;
}

function unmask(frame: Buffer, at: number): Buffer {
  const mask = frame.subarray(at, at + 4);
  return Buffer.from(frame.subarray(at + 4).map((b, k) => b ^ mask[k & 3]));
}

describe('encodeFrame (client frames)', () => {
  it('sets FIN, the opcode and the mask bit, and masks the payload with the key', () => {
    const frame = encodeFrame(OPCODE.text, Buffer.from('hello'), Buffer.from([1, 2, 3, 4]));
    expect(frame[0]).toBe(0x81);
    expect(frame[1]).toBe(0x80 | 5);
    expect([...frame.subarray(2, 6)]).toEqual([1, 2, 3, 4]);
    expect(frame.subarray(6).toString()).not.toBe('hello');
    expect(unmask(frame, 2).toString()).toBe('hello');
  });

  it('uses the 16-bit and 64-bit extended lengths at 126 and 65536 bytes', () => {
    const medium = encodeFrame(OPCODE.binary, Buffer.alloc(126, 7));
    expect(medium[1]).toBe(0x80 | 126);
    expect(medium.readUInt16BE(2)).toBe(126);
    expect(unmask(medium, 4)).toEqual(Buffer.alloc(126, 7));
    const large = encodeFrame(OPCODE.binary, Buffer.alloc(65536, 9));
    expect(large[1]).toBe(0x80 | 127);
    expect(large.readBigUInt64BE(2)).toBe(65536n);
    expect(unmask(large, 10)).toEqual(Buffer.alloc(65536, 9));
  });

  it('draws a fresh mask for every frame', () => {
    const a = encodeFrame(OPCODE.text, Buffer.from('x'));
    const b = encodeFrame(OPCODE.text, Buffer.from('x'));
    const c = encodeFrame(OPCODE.text, Buffer.from('x'));
    expect(new Set([a, b, c].map((f) => f.subarray(2, 6).toString('hex'))).size).toBeGreaterThan(1);
  });
});

describe('closePayload and close codes', () => {
  it('writes the code big-endian and cuts the reason to fit a control frame', () => {
    const payload = closePayload(1000, 'x'.repeat(200));
    expect(payload.readUInt16BE(0)).toBe(1000);
    expect(payload.length).toBe(125);
  });

  it('sends 1000–1014 and 3000–4999 but never 1004, 1005, 1006', () => {
    expect([1000, 1001, 1011, 3000, 4999].every(isSendableCloseCode)).toBe(true);
    expect([999, 1004, 1005, 1006, 1015, 2000, 5000].some(isSendableCloseCode)).toBe(false);
  });
});

describe('FrameReader (server frames)', () => {
  it('reads text, binary, ping, pong and close, whole or a byte at a time', () => {
    const close = Buffer.alloc(4);
    close.writeUInt16BE(1001, 0);
    close.write('ok', 2);
    const bytes = Buffer.concat([
      serverFrame(0x1, Buffer.from('héllo')),
      serverFrame(0x2, Buffer.from([1, 2, 3])),
      serverFrame(0x9, Buffer.from('p')),
      serverFrame(0xa, Buffer.from('q')),
      serverFrame(0x8, close),
    ]);
    const expected = [
      { type: 'text', data: 'héllo' },
      { type: 'binary', data: Buffer.from([1, 2, 3]) },
      { type: 'ping', data: Buffer.from('p') },
      { type: 'pong', data: Buffer.from('q') },
      { type: 'close', code: 1001, reason: 'ok' },
    ];
    expect(readAll(bytes)).toEqual(expected);
    expect(readAll(bytes, 1)).toEqual(expected);
  });

  it('reads a 16-bit extended length, and an empty close as code 1005', () => {
    const big = 'y'.repeat(300);
    expect(
      readAll(Buffer.concat([serverFrame(0x1, Buffer.from(big)), serverFrame(0x8, Buffer.alloc(0))]), 7),
    ).toEqual([
      { type: 'text', data: big },
      { type: 'close', code: 1005, reason: '' },
    ]);
  });

  it('reassembles a fragmented message, with a control frame between its fragments', () => {
    const bytes = Buffer.concat([
      serverFrame(0x1, Buffer.from('ab'), false),
      serverFrame(0x9, Buffer.from('mid')),
      serverFrame(0x0, Buffer.from('cd'), false),
      serverFrame(0x0, Buffer.from('ef'), true),
    ]);
    expect(readAll(bytes, 3)).toEqual([
      { type: 'ping', data: Buffer.from('mid') },
      { type: 'text', data: 'abcdef' },
    ]);
  });

  it.each([
    ['a masked frame', serverFrame(0x1, Buffer.from('x'), true, Buffer.from([1, 2, 3, 4])), /masked/, 1002],
    ['reserved bits', Buffer.from([0xc1, 0x00]), /reserved bits/, 1002],
    ['a fragmented control frame', serverFrame(0x9, Buffer.from('x'), false), /fragmented a control/, 1002],
    ['an unknown opcode', serverFrame(0x3, Buffer.from('x')), /unknown opcode 0x3/, 1002],
    ['a continuation nobody began', serverFrame(0x0, Buffer.from('x')), /never began/, 1002],
    ['invalid UTF-8', serverFrame(0x1, Buffer.from([0xff, 0xfe])), /not valid UTF-8/, 1007],
    ['a one-byte close', serverFrame(0x8, Buffer.from([3])), /one-byte close/, 1002],
    ['close code 1006 on the wire', serverFrame(0x8, Buffer.from([0x03, 0xee])), /close code 1006/, 1002],
    [
      'a control frame over 125 bytes',
      Buffer.from([0x89, 126, 0, 126, ...Buffer.alloc(126)]),
      /over 125/,
      1002,
    ],
    [
      'a message over the limit',
      Buffer.concat([
        Buffer.from([0x82, 127]),
        (() => {
          const n = Buffer.alloc(8);
          n.writeBigUInt64BE(BigInt(MAX_MESSAGE_BYTES + 1));
          return n;
        })(),
      ]),
      /over 16 MB/,
      1009,
    ],
  ])('refuses %s', (_what, bytes, message, code) => {
    let error: unknown;
    try {
      readAll(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(message);
    expect((error as ProtocolError).code).toBe(code);
  });

  it('refuses a new message that begins inside a fragmented one', () => {
    const bytes = Buffer.concat([
      serverFrame(0x1, Buffer.from('a'), false),
      serverFrame(0x1, Buffer.from('b')),
    ]);
    expect(() => readAll(bytes)).toThrow(/inside another/);
  });
});
