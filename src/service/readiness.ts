/**
 * Waiting for a service to accept work: TCP connects (or GETs of --ready-path) on loopback, retried with
 * exponential backoff and full jitter until an overall deadline, and abandoned at once if the process
 * exits.
 */
import http from 'node:http';
import net from 'node:net';

export interface ReadinessOptions {
  host: string;
  port: number;
  /** GET this path and require a status below 500, instead of a bare TCP connect. */
  readyPath?: string;
  timeoutMs: number;
  /** Resolves (with a reason) when waiting is pointless: the process exited, or Ctrl-C. */
  abandoned: Promise<string>;
  /** Asked about twice a second while not ready: a reason to give up now, or null to keep waiting. */
  check?: () => string | null;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Random source for jitter (tests pass a fixed one). */
  random?: () => number;
}

export type Readiness =
  | { ready: true; attempts: number; ms: number }
  | { ready: false; reason: string; attempts: number };

export async function waitUntilReady(options: ReadinessOptions): Promise<Readiness> {
  const started = Date.now();
  const random = options.random ?? Math.random;
  // Loopback connects cost nothing, so start small and cap low: a service ready at 150 ms is seen then.
  let delay = options.initialDelayMs ?? 10;
  const maxDelay = options.maxDelayMs ?? 250;
  let attempts = 0;
  let gaveUp: string | null = null;
  void options.abandoned.then((reason) => (gaveUp = reason));
  let lastError = 'nothing listening yet';
  let checkedAt = started;
  while (Date.now() - started < options.timeoutMs) {
    if (gaveUp) return { ready: false, reason: gaveUp, attempts };
    attempts++;
    const remaining = options.timeoutMs - (Date.now() - started);
    const outcome = await probe(options, Math.min(2000, Math.max(50, remaining)));
    if (outcome === true) return { ready: true, attempts, ms: Date.now() - started };
    lastError = outcome;
    if (gaveUp) return { ready: false, reason: gaveUp, attempts };
    if (options.check && Date.now() - checkedAt >= 500) {
      checkedAt = Date.now();
      const why = options.check();
      if (why) return { ready: false, reason: why, attempts };
    }
    // Full jitter: a random wait up to the current backoff step.
    const wait = Math.min(
      delay * (0.5 + random() * 0.5),
      Math.max(0, options.timeoutMs - (Date.now() - started)),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((r) => (timer = setTimeout(r, wait))), options.abandoned]);
    clearTimeout(timer);
    delay = Math.min(maxDelay, delay * 1.5);
  }
  return {
    ready: false,
    reason: `not ready on ${options.host}:${options.port}${options.readyPath ?? ''} after ${(options.timeoutMs / 1000).toFixed(0)} s (${lastError})`,
    attempts,
  };
}

function probe(options: ReadinessOptions, timeoutMs: number): Promise<true | string> {
  if (options.readyPath) {
    return new Promise((resolve) => {
      const request = http.get(
        { host: options.host, port: options.port, path: options.readyPath, timeout: timeoutMs, agent: false },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          resolve(status > 0 && status < 500 ? true : `GET ${options.readyPath} answered ${status}`);
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error) => resolve(error.message));
    });
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: options.host, port: options.port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('connect timed out');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
