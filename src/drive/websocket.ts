/**
 * A minimal WebSocket client (RFC 6455) over node:net, for scenarios that drive connections the way real
 * clients do (Node 20 has no built-in client, and heapgate takes no dependency for it): the opening
 * handshake (with its accept key checked), masked text and binary frames out, messages in (fragments
 * reassembled, pings answered), the closing handshake, and `drop` — the socket destroyed without a close
 * frame, as a client that vanishes. Every wait takes an AbortSignal: the scenario driver
 * (websocket-driver.ts) owns the deadlines and says which step timed out.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { describeError } from './http.js';
import { closePayload, encodeFrame, FrameReader, OPCODE, ProtocolError, type Incoming } from './ws-frames.js';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The longest answer to the opening handshake read before giving up on it. */
const MAX_HANDSHAKE_BYTES = 64 * 1024;
/** Messages kept unread before the connection is failed (a server flooding a client nobody reads). */
const MAX_QUEUED = 4096;

export interface ConnectOptions {
  host: string;
  port: number;
  /** Path and query, as sent in the request line. */
  path: string;
  /** The Host header (`127.0.0.1:8000`, or what a URL named). */
  hostHeader: string;
  /** Extra request headers (Authorization, Origin, …). */
  headers?: Readonly<Record<string, string>>;
  /** Pins name resolution (the loopback guard's addresses). */
  lookup?: net.LookupFunction;
}

export type Message = { type: 'text'; data: string } | { type: 'binary'; data: Buffer };

/** Why a connection failed; `status` is the handshake answer's status when it was not 101. */
export class WebSocketError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WebSocketError';
  }
}

/** The Sec-WebSocket-Accept a server must answer for this key. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + ACCEPT_GUID)
    .digest('base64');
}

interface Waiter {
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
}

export class WebSocketConnection {
  private readonly reader = new FrameReader();
  private readonly queue: Message[] = [];
  private waiter: Waiter | null = null;
  private failure: Error | null = null;
  private closeSent = false;
  /** The server's close frame, once it came. */
  closeReceived: { code: number; reason: string } | null = null;
  /** The TCP connection has ended. */
  private ended = false;
  private readonly endWaiters: (() => void)[] = [];
  /** Data messages are dropped as they arrive (a held connection nobody reads). */
  discard = false;
  /** Called once when the connection ends, however it ends. */
  onEnd: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {}

  /**
   * Opens a connection: TCP, the opening handshake, the accept key checked. Rejects with a WebSocketError
   * (with `status` when the server answered something other than 101), or with the signal's reason.
   */
  static connect(options: ConnectOptions, signal?: AbortSignal): Promise<WebSocketConnection> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const key = randomBytes(16).toString('base64');
      const socket = net.connect({ host: options.host, port: options.port, lookup: options.lookup });
      socket.setNoDelay(true);
      let head = Buffer.alloc(0);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        cleanup();
        socket.destroy();
        reject(error);
      };
      const onAbort = () => fail(abortError(signal!));
      const onError = (error: Error) => fail(new WebSocketError(describeError(error)));
      const onClose = () => fail(new WebSocketError('connection closed during the opening handshake'));
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) {
          if (head.length > MAX_HANDSHAKE_BYTES) fail(new WebSocketError('the handshake answer is too long'));
          return;
        }
        const problem = checkHandshake(head.subarray(0, end).toString('latin1'), key);
        if (problem) return fail(problem);
        settled = true;
        cleanup();
        const connection = new WebSocketConnection(socket);
        connection.attach(head.subarray(end + 4));
        resolve(connection);
      };
      const cleanup = () => {
        signal?.removeEventListener('abort', onAbort);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.once('connect', () => {
        const lines = [
          `GET ${options.path} HTTP/1.1`,
          `Host: ${options.hostHeader}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${key}`,
          'Sec-WebSocket-Version: 13',
          ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
        ];
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      });
    });
  }

  /** Neither side has closed, and the connection has not failed. */
  get open(): boolean {
    return !this.ended && !this.closeSent && !this.closeReceived && !this.failure;
  }

  /** Sends a text (string) or binary (Buffer) message. Throws when the connection is no longer open. */
  send(data: string | Buffer): void {
    if (!this.open) throw this.failure ?? new WebSocketError('the connection is closed');
    const binary = Buffer.isBuffer(data);
    this.socket.write(encodeFrame(binary ? OPCODE.binary : OPCODE.text, binary ? data : Buffer.from(data)));
  }

  /** The next message from the server; rejects when the connection ends first or the signal aborts. */
  receive(signal?: AbortSignal): Promise<Message> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error('receive() is already waiting'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiter = null;
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.waiter = {
        resolve: (m) => (done(), resolve(m)),
        reject: (e) => (done(), reject(e)),
      };
    });
  }

  /**
   * The closing handshake: a close frame with `code`, then the server's close frame and the end of the
   * TCP connection (the server closes it first, RFC 6455 §7.1.1). Resolves once it has ended; on abort
   * the socket is destroyed and the promise rejects with the signal's reason.
   */
  async close(code = 1000, reason = '', signal?: AbortSignal): Promise<void> {
    if (!this.ended && !this.closeSent && !this.failure) {
      this.closeSent = true;
      this.socket.write(encodeFrame(OPCODE.close, closePayload(code, reason)));
      // The server answered our close already (it closed first): we may end our side at once.
      if (this.closeReceived) this.socket.end();
    }
    if (this.ended) return;
    if (signal?.aborted) {
      this.drop();
      throw abortError(signal);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.drop();
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.endWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Destroys the socket without a close frame: a client that vanished. */
  drop(): void {
    this.socket.destroy();
  }

  private attach(rest: Buffer): void {
    const socket = this.socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new WebSocketError(describeError(error))));
    // allowHalfOpen is off: when the server ends its side, Node ends ours and then 'close' follows.
    socket.on('close', () => this.onClose());
    if (rest.length) this.onData(rest);
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    this.reader.push(chunk);
    try {
      for (let frame = this.reader.next(); frame; frame = this.reader.next()) this.handle(frame);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // A client failing the connection sends a close frame with the reason's code, then drops it.
      if (!this.closeSent && !this.ended) {
        this.closeSent = true;
        this.socket.write(encodeFrame(OPCODE.close, closePayload(error.code)));
      }
      this.fail(new WebSocketError(`protocol error: ${error.message}`));
      this.socket.destroy();
    }
  }

  private handle(frame: Incoming): void {
    switch (frame.type) {
      case 'ping':
        if (!this.closeSent && !this.ended) this.socket.write(encodeFrame(OPCODE.pong, frame.data));
        return;
      case 'pong':
        return;
      case 'close': {
        this.closeReceived = { code: frame.code, reason: frame.reason };
        if (!this.closeSent) {
          // Echo the server's close (RFC 6455 §5.5.1), then let it end the TCP connection.
          this.closeSent = true;
          const echo = frame.code === 1005 ? Buffer.alloc(0) : closePayload(frame.code);
          this.socket.write(encodeFrame(OPCODE.close, echo));
        }
        this.socket.end();
        const reason = frame.reason ? `, ${frame.reason}` : '';
        this.fail(new WebSocketError(`the server closed the connection (code ${frame.code}${reason})`));
        return;
      }
      default:
        if (this.discard || this.closeSent) return;
        if (this.waiter) {
          const waiter = this.waiter;
          this.waiter = null;
          waiter.resolve(frame);
        } else if (this.queue.length < MAX_QUEUED) {
          this.queue.push(frame);
        } else {
          this.fail(new WebSocketError(`the server sent more than ${MAX_QUEUED} messages nobody read`));
          this.socket.destroy();
        }
    }
  }

  /** Records the first failure and rejects a waiting receive with it. */
  private fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(this.failure);
  }

  private onClose(): void {
    if (!this.closeReceived) {
      this.fail(new WebSocketError('connection closed without a close frame'));
    }
    this.ended = true;
    for (const resolve of this.endWaiters.splice(0)) resolve();
    const onEnd = this.onEnd;
    this.onEnd = null;
    onEnd?.();
  }
}

/** What is wrong with the handshake's answer, or null when it accepts the connection. */
function checkHandshake(text: string, key: string): WebSocketError | null {
  const [statusLine, ...lines] = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status)
    return new WebSocketError(`malformed handshake answer: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const code = Number(status[1]);
  if (code !== 101) return new WebSocketError(`status ${code}`, code);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    return new WebSocketError('the handshake answer does not upgrade to websocket', code);
  }
  if (headers.get('sec-websocket-accept') !== acceptFor(key)) {
    return new WebSocketError('the handshake answer has a wrong Sec-WebSocket-Accept', code);
  }
  return null;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
