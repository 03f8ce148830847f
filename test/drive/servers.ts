/** Real loopback servers for the driver tests: a node:http one that measures, and small Python ones. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execa, type ResultPromise } from 'execa';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Requests being handled right now, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  seen: Seen[];
  server: http.Server;
  close(): Promise<void>;
}

/**
 * Routes: /hang never answers; /status/NNN answers NNN; /delay/MS answers after MS ms; anything else
 * answers 200 "ok". Every request is recorded with its body.
 */
export async function startServer(options: { keepAliveTimeoutMs?: number } = {}): Promise<TestServer> {
  const state = { connections: 0, inFlight: 0, maxInFlight: 0, seen: [] as Seen[] };
  const server = http.createServer((request, response) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const url = request.url ?? '/';
      const done = (status: number, body = 'ok') => {
        state.inFlight--;
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(body);
      };
      if (url === '/hang') {
        response.on('close', () => state.inFlight--);
        return;
      }
      const status = /^\/status\/(\d{3})$/.exec(url);
      if (status) return done(Number(status[1]));
      const delay = /^\/delay\/(\d+)/.exec(url);
      if (delay) return void setTimeout(() => done(200), Number(delay[1]));
      done(200, 'x'.repeat(2000));
    });
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as TestServer;
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PythonServer {
  port: number;
  process: ResultPromise;
  stop(): Promise<void>;
}

/** Starts a Python server that prints a line holding its port; returns once that line is seen. */
export async function startPython(args: string[], portPattern: RegExp, cwd?: string): Promise<PythonServer> {
  const child = execa('python3', ['-u', ...args], {
    cwd,
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    env: { PYTHONUNBUFFERED: '1' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`python server did not start: ${text}`)), 15_000);
    const look = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = portPattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    void child.then(() => {
      clearTimeout(timer);
      reject(new Error(`python server exited: ${text}`));
    });
  });
  return {
    port,
    process: child,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

/** A ThreadingHTTPServer speaking HTTP/1.1 (keep-alive) that answers with how many connections it has accepted. */
export const PYTHON_KEEPALIVE_SERVER = `
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"connections": 0, "requests": 0}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle and delayed ACKs add ~40 ms per answer.
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        with lock:
            state["connections"] += 1

    def do_GET(self):
        with lock:
            state["requests"] += 1
            body = json.dumps(state).encode()
        self.send_response(200 if not self.path.startswith("/fail") else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        data = json.loads(self.rfile.read(length))
        ok = data.get("n") == self.path.rsplit("/", 1)[-1]
        body = json.dumps({"ok": ok, "type": self.headers.get("Content-Type")}).encode()
        self.send_response(200 if ok else 422)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("listening on port %d" % server.server_address[1], flush=True)
server.serve_forever()
`;
