/**
 * One process's control channel (a connection to the run's socket): its handshake — the shim's plain
 * `hello` claims a process, heapgate checks the claim (service/channels.ts) and answers with the
 * connection's key or a refusal — then commands out and authenticated replies in, matched by id.
 */
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { encodeCommand, LineDecoder, type Command, type HelloMessage, type ShimMessage } from './protocol.js';

export class ShimConnection extends EventEmitter<{
  claim: [HelloMessage];
  hello: [HelloMessage];
  close: [];
}> {
  /** The process this connection speaks for, once its claim was accepted. */
  hello: HelloMessage | null = null;
  private readonly decoder = new LineDecoder();
  private readonly pending = new Map<
    number,
    { resolve: (m: ShimMessage) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private open = true;

  constructor(
    readable: Readable,
    private readonly writable: Writable,
  ) {
    super();
    readable.on('data', (chunk: Buffer) => {
      for (const message of this.decoder.push(chunk)) this.receive(message);
    });
    const end = () => this.shutdown('the process closed its channel');
    readable.on('end', end);
    readable.on('close', end);
    readable.on('error', end);
    writable.on('error', end);
  }

  get pid(): number | null {
    return this.hello?.pid ?? null;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Lines on the channel that were not protocol. */
  get noise(): number {
    return this.decoder.noise;
  }

  /** Protocol lines that failed authentication (someone other than the shim wrote them). */
  get forged(): number {
    return this.decoder.forged;
  }

  /** Accepts the claim: hands the shim its key; from now on only frames signed with it count. */
  accept(claim: HelloMessage, key: Buffer): void {
    if (!this.open) return;
    this.writable.write(`${JSON.stringify({ key: key.toString('hex') })}\n`);
    this.decoder.authenticate(key);
    this.hello = claim;
    this.emit('hello', claim);
  }

  /** Refuses the claim and closes the connection. */
  refuse(reason: string): void {
    if (!this.open) return;
    this.writable.write(`${JSON.stringify({ refused: reason })}\n`);
    this.close();
  }

  request(command: Command, timeoutMs: number): Promise<ShimMessage> {
    if (!this.open) return Promise.reject(new Error('the channel is closed'));
    if (!this.hello) return Promise.reject(new Error('the channel has not been accepted'));
    const id = this.nextId++;
    return new Promise<ShimMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to '${command.cmd}' within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.writable.write(encodeCommand(id, command));
    });
  }

  private receive(message: ShimMessage): void {
    if (message.type === 'hello') {
      // The plain hello is a claim until checked; an authenticated one may update what it says.
      if (this.hello === null) this.emit('claim', message);
      else if (message.pid === this.hello.pid) this.hello = message;
      return;
    }
    // A reply must come from the process the connection speaks for.
    if (message.id === undefined || message.pid !== this.hello?.pid) return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    waiter.resolve(message);
  }

  private shutdown(reason: string): void {
    if (!this.open) return;
    this.open = false;
    for (const waiter of this.pending.values()) waiter.reject(new Error(reason));
    this.pending.clear();
    this.emit('close');
  }

  close(): void {
    this.shutdown('closed by heapgate');
    this.writable.end();
  }
}
