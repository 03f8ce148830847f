/**
 * The WebSocket scenario driver: one connection per iteration (websocket.ts), its messages sent, its
 * answers awaited, then closed as the scenario says — `normal`, `drop`, or `hold` in a bounded pool of
 * open connections (the oldest closed normally past `maxOpen`, every one closed when the driver is). One
 * deadline covers the whole iteration and the failure names the step it cut. Like HttpDriver.send,
 * `run` never throws for what the target does: failures come back as `{ error }` for the circuit breaker;
 * absolute `ws://` URLs go through the same loopback guard as HTTP ones.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebSocketSpec } from '../scenarios/model.js';
import {
  checkLoopback,
  formatMs,
  pathOfUrl,
  pinnedLookup,
  type ResolvedAddress,
  type ScenarioOrigin,
  type SendResult,
} from './http.js';
import { defaultRandom, expandString, expandTemplate, hasTemplate, type TemplateRandom } from './template.js';
import { WebSocketConnection, WebSocketError, type ConnectOptions } from './websocket.js';

export interface WebSocketDriverOptions {
  /** The target's port, for `path` scenarios. */
  port: number;
  host?: string;
  allowRemote?: boolean;
  random?: TemplateRandom;
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** What the handshake of a connection that opened answered. */
export const SWITCHING_PROTOCOLS = 101;

/** How long closing the held connections may take when the driver closes, before they are dropped. */
const CLOSE_ALL_MS = 2000;

interface Prepared {
  host: string;
  port: number;
  hostHeader: string;
  lookup: net.LookupFunction | undefined;
  pathTemplate: string;
}

class Timeout extends Error {}

/** Why an iteration's connection failed: a status other than 101, or the error text (never both missing). */
export function websocketFailure(result: SendResult): string | null {
  if (result.error !== undefined) return result.error;
  return result.status === SWITCHING_PROTOCOLS ? null : `status ${result.status ?? 'none'}`;
}

/**
 * How the session counts an iteration among the statuses: `101` when every step completed, the status
 * when the handshake was refused (`404`), `error` for any other failure (a timeout, a dropped connection).
 */
export function websocketStatus(result: SendResult): string {
  if (websocketFailure(result) === null) return String(SWITCHING_PROTOCOLS);
  return result.status !== undefined && result.status !== SWITCHING_PROTOCOLS
    ? String(result.status)
    : 'error';
}

export class WebSocketDriver {
  private readonly prepared = new WeakMap<WebSocketSpec, Promise<Prepared>>();
  private readonly random: TemplateRandom;
  /** Connections kept open by `hold`, oldest first. */
  private readonly held: WebSocketConnection[] = [];
  private opened = 0;

  constructor(private readonly options: WebSocketDriverOptions) {
    this.random = options.random ?? defaultRandom;
  }

  /** Connections opened so far. */
  get connectionsOpened(): number {
    return this.opened;
  }

  /** Connections held open right now. */
  get heldOpen(): number {
    return this.held.length;
  }

  /** Checks a spec once (the loopback guard for a `url`): await it before driving; rejects with a UsageError. */
  prepare(spec: WebSocketSpec, origin?: ScenarioOrigin): Promise<void> {
    return this.preparedFor(spec, origin).then(() => undefined);
  }

  /** Iteration `i`: connect, send, receive, close/drop/hold. Resolves with the status and any failure. */
  async run(spec: WebSocketSpec, i: number, signal?: AbortSignal): Promise<SendResult> {
    const prepared = await this.preparedFor(spec);
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Timeout()), spec.timeoutMs);
    const stop = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    let step = 'connecting';
    let status: number | undefined;
    let connection: WebSocketConnection | null = null;
    try {
      connection = await WebSocketConnection.connect(this.connectOptions(prepared, spec, i), stop);
      this.opened++;
      status = SWITCHING_PROTOCOLS;
      spec.send.forEach((message, k) => {
        step = `sending message ${k + 1} of ${spec.send.length}`;
        connection!.send(this.expandMessage(message, i));
      });
      for (let k = 0; k < spec.receive; k++) {
        step = `waiting for message ${k + 1} of ${spec.receive}`;
        await connection.receive(stop);
      }
      step = 'closing';
      if (spec.close === 'normal') await connection.close(1000, '', stop);
      else if (spec.close === 'drop') connection.drop();
      else await this.hold(connection, spec.maxOpen, stop);
      return { status, ms: performance.now() - started };
    } catch (error) {
      connection?.drop();
      const result: SendResult = { error: describe(error, step, spec), ms: performance.now() - started };
      const refused = error instanceof WebSocketError ? error.status : undefined;
      if (status !== undefined || refused !== undefined) result.status = status ?? refused;
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every held connection (normally, for a short while; then drops the rest). */
  async close(): Promise<void> {
    const held = this.held.splice(0);
    if (!held.length) return;
    const signal = AbortSignal.timeout(CLOSE_ALL_MS);
    await Promise.allSettled(held.map((c) => c.close(1000, '', signal)));
    for (const c of held) c.drop();
  }

  /** Keeps the connection open (its messages dropped unread); past `maxOpen`, closes the oldest. */
  private async hold(connection: WebSocketConnection, maxOpen: number, signal: AbortSignal): Promise<void> {
    connection.discard = true;
    connection.onEnd = () => {
      const at = this.held.indexOf(connection);
      if (at !== -1) this.held.splice(at, 1);
    };
    this.held.push(connection);
    while (this.held.length > maxOpen) {
      const oldest = this.held.shift()!;
      await oldest.close(1000, '', signal);
    }
  }

  private connectOptions(prepared: Prepared, spec: WebSocketSpec, i: number): ConnectOptions {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.headers))
      headers[name] = expandString(value, i, this.random);
    return {
      host: prepared.host,
      port: prepared.port,
      path: expandString(prepared.pathTemplate, i, this.random),
      hostHeader: prepared.hostHeader,
      headers,
      lookup: prepared.lookup,
    };
  }

  private expandMessage(message: WebSocketSpec['send'][number], i: number): string {
    if (typeof message === 'string') return expandString(message, i, this.random);
    return JSON.stringify(hasTemplate(message) ? expandTemplate(message, i, this.random) : message);
  }

  private preparedFor(spec: WebSocketSpec, origin?: ScenarioOrigin): Promise<Prepared> {
    let prepared = this.prepared.get(spec);
    if (!prepared) {
      prepared = this.build(spec, origin);
      this.prepared.set(spec, prepared);
    }
    return prepared;
  }

  private async build(spec: WebSocketSpec, origin?: ScenarioOrigin): Promise<Prepared> {
    const host = this.options.host ?? '127.0.0.1';
    if (spec.url === null) {
      return {
        host,
        port: this.options.port,
        hostHeader: `${host}:${this.options.port}`,
        lookup: undefined,
        pathTemplate: spec.path ?? '/',
      };
    }
    const pinned = await checkLoopback(spec.url, {
      allowRemote: this.options.allowRemote,
      resolve: this.options.resolve,
      origin,
      field: 'websocket.url',
    });
    const parsed = new URL(spec.url.replace(/\{(?:i|uuid|random)\}/g, '0'));
    const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    return {
      host: hostname,
      port: parsed.port ? Number(parsed.port) : 80,
      hostHeader: parsed.host,
      lookup: pinned && net.isIP(hostname) === 0 ? pinnedLookup(pinned) : undefined,
      pathTemplate: pathOfUrl(spec.url),
    };
  }
}

/** The failure as the breaker and the report say it: what went wrong, at which step. */
function describe(error: unknown, step: string, spec: WebSocketSpec): string {
  if (error instanceof Timeout) return `timed out after ${formatMs(spec.timeoutMs)} ${step}`;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof WebSocketError && error.status !== undefined) return message;
  return step === 'connecting' ? message : `${step}: ${message}`;
}
