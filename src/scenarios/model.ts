/**
 * A scenario (docs/scenarios.md): what to drive at the target, how often, and what counts as an answer. This is the
 * validated, typed form; `validate.ts` builds it from a file's JSON (or a JS module's export), `load.ts`
 * reads files and folders. Every field but `name` and one of `request`/`call`/`websocket` has a default
 * (DEFAULTS).
 */

/** A JSON value, as scenario files hold them (JS modules are checked to hold nothing else). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Defaults, and why:
 * - iterations 3000: the defaults must catch ~100 B/iteration of sustained growth "within a few thousand
 *   iterations"; 3000 requests took 7.6 s under tracemalloc at 1 frame in the measurement, so a
 *   default scenario costs seconds, not minutes. The measured iterations come *after* warm-up.
 * - warmup 'auto': warm up until the slopes of consecutive blocks agree (docs/verdict.md: warm-up, not noise, is
 *   what fools leak detectors); a number means exactly that many unmeasured iterations.
 * - concurrency 4 for HTTP (keeps a small server busy without queueing behind its worker pool), 1 for
 *   calls (the shim runs calls one after another on one thread; more is refused).
 * - sampleEvery: iterations / 60 (50 for 3000), so the analysis gets ~60 samples (two replicated windows
 *   of ~30), never fewer than MIN_SAMPLES when it is set explicitly. Each sample costs a gc.collect() in
 *   the target, so sampling every iteration would distort both timing and heap.
 * - expect.status: any 2xx or 3xx (redirects are answers; 4xx/5xx are the scenario or the target failing).
 * - request timeout 10 s: far above a healthy loopback answer, short enough that a hung target trips the
 *   circuit breaker in well under a minute. Call timeout 10 s per call (a block of n calls gets n × that,
 *   capped, see drive/call.ts).
 */
export const DEFAULTS = {
  iterations: 3000,
  warmup: 'auto' as const,
  concurrency: { request: 4, call: 1, websocket: 4 },
  /** sampleEvery when not given: max(1, floor(iterations / targetSamples)). */
  targetSamples: 60,
  /** An explicit sampleEvery must leave at least this many samples over the file's iterations. */
  minSamples: 30,
  /** sampleEvery for a time-based scenario (duration) that does not give one. */
  durationSampleEvery: 50,
  method: 'GET' as HttpMethod,
  /** All of 200–399. */
  expectStatus: range(200, 399),
  requestTimeoutMs: 10_000,
  callTimeoutMs: 10_000,
  maxConcurrency: 256,
  /** One WebSocket iteration (connect, send, receive, close), like a request's. */
  websocketTimeoutMs: 10_000,
  /**
   * Connections a `hold` scenario keeps open at once: enough that a per-connection leak shows over the
   * ones the service holds by design, few enough for any server's connection limit.
   */
  websocketMaxOpen: 100,
} as const;

/** Literal body: a string sent as is, or a JSON value sent serialized with content-type application/json. */
export type RequestBody = { kind: 'json'; value: JsonValue } | { kind: 'text'; value: string };

export interface RequestSpec {
  method: HttpMethod;
  /** Exactly one of `path` (on the target's loopback port, starts with '/') and `url` (absolute http://). */
  path: string | null;
  url: string | null;
  /** Header names as written; values are strings. May hold templates. */
  headers: Readonly<Record<string, string>>;
  body: RequestBody | null;
  timeoutMs: number;
}

export interface CallSpec {
  /** `module:function` (dotted module, dotted attribute path). */
  function: string;
  args: readonly JsonValue[];
  kwargs: Readonly<JsonObject>;
  /** The longest one call may take. */
  timeoutMs: number;
}

/** What a WebSocket iteration does once it has sent and received. */
export const WEBSOCKET_CLOSES = ['normal', 'drop', 'hold'] as const;
export type WebSocketClose = (typeof WEBSOCKET_CLOSES)[number];

/**
 * One WebSocket connection per iteration: opened on `path` (the target's loopback port) or an absolute
 * `ws://` url, `send` messages sent in order (a string as a text frame, any other JSON value serialized),
 * `receive` messages awaited, then closed: `normal` (the closing handshake), `drop` (the socket destroyed
 * without a close frame, a client that vanished) or `hold` (kept open; past `maxOpen`, the oldest held
 * connection is closed normally). Templates in the path, headers and messages.
 */
export interface WebSocketSpec {
  path: string | null;
  url: string | null;
  headers: Readonly<Record<string, string>>;
  send: readonly JsonValue[];
  receive: number;
  close: WebSocketClose;
  maxOpen: number;
  /** The longest one iteration (connect, send, receive, close) may take. */
  timeoutMs: number;
}

export interface Covers {
  rules: readonly string[];
  routes: readonly string[];
  functions: readonly string[];
}

interface ScenarioBase {
  name: string;
  description: string | null;
  /** The file it came from, relative to the cwd given to the loader, with forward slashes. */
  file: string;
  /** Where in the file: '' for a file holding one scenario, `scenarios[2]` for the third of an array. */
  entry: string;
  /** For messages: `scenarios/a.json` or `scenarios/all.json: scenarios[2]`. */
  where: string;
  covers: Covers;
  /** 'auto' or a number of unmeasured iterations run before the measured ones. */
  warmup: 'auto' | number;
  /** Measured iterations (after warm-up). Ignored when durationMs is set. */
  iterations: number;
  /** A time-based scenario: run (after warm-up) for this long instead of `iterations`. */
  durationMs: number | null;
  concurrency: number;
  /** Iterations per block; memory is sampled between blocks, with nothing in flight. */
  sampleEvery: number;
  /** True when sampleEvery was not given and was derived from the length (withLength re-derives it). */
  sampleEveryAuto: boolean;
  expect: { status: readonly number[] };
  /** As written (a plain JSON object; the analysis layer parses it). {} when not given. */
  budget: Readonly<JsonObject>;
  /** Glob patterns of leak sites that are known and accepted. */
  ignore: readonly string[];
}

export type RequestScenario = ScenarioBase & { kind: 'request'; request: RequestSpec; call: null };
export type CallScenario = ScenarioBase & { kind: 'call'; call: CallSpec; request: null };
export type WebSocketScenario = ScenarioBase & {
  kind: 'websocket';
  websocket: WebSocketSpec;
  request: null;
  call: null;
};
export type Scenario = RequestScenario | CallScenario | WebSocketScenario;

/** Whether the scenario talks to the service over the network (so it needs --target and its port). */
export function talksToTarget(scenario: Scenario): boolean {
  return scenario.kind === 'request' || scenario.kind === 'websocket';
}

/** sampleEvery derived from a length when the scenario does not give one. */
export function autoSampleEvery(iterations: number | null): number {
  if (iterations === null) return DEFAULTS.durationSampleEvery;
  return Math.max(1, Math.floor(iterations / DEFAULTS.targetSamples));
}

/**
 * The scenario with its length overridden (`--iterations N` / `--duration 10m`): iterations clears
 * duration and vice versa. An automatic sampleEvery is derived again; an explicit one is kept unless it
 * would leave fewer than DEFAULTS.minSamples samples, then it shrinks to keep that many.
 */
export function withLength(
  scenario: Scenario,
  length: { iterations?: number; durationMs?: number },
): Scenario {
  let iterations = scenario.iterations;
  let durationMs = scenario.durationMs;
  if (length.durationMs !== undefined) durationMs = length.durationMs;
  else if (length.iterations !== undefined) {
    iterations = length.iterations;
    durationMs = null;
  }
  let sampleEvery = scenario.sampleEvery;
  if (scenario.sampleEveryAuto) sampleEvery = autoSampleEvery(durationMs === null ? iterations : null);
  else if (durationMs === null && iterations / sampleEvery < DEFAULTS.minSamples) {
    sampleEvery = Math.max(1, Math.floor(iterations / DEFAULTS.minSamples));
  }
  return { ...scenario, iterations, durationMs, sampleEvery };
}

/** Whether a status is one the scenario expects. */
export function isExpectedStatus(scenario: Pick<Scenario, 'expect'>, status: number): boolean {
  return scenario.expect.status.includes(status);
}

function range(from: number, to: number): readonly number[] {
  return Object.freeze(Array.from({ length: to - from + 1 }, (_, k) => from + k));
}
