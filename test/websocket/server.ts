/**
 * A small loopback WebSocket server for the client and driver tests, written against RFC 6455 apart from
 * src/ (so the client is not checked against itself). Paths choose its behaviour; it records what each
 * connection did so tests can assert on the server's side of the story.
 *
 * /echo…        echoes text and binary messages, answers a close frame and ends the connection
 * /ping         sends a ping first (records the pong), then echoes
 * /fragments    sends "abcdef" in three fragments, then echoes
 * /masked       sends a masked frame (servers must not)
 * /bad-accept   answers 101 with a wrong Sec-WebSocket-Accept
 * /silent       accepts and never sends, never answers a close
 * /bye          sends a close frame (1001 "going away") at once
 * anything else answers 404
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface WsServerState {
  /** Connections upgraded so far, and open right now. */
  opened: number;
  open: number;
  /** Close codes received from clients (1005 for an empty close payload). */
  closeCodes: number[];
  /** Connections that ended without the client's close frame. */
  dropped: number;
  /** Text messages received, in order. */
  texts: string[];
  /** Pongs received, as text. */
  pongs: string[];
  /** Request paths and headers of the opening handshakes. */
  paths: string[];
  headers: http.IncomingHttpHeaders[];
}

export interface WsTestServer {
  port: number;
  state: WsServerState;
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** An unmasked server frame. */
export function serverFrame(opcode: number, payload: Buffer, fin = true, mask?: Buffer): Buffer {
  const n = payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (n < 126) head.push(maskBit | n);
  else if (n < 65536) head.push(maskBit | 126, n >> 8, n & 0xff);
  else throw new Error('test frames stay under 64 KB');
  const body = mask ? Buffer.from(payload.map((b, k) => b ^ mask[k & 3])) : payload;
  return Buffer.concat([Buffer.from(head), mask ?? Buffer.alloc(0), body]);
}

/** Reads the client's masked frames from a socket, calling `onFrame` for each. */
function readFrames(socket: Socket, onFrame: (opcode: number, payload: Buffer) => void): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      let n = buffer[1] & 0x7f;
      let at = 2;
      if (n === 126) {
        if (buffer.length < 4) return;
        n = buffer.readUInt16BE(2);
        at = 4;
      } else if (n === 127) {
        if (buffer.length < 10) return;
        n = Number(buffer.readBigUInt64BE(2));
        at = 10;
      }
      if (!(buffer[1] & 0x80)) throw new Error('a client frame must be masked');
      if (buffer.length < at + 4 + n) return;
      const mask = buffer.subarray(at, at + 4);
      const payload = Buffer.from(buffer.subarray(at + 4, at + 4 + n).map((b, k) => b ^ mask[k & 3]));
      const opcode = buffer[0] & 0x0f;
      buffer = buffer.subarray(at + 4 + n);
      onFrame(opcode, payload);
    }
  });
}

export async function startWsServer(): Promise<WsTestServer> {
  const state: WsServerState = {
    opened: 0,
    open: 0,
    closeCodes: [],
    dropped: 0,
    texts: [],
    pongs: [],
    paths: [],
    headers: [],
  };
  const sockets = new Set<Socket>();
  const server = http.createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: Socket) => {
    const url = request.url ?? '/';
    const key = String(request.headers['sec-websocket-key'] ?? '');
    const known = ['/echo', '/ping', '/fragments', '/masked', '/bad-accept', '/silent', '/bye'];
    const route = known.find((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`));
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1')
      .update(route === '/bad-accept' ? 'wrong' : key + GUID)
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    state.opened++;
    state.open++;
    state.paths.push(url);
    state.headers.push(request.headers);
    let closed = false;
    socket.on('error', () => {});
    // node:http's sockets are half-open: a client's FIN alone does not close them.
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      sockets.delete(socket);
      state.open--;
      if (!closed) state.dropped++;
    });
    readFrames(socket, (opcode, payload) => {
      if (opcode === 0x8) {
        closed = true;
        state.closeCodes.push(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        if (route === '/silent') return;
        socket.end(serverFrame(0x8, payload.subarray(0, 2)));
      } else if (opcode === 0xa) state.pongs.push(payload.toString());
      else if (route === '/silent') return;
      else if (opcode === 0x1 || opcode === 0x2) {
        if (opcode === 0x1) state.texts.push(payload.toString());
        socket.write(serverFrame(opcode, payload));
      }
    });
    if (route === '/ping') socket.write(serverFrame(0x9, Buffer.from('are you there')));
    if (route === '/fragments') {
      socket.write(serverFrame(0x1, Buffer.from('ab'), false));
      socket.write(serverFrame(0x0, Buffer.from('cd'), false));
      socket.write(serverFrame(0x0, Buffer.from('ef'), true));
    }
    if (route === '/masked')
      socket.write(serverFrame(0x1, Buffer.from('hi'), true, Buffer.from([1, 2, 3, 4])));
    if (route === '/bye') {
      const payload = Buffer.alloc(2 + 10);
      payload.writeUInt16BE(1001, 0);
      payload.write('going away', 2);
      socket.write(serverFrame(0x8, payload));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    state,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until `check` holds (the server sees a client's close or drop a moment after the client acts). */
export async function until(check: () => boolean, withinMs = 3000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
