/**
 * The HTTP driver: one keep-alive agent (maxSockets = concurrency) to the target, templates expanded per
 * iteration, a deadline on every request (connect, answer and body), and a loopback guard for absolute
 * `url`s. `send` never throws for anything the target does: failures come back as `{ error }` for the
 * circuit breaker; only the guard (a usage error) rejects, and only if `prepare` was not awaited first.
 */
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import type { RequestSpec } from '../scenarios/model.js';
import { defaultRandom, expandString, type TemplateRandom } from './template.js';

export interface SendResult {
  /** The answer's status, when one arrived. */
  status?: number;
  /** Why there was no (complete) answer: `connection refused (ECONNREFUSED)`, `timed out after 10 s`, … */
  error?: string;
  /** From the start of the request to the end of the answer's body (or the failure). */
  ms: number;
}

/** Where a request spec came from (a Scenario has both fields). */
export interface ScenarioOrigin {
  file: string;
  /** '' or `scenarios[2]`. */
  entry: string;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface HttpDriverOptions {
  /** The target's port, for `path` requests. */
  port: number;
  /** Where `path` requests go (default 127.0.0.1; the runner's own loopback choice, not checked). */
  host?: string;
  /** Sockets per origin (default 1): the scenario's concurrency. */
  concurrency?: number;
  /** Let absolute `url`s reach hosts that are not loopback (`--allow-remote`). */
  allowRemote?: boolean;
  random?: TemplateRandom;
  /** Name resolution for the guard (default dns.lookup with all addresses); tests inject one. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

interface Prepared {
  host: string;
  port: number;
  /** Host header for `url`s (what the URL named, not the pinned address). */
  hostHeader: string | null;
  lookup: net.LookupFunction | undefined;
  pathTemplate: string;
  pathHasTemplate: boolean;
  headers: [string, string, boolean][];
  body: string | null;
  bodyHasTemplate: boolean;
  contentType: string | null;
}

const TEMPLATE = /\{(?:i|uuid|random)\}/;

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address. */
export function isLoopbackAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return LOOPBACK.check(address, 'ipv4');
  if (family === 6) return LOOPBACK.check(address, 'ipv6');
  return false;
}

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  return dns.promises.lookup(hostname, { all: true, verbatim: true });
}

/**
 * Decides whether `url` may be driven. Loopback IP literals pass; a name is resolved first and passes
 * when every address it resolves to is loopback (`localhost` normally does); the addresses are returned
 * so the connection can be pinned to them (a later, different resolution cannot redirect it). Anything
 * else is a UsageError naming --allow-remote, unless allowRemote is set (then nothing is resolved here).
 */
export async function checkLoopback(
  url: string,
  options: {
    allowRemote?: boolean;
    resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
    /** Where the request came from, for the message: a Scenario fits (`scenarios/a.json: scenarios[2].request.url: …`). */
    origin?: ScenarioOrigin;
    /** The field the URL is in, for the message (default `request.url`). */
    field?: string;
  } = {},
): Promise<ResolvedAddress[] | null> {
  const parsed = new URL(url.replace(/\{(?:i|uuid|random)\}/g, '0'));
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (options.allowRemote) return null;
  const origin = options.origin;
  const label = origin ? `${origin.file}: ${origin.entry ? `${origin.entry}.` : ''}` : '';
  const refuse = (why: string) =>
    new UsageError(
      `${label}${options.field ?? 'request.url'}: ${why}; heapgate only drives services on loopback (127.0.0.0/8, ::1, localhost) ` +
        'unless you pass --allow-remote',
    );
  const family = net.isIP(hostname);
  if (family !== 0) {
    if (isLoopbackAddress(hostname)) return [{ address: hostname, family }];
    throw refuse(`${hostname} is not a loopback address`);
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await (options.resolve ?? systemResolve)(hostname);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw refuse(`'${hostname}' could not be resolved (${code}), so it cannot be shown to be loopback`);
  }
  if (addresses.length === 0) throw refuse(`'${hostname}' resolves to no address`);
  const remote = addresses.filter((a) => !isLoopbackAddress(a.address));
  if (remote.length > 0) {
    throw refuse(
      `'${hostname}' resolves to ${remote.map((a) => a.address).join(', ')}, which is not loopback`,
    );
  }
  return addresses;
}

export class HttpDriver {
  readonly agent: http.Agent;
  private readonly prepared = new WeakMap<RequestSpec, Promise<Prepared>>();
  private readonly random: TemplateRandom;
  private opened = 0;

  constructor(private readonly options: HttpDriverOptions) {
    const sockets = Math.max(1, options.concurrency ?? 1);
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: sockets,
      maxFreeSockets: sockets,
      scheduling: 'lifo',
    });
    this.random = options.random ?? defaultRandom;
  }

  /** Connections opened so far (a keep-alive run opens about `concurrency` of them). */
  get connectionsOpened(): number {
    return this.opened;
  }

  /**
   * Checks a request once (the loopback guard for `url`s) and precomputes what does not change between
   * iterations. Await it for every scenario before driving: it rejects with a UsageError (exit 2).
   */
  prepare(spec: RequestSpec, origin?: ScenarioOrigin): Promise<void> {
    return this.preparedFor(spec, origin).then(() => undefined);
  }

  /** Sends iteration `i` of the request. Never rejects for the target's behaviour; see SendResult. */
  async send(spec: RequestSpec, i: number, signal?: AbortSignal): Promise<SendResult> {
    const prepared = await this.preparedFor(spec);
    const started = performance.now();
    const deadline = started + spec.timeoutMs;
    const path = prepared.pathHasTemplate
      ? expandString(prepared.pathTemplate, i, this.random)
      : prepared.pathTemplate;
    const headers: Record<string, string> = {};
    for (const [name, value, templated] of prepared.headers) {
      headers[name] = templated ? expandString(value, i, this.random) : value;
    }
    let body: Buffer | null = null;
    if (prepared.body !== null) {
      // Templates expand in the serialized JSON: their replacements need no escaping, so this equals
      // serializing the expanded value.
      body = Buffer.from(
        prepared.bodyHasTemplate ? expandString(prepared.body, i, this.random) : prepared.body,
      );
      if (prepared.contentType) headers['content-type'] = prepared.contentType;
      headers['content-length'] = String(body.length);
    }
    if (prepared.hostHeader && !Object.keys(headers).some((h) => h.toLowerCase() === 'host')) {
      headers.host = prepared.hostHeader;
    }
    let outcome = await this.attempt(prepared, spec, path, headers, body, deadline, signal);
    // A keep-alive socket the server closed while idle fails at once on reuse: try once on a new one.
    if (outcome.retry && performance.now() < deadline && !signal?.aborted) {
      outcome = await this.attempt(prepared, spec, path, headers, body, deadline, signal);
    }
    const result: SendResult = { ms: performance.now() - started };
    if (outcome.status !== undefined) result.status = outcome.status;
    if (outcome.error !== undefined) result.error = outcome.error;
    return result;
  }

  /** Closes every pooled connection. */
  close(): void {
    this.agent.destroy();
  }

  private preparedFor(spec: RequestSpec, origin?: ScenarioOrigin): Promise<Prepared> {
    let prepared = this.prepared.get(spec);
    if (!prepared) {
      prepared = this.build(spec, origin);
      this.prepared.set(spec, prepared);
    }
    return prepared;
  }

  private async build(spec: RequestSpec, origin?: ScenarioOrigin): Promise<Prepared> {
    let host = this.options.host ?? '127.0.0.1';
    let port = this.options.port;
    let hostHeader: string | null = null;
    let lookup: net.LookupFunction | undefined;
    let pathTemplate = spec.path ?? '/';
    if (spec.url !== null) {
      const pinned = await checkLoopback(spec.url, {
        allowRemote: this.options.allowRemote,
        resolve: this.options.resolve,
        origin,
      });
      const parsed = new URL(spec.url.replace(/\{(?:i|uuid|random)\}/g, '0'));
      host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
      port = parsed.port ? Number(parsed.port) : 80;
      hostHeader = parsed.host;
      pathTemplate = pathOfUrl(spec.url);
      if (pinned && net.isIP(host) === 0) lookup = pinnedLookup(pinned);
    }
    const headers = Object.entries(spec.headers).map(([name, value]): [string, string, boolean] => [
      name,
      value,
      TEMPLATE.test(value),
    ]);
    let body: string | null = null;
    let contentType: string | null = null;
    if (spec.body?.kind === 'json') {
      body = JSON.stringify(spec.body.value);
      if (!Object.keys(spec.headers).some((h) => h.toLowerCase() === 'content-type')) {
        contentType = 'application/json';
      }
    } else if (spec.body?.kind === 'text') body = spec.body.value;
    return {
      host,
      port,
      hostHeader,
      lookup,
      pathTemplate,
      pathHasTemplate: TEMPLATE.test(pathTemplate),
      headers,
      body,
      bodyHasTemplate: body !== null && TEMPLATE.test(body),
      contentType,
    };
  }

  private attempt(
    prepared: Prepared,
    spec: RequestSpec,
    path: string,
    headers: Record<string, string>,
    body: Buffer | null,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<{ status?: number; error?: string; retry?: boolean }> {
    return new Promise((resolve) => {
      let settled = false;
      let status: number | undefined;
      let timer: NodeJS.Timeout | undefined = undefined;
      let request: http.ClientRequest | undefined;
      const onAbort = () => {
        request?.destroy();
        finish({ status, error: 'aborted' });
      };
      const finish = (outcome: { status?: number; error?: string; retry?: boolean }) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      if (signal?.aborted) {
        finish({ error: 'aborted' });
        return;
      }
      try {
        request = http.request({
          agent: this.agent,
          host: prepared.host,
          port: prepared.port,
          method: spec.method,
          path,
          headers,
          lookup: prepared.lookup,
        });
      } catch (error) {
        finish({ error: describeError(error) });
        return;
      }
      const sent = request;
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(
        () => {
          // Destroying (not just aborting) the request drops its socket: a late answer can never be read
          // as the answer to the next request on that connection.
          sent.destroy();
          finish({ status, error: `timed out after ${formatMs(spec.timeoutMs)}` });
        },
        Math.max(0, deadline - performance.now()),
      );
      sent.on('socket', () => {
        if (!sent.reusedSocket) this.opened++;
      });
      sent.on('response', (response) => {
        status = response.statusCode;
        const cut = () => finish({ status, error: 'connection closed during the answer' });
        response.on('error', cut);
        response.on('end', () => (response.complete ? finish({ status }) : cut()));
        response.on('close', () => {
          if (!response.complete) cut();
        });
        response.resume();
      });
      sent.on('error', (error: NodeJS.ErrnoException) => {
        const retry =
          status === undefined &&
          sent.reusedSocket &&
          (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        finish({ status, error: describeError(error), retry });
      });
      sent.end(body ?? undefined);
    });
  }
}

export function createHttpDriver(options: HttpDriverOptions): HttpDriver {
  return new HttpDriver(options);
}

/** The path and query of an absolute URL as written (templates intact), fragment dropped. */
export function pathOfUrl(url: string): string {
  const authorityStart = url.indexOf('//') + 2;
  const rest = url.slice(authorityStart);
  const cut = rest.search(/[/?#]/);
  if (cut === -1) return '/';
  let tail = rest.slice(cut);
  const hash = tail.indexOf('#');
  if (hash !== -1) tail = tail.slice(0, hash);
  if (tail.startsWith('?')) tail = `/${tail}`;
  return tail || '/';
}

export function pinnedLookup(addresses: ResolvedAddress[]): net.LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

const CODE_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name resolution failed',
};

/** `connection refused (ECONNREFUSED)`: short, and the same text for the same cause (the breaker groups by it). */
export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNRESET' && message === 'socket hang up')
    return 'connection closed before an answer (ECONNRESET)';
  if (code && CODE_TEXT[code]) return `${CODE_TEXT[code]} (${code})`;
  if (code?.startsWith('HPE_')) return `malformed HTTP answer (${code})`;
  return code ? `${message} (${code})` : message;
}

/** `500 ms`, `10 s`, `1.5 s`: a timeout as messages quote it. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
