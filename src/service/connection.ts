/** One process's control channel: commands out, validated replies in, matched by id. */
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { encodeCommand, LineDecoder, type Command, type HelloMessage, type ShimMessage } from './protocol.js';

export class ShimConnection extends EventEmitter<{ hello: [HelloMessage]; close: [] }> {
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

  request(command: Command, timeoutMs: number): Promise<ShimMessage> {
    if (!this.open) return Promise.reject(new Error('the channel is closed'));
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
      this.hello = message;
      this.emit('hello', message);
      return;
    }
    if (message.id === undefined) return;
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
