/**
 * WebSocket frames (RFC 6455 §5): encoding the masked frames a client sends, and an incremental reader
 * for the unmasked frames a server sends, which reassembles fragmented messages and checks what a client
 * must check (no mask from a server, control frames short and unfragmented, valid UTF-8 in text). Pure:
 * no sockets; websocket.ts feeds it bytes.
 */
import { randomBytes } from 'node:crypto';

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** A message larger than this is a protocol error: a scenario's answers are small, a runaway one is not. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Close codes a close frame may carry on the wire (RFC 6455 §7.4.1; 1005/1006/1015 never do). */
export function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999)
  );
}

/** One frame from the client: FIN set, masked with a fresh key (or the given one, for tests). */
export function encodeFrame(opcode: number, payload: Buffer, mask: Buffer = randomBytes(4)): Buffer {
  const length = payload.length;
  const extended = length < 126 ? 0 : length <= 0xffff ? 2 : 8;
  const head = Buffer.alloc(2 + extended + 4);
  head[0] = 0x80 | opcode;
  if (extended === 0) head[1] = 0x80 | length;
  else if (extended === 2) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  mask.copy(head, 2 + extended);
  const body = Buffer.allocUnsafe(length);
  for (let k = 0; k < length; k++) body[k] = payload[k] ^ mask[k & 3];
  return Buffer.concat([head, body]);
}

/** A close frame's payload: the code and a reason (cut to fit the 125 bytes a control frame may carry). */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const out = Buffer.alloc(2 + text.length);
  out.writeUInt16BE(code, 0);
  text.copy(out, 2);
  return out;
}

export type Incoming =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Buffer }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  /** code 1005 when the frame carried none. */
  | { type: 'close'; code: number; reason: string };

/** The server broke the protocol: the connection fails with close code 1002 (or 1007, 1009). */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code = 1002,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a server's frames from the bytes as they arrive: `push` them, then take what is complete with
 * `next` until it returns null. Throws ProtocolError on anything a client must refuse.
 */
export class FrameReader {
  private buffered: Buffer[] = [];
  private length = 0;
  /** The data frames of a fragmented message so far. */
  private fragments: Buffer[] = [];
  private fragmentsLength = 0;
  private fragmentType: 'text' | 'binary' | null = null;

  push(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.length += chunk.length;
  }

  /** The next complete message or control frame, or null when more bytes are needed. */
  next(): Incoming | null {
    for (;;) {
      const frame = this.frame();
      if (!frame) return null;
      const message = this.assemble(frame.fin, frame.opcode, frame.payload);
      if (message) return message;
    }
  }

  private peek(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    if (this.buffered[0].length < n) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0];
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const all = this.peek(n);
    const out = all.subarray(0, n);
    if (all.length === n) this.buffered.shift();
    else this.buffered[0] = all.subarray(n);
    this.length -= n;
    return out;
  }

  private frame(): { fin: boolean; opcode: number; payload: Buffer } | null {
    if (this.length < 2) return null;
    const head = this.peek(2);
    const fin = (head[0] & 0x80) !== 0;
    if (head[0] & 0x70) throw new ProtocolError('the server set reserved bits no extension was agreed for');
    const opcode = head[0] & 0x0f;
    if (head[1] & 0x80) throw new ProtocolError('the server masked a frame (servers must not)');
    let size = head[1] & 0x7f;
    let offset = 2;
    if (size === 126) {
      if (this.length < 4) return null;
      size = this.peek(4).readUInt16BE(2);
      offset = 4;
    } else if (size === 127) {
      if (this.length < 10) return null;
      const big = this.peek(10).readBigUInt64BE(2);
      if (big > BigInt(MAX_MESSAGE_BYTES)) throw tooBig();
      size = Number(big);
      offset = 10;
    }
    if (opcode >= 0x8) {
      if (!fin) throw new ProtocolError('the server fragmented a control frame');
      if (size > 125) throw new ProtocolError('the server sent a control frame over 125 bytes');
    }
    if (size > MAX_MESSAGE_BYTES) throw tooBig();
    if (this.length < offset + size) return null;
    this.take(offset);
    // A copy: the payload outlives the chunk it arrived in.
    return { fin, opcode, payload: Buffer.from(this.take(size)) };
  }

  private assemble(fin: boolean, opcode: number, payload: Buffer): Incoming | null {
    switch (opcode) {
      case OPCODE.ping:
        return { type: 'ping', data: payload };
      case OPCODE.pong:
        return { type: 'pong', data: payload };
      case OPCODE.close:
        return readClose(payload);
      case OPCODE.text:
      case OPCODE.binary: {
        if (this.fragmentType) throw new ProtocolError('the server began a message inside another');
        const type = opcode === OPCODE.text ? 'text' : 'binary';
        if (fin) return message(type, payload);
        this.fragmentType = type;
        this.fragments = [payload];
        this.fragmentsLength = payload.length;
        return null;
      }
      case OPCODE.continuation: {
        if (!this.fragmentType) throw new ProtocolError('the server continued a message it never began');
        this.fragments.push(payload);
        this.fragmentsLength += payload.length;
        if (this.fragmentsLength > MAX_MESSAGE_BYTES) throw tooBig();
        if (!fin) return null;
        const type = this.fragmentType;
        const whole = Buffer.concat(this.fragments);
        this.fragmentType = null;
        this.fragments = [];
        this.fragmentsLength = 0;
        return message(type, whole);
      }
      default:
        throw new ProtocolError(`the server sent an unknown opcode 0x${opcode.toString(16)}`);
    }
  }
}

function tooBig(): ProtocolError {
  return new ProtocolError(`the server sent a message over ${MAX_MESSAGE_BYTES / 1024 / 1024} MB`, 1009);
}

function message(type: 'text' | 'binary', payload: Buffer): Incoming {
  if (type === 'binary') return { type, data: payload };
  return { type, data: decodeText(payload) };
}

function decodeText(payload: Buffer): string {
  try {
    return UTF8.decode(payload);
  } catch {
    throw new ProtocolError('the server sent text that is not valid UTF-8', 1007);
  }
}

function readClose(payload: Buffer): Incoming {
  if (payload.length === 0) return { type: 'close', code: 1005, reason: '' };
  if (payload.length === 1) throw new ProtocolError('the server sent a one-byte close payload');
  const code = payload.readUInt16BE(0);
  if (!isSendableCloseCode(code)) throw new ProtocolError(`the server sent close code ${code}`);
  return { type: 'close', code, reason: decodeText(payload.subarray(2)) };
}
