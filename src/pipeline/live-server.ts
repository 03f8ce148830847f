/**
 * The live soak's HTTP server (node:http, loopback only): `/` the HTML report of the run so far (the
 * HTML report's own renderer, refreshed by the browser every few seconds — the page has no scripts),
 * `/leaks` and `/metrics` (live-endpoints.ts), `/report.json` the report so far. It listens on
 * 127.0.0.1 alone and answers only requests whose Host names a loopback address (a page elsewhere cannot
 * read it through a rebound DNS name). See docs/live.md.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import { renderHtml } from '../report/html.js';
import type { LiveSoak } from './live.js';
import { leaksAnswer, metricsText } from './live-endpoints.js';

/** Seconds between the page's reloads. */
export const PAGE_REFRESH_S = 5;

export interface LiveServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d+)?$/i;

/** Starts the server on 127.0.0.1:`port` (0: any free port). Rejects with a UsageError when it is taken. */
export async function startLiveServer(port: number, live: LiveSoak): Promise<LiveServer> {
  const server = http.createServer((request, response) => {
    try {
      answer(request, response, live);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`heapgate: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  });
  // A slow or stuck client must not hold the soak's event loop's sockets for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new UsageError(`--live ${port}: cannot listen on 127.0.0.1:${port} (${error.code})`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.unref();
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(request: http.IncomingMessage, response: http.ServerResponse, live: LiveSoak): void {
  const send = (status: number, type: string, body: string) => {
    response.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  if (!LOOPBACK_HOST.test(request.headers.host ?? '')) {
    return send(403, 'text/plain; charset=utf-8', 'heapgate: the live view answers loopback hosts only\n');
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(405, 'text/plain; charset=utf-8', 'heapgate: GET only\n');
  }
  const path = (request.url ?? '/').split('?')[0];
  switch (path) {
    case '/':
    case '/index.html':
      return send(200, 'text/html; charset=utf-8', livePage(live));
    case '/leaks':
      return send(200, 'application/json', `${JSON.stringify(leaksAnswer(live.snapshot()), null, 2)}\n`);
    case '/metrics':
      return send(200, 'text/plain; version=0.0.4; charset=utf-8', metricsText(live.snapshot(), live));
    case '/report.json':
      return send(200, 'application/json', `${JSON.stringify(live.snapshot(), null, 2)}\n`);
    default:
      return send(
        404,
        'text/plain; charset=utf-8',
        'heapgate: not found (try /, /leaks, /metrics, /report.json)\n',
      );
  }
}

/** The HTML report of the run so far, reloading itself. */
function livePage(live: LiveSoak): string {
  const html = renderHtml(live.snapshot());
  return html.replace('<head>', `<head>\n<meta http-equiv="refresh" content="${PAGE_REFRESH_S}">`);
}
