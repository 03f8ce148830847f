/**
 * Scenario validation: an unknown value (a JSON file's content or a JS module's export) → typed
 * scenarios, or UsageError messages that name the file and the field path (`scenarios[2].request.method`).
 * Pure: no I/O, no clock. Unknown fields are errors (with a "did you mean" for typos), and every problem
 * in a value is reported at once, one per line.
 */
import { parseDuration } from '../units.js';
import { UsageError } from '../errors.js';
import {
  autoSampleEvery,
  DEFAULTS,
  HTTP_METHODS,
  type CallSpec,
  type Covers,
  type HttpMethod,
  type JsonObject,
  type JsonValue,
  type RequestBody,
  type RequestSpec,
  type Scenario,
} from './model.js';

export interface ValidateOptions {
  /**
   * Rule ids and short ids (any case) that `covers.rules` may name. When given, an unknown rule is an
   * error (a typo there would silently select nothing); when absent, rule names are not checked.
   */
  knownRules?: Iterable<string>;
}

/** Where a value came from: the file (as shown to people) and the path of the scenario inside it. */
export interface Source {
  file: string;
  /** '' for a file holding one scenario, `scenarios[2]` for the third of an array. */
  path?: string;
}

/** Messages beyond this many are summarized as "… and N more problems". */
const MAX_REPORTED = 20;

const TOP_FIELDS = [
  'name',
  'description',
  'covers',
  'warmup',
  'iterations',
  'duration',
  'concurrency',
  'sampleEvery',
  'request',
  'call',
  'expect',
  'budget',
  'ignore',
  '$schema',
] as const;
const COVERS_FIELDS = ['rules', 'routes', 'functions'] as const;
const REQUEST_FIELDS = ['method', 'path', 'url', 'headers', 'json', 'body', 'timeout', 'timeoutMs'] as const;
const CALL_FIELDS = ['function', 'args', 'kwargs', 'timeout', 'timeoutMs'] as const;
const EXPECT_FIELDS = ['status'] as const;
const WRAPPER_FIELDS = ['scenarios', '$schema'] as const;

/** Headers heapgate computes itself. */
const COMPUTED_HEADERS = new Set(['content-length', 'transfer-encoding']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_BAD = /[^\t\x20-\x7e\x80-\xff]/;
const PATH_BAD = /[^\x21-\x7e]/;
const PY_NAME = String.raw`[\p{L}_][\p{L}\p{N}_]*`;
const CALL_TARGET = new RegExp(`^${PY_NAME}(?:\\.${PY_NAME})*:${PY_NAME}(?:\\.${PY_NAME})*$`, 'u');
const TEMPLATE = /\{(?:i|uuid|random)\}/g;
const MAX_DEPTH = 64;

/** Collects problems, each as `file: field.path: message`. */
class Issues {
  readonly list: string[] = [];
  constructor(private readonly file: string) {}

  add(path: string, message: string): void {
    this.list.push(path ? `${this.file}: ${path}: ${message}` : `${this.file}: ${message}`);
  }
}

/** Validates one scenario. Throws UsageError listing every problem. */
export function validateScenario(value: unknown, source: Source, options: ValidateOptions = {}): Scenario {
  const issues = new Issues(source.file);
  const scenario = readScenario(value, source, source.path ?? '', issues, knownRuleSet(options));
  throwIfAny(issues.list);
  return scenario!;
}

/**
 * Validates what a scenario file holds: one scenario object, an array of them, or `{ "scenarios": [...] }`.
 * Returns the scenarios and the problems (without throwing) so a loader can report every file at once.
 */
export function checkScenarioFile(
  value: unknown,
  file: string,
  options: ValidateOptions = {},
): { scenarios: Scenario[]; problems: string[] } {
  const issues = new Issues(file);
  const known = knownRuleSet(options);
  const scenarios: Scenario[] = [];
  let list: unknown[] | null = null;
  if (Array.isArray(value)) list = value;
  else if (isPlainObject(value) && 'scenarios' in value && !('name' in value)) {
    checkFields(value, WRAPPER_FIELDS, '', issues);
    if (Array.isArray(value.scenarios)) list = value.scenarios;
    else issues.add('scenarios', `expected an array of scenarios, got ${describe(value.scenarios)}`);
    if (!list) return { scenarios, problems: issues.list };
  }
  if (list) {
    if (list.length === 0) issues.add('', 'holds no scenarios (an empty array)');
    list.forEach((item, index) => {
      const where = `scenarios[${index}]`;
      const scenario = readScenario(item, { file, path: where }, where, issues, known);
      if (scenario) scenarios.push(scenario);
    });
  } else {
    const scenario = readScenario(value, { file }, '', issues, known);
    if (scenario) scenarios.push(scenario);
  }
  if (issues.list.length === 0) {
    const seen = new Map<string, Scenario>();
    for (const scenario of scenarios) {
      const earlier = seen.get(scenario.name);
      if (earlier) {
        issues.add(
          joinPath(scenario.entry, 'name'),
          `'${scenario.name}' is already the name of ${earlier.entry || 'another scenario'} in this file`,
        );
      } else seen.set(scenario.name, scenario);
    }
  }
  return { scenarios: issues.list.length ? [] : scenarios, problems: issues.list };
}

/** Validates a whole file's value, throwing UsageError listing every problem. */
export function validateScenarioFile(
  value: unknown,
  file: string,
  options: ValidateOptions = {},
): Scenario[] {
  const { scenarios, problems } = checkScenarioFile(value, file, options);
  throwIfAny(problems);
  return scenarios;
}

/** One UsageError for all problems (capped), or nothing. */
export function throwIfAny(problems: readonly string[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, MAX_REPORTED);
  const more = problems.length - shown.length;
  if (more > 0) shown.push(`… and ${more} more problem${more === 1 ? '' : 's'}`);
  throw new UsageError(shown.join('\n'));
}

function knownRuleSet(options: ValidateOptions): Set<string> | null {
  return options.knownRules ? new Set([...options.knownRules].map((r) => r.toUpperCase())) : null;
}

function readScenario(
  value: unknown,
  source: Source,
  base: string,
  issues: Issues,
  knownRules: Set<string> | null,
): Scenario | null {
  const before = issues.list.length;
  if (!isPlainObject(value)) {
    issues.add(base, `expected a scenario object, got ${describe(value)}`);
    return null;
  }
  const at = (field: string) => joinPath(base, field);
  checkFields(value, TOP_FIELDS, base, issues);

  let name = '';
  if (value.name === undefined) issues.add(at('name'), 'missing (every scenario needs a unique name)');
  else if (typeof value.name !== 'string' || value.name.trim() === '') {
    issues.add(at('name'), `expected a non-empty string, got ${describe(value.name)}`);
  } else if (value.name.length > 200 || /[\p{Cc}]/u.test(value.name)) {
    issues.add(at('name'), 'expected at most 200 characters, none of them control characters');
  } else name = value.name.trim();

  let description: string | null = null;
  if (value.description !== undefined) {
    if (typeof value.description === 'string') description = value.description;
    else issues.add(at('description'), `expected a string, got ${describe(value.description)}`);
  }
  if (value.$schema !== undefined && typeof value.$schema !== 'string') {
    issues.add(at('$schema'), `expected a string, got ${describe(value.$schema)}`);
  }

  const covers = readCovers(value.covers, at('covers'), issues, knownRules);

  let warmup: 'auto' | number = DEFAULTS.warmup;
  if (value.warmup !== undefined && value.warmup !== 'auto') {
    const n = wholeNumber(value.warmup, at('warmup'), issues, 0, undefined, "'auto' or ");
    if (n !== null) warmup = n;
  }

  let iterations: number = DEFAULTS.iterations;
  const iterationsGiven = value.iterations !== undefined;
  if (iterationsGiven) iterations = wholeNumber(value.iterations, at('iterations'), issues, 1) ?? iterations;

  let durationMs: number | null = null;
  if (value.duration !== undefined) {
    durationMs = duration(value.duration, at('duration'), issues);
    if (iterationsGiven) issues.add(at('duration'), 'give iterations or duration, not both');
  }

  const hasRequest = value.request !== undefined;
  const hasCall = value.call !== undefined;
  if (hasRequest && hasCall) issues.add(at('call'), 'give either "request" or "call", not both');
  else if (!hasRequest && !hasCall) {
    issues.add(base, 'missing "request" (an HTTP request) or "call" (an in-process call)');
  }
  const kind: 'request' | 'call' = hasCall && !hasRequest ? 'call' : 'request';

  let concurrency: number = DEFAULTS.concurrency[kind];
  if (value.concurrency !== undefined) {
    const n = wholeNumber(value.concurrency, at('concurrency'), issues, 1, DEFAULTS.maxConcurrency);
    if (n !== null && kind === 'call' && hasCall && n !== 1) {
      issues.add(
        at('concurrency'),
        `call scenarios run one call at a time in the target; expected 1, got ${n}`,
      );
    } else if (n !== null) concurrency = n;
  }

  let sampleEvery = autoSampleEvery(durationMs === null ? iterations : null);
  let sampleEveryAuto = true;
  if (value.sampleEvery !== undefined) {
    const n = wholeNumber(value.sampleEvery, at('sampleEvery'), issues, 1);
    if (n !== null) {
      sampleEvery = n;
      sampleEveryAuto = false;
      const samples = Math.floor(iterations / n);
      if (durationMs === null && samples < DEFAULTS.minSamples) {
        const most = Math.max(1, Math.floor(iterations / DEFAULTS.minSamples));
        issues.add(
          at('sampleEvery'),
          `${n} leaves ${samples} sample${samples === 1 ? '' : 's'} over ${iterations} iterations; ` +
            `at least ${DEFAULTS.minSamples} are needed (sampleEvery ≤ ${most})`,
        );
      }
    }
  }

  const request = hasRequest ? readRequest(value.request, at('request'), issues) : null;
  const call = hasCall ? readCall(value.call, at('call'), issues) : null;
  const status = readExpect(value.expect, at('expect'), issues);

  let budget: JsonObject = {};
  if (value.budget !== undefined) {
    if (!isPlainObject(value.budget)) {
      issues.add(at('budget'), `expected an object like { "growth": "64B" }, got ${describe(value.budget)}`);
    } else budget = (toJson(value.budget, at('budget'), issues) as JsonObject | undefined) ?? {};
  }

  const ignore = stringList(value.ignore, at('ignore'), issues) ?? [];

  if (issues.list.length > before) return null;
  const where = base ? `${source.file}: ${base}` : source.file;
  const common = {
    name,
    description,
    file: source.file,
    entry: base,
    where,
    covers,
    warmup,
    iterations,
    durationMs,
    concurrency,
    sampleEvery,
    sampleEveryAuto,
    expect: { status },
    budget,
    ignore,
  };
  if (call) return { ...common, kind: 'call', call, request: null };
  return { ...common, kind: 'request', request: request!, call: null };
}

function readCovers(value: unknown, at: string, issues: Issues, knownRules: Set<string> | null): Covers {
  const covers: Covers = { rules: [], routes: [], functions: [] };
  if (value === undefined) return covers;
  if (!isPlainObject(value)) {
    issues.add(at, `expected an object with rules, routes and/or functions, got ${describe(value)}`);
    return covers;
  }
  checkFields(value, COVERS_FIELDS, at, issues);
  const rules = stringList(value.rules, joinPath(at, 'rules'), issues) ?? [];
  if (knownRules) {
    rules.forEach((rule, index) => {
      if (!knownRules.has(rule.toUpperCase())) {
        const hint = suggest(rule.toUpperCase(), [...knownRules]);
        issues.add(
          `${joinPath(at, 'rules')}[${index}]`,
          `unknown rule '${rule}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
        );
      }
    });
  }
  return {
    rules,
    routes: stringList(value.routes, joinPath(at, 'routes'), issues) ?? [],
    functions: stringList(value.functions, joinPath(at, 'functions'), issues) ?? [],
  };
}

function readRequest(value: unknown, at: string, issues: Issues): RequestSpec | null {
  if (!isPlainObject(value)) {
    issues.add(at, `expected an object like { "method": "GET", "path": "/" }, got ${describe(value)}`);
    return null;
  }
  const before = issues.list.length;
  checkFields(value, REQUEST_FIELDS, at, issues);
  const field = (name: string) => joinPath(at, name);

  let method: HttpMethod = DEFAULTS.method;
  if (value.method !== undefined) {
    const upper = typeof value.method === 'string' ? value.method.toUpperCase() : null;
    if (upper !== null && (HTTP_METHODS as readonly string[]).includes(upper)) method = upper as HttpMethod;
    else
      issues.add(
        field('method'),
        `expected one of ${HTTP_METHODS.join(', ')}, got ${describe(value.method)}`,
      );
  }

  let path: string | null = null;
  let url: string | null = null;
  if (value.path !== undefined && value.url !== undefined) {
    issues.add(field('url'), 'give either "path" (on the target) or "url", not both');
  } else if (value.path === undefined && value.url === undefined) {
    issues.add(field('path'), 'missing (give "path", e.g. "/items/{i}", or an absolute "url")');
  } else if (value.path !== undefined) {
    if (typeof value.path !== 'string' || !value.path.startsWith('/')) {
      issues.add(field('path'), `expected a string starting with '/', got ${describe(value.path)}`);
    } else if (PATH_BAD.test(value.path)) {
      const position = value.path.search(PATH_BAD);
      issues.add(
        field('path'),
        `has a space or a character that must be percent-encoded at position ${position} ('${value.path[position]}')`,
      );
    } else path = value.path;
  } else url = readUrl(value.url, field('url'), issues);

  const headers: Record<string, string> = {};
  if (value.headers !== undefined) {
    if (!isPlainObject(value.headers)) {
      issues.add(
        field('headers'),
        `expected an object of header names to strings, got ${describe(value.headers)}`,
      );
    } else {
      const seen = new Map<string, string>();
      for (const [name, headerValue] of Object.entries(value.headers)) {
        if (headerValue === undefined) continue;
        const here = joinPath(field('headers'), name);
        const lower = name.toLowerCase();
        if (!HEADER_NAME.test(name)) issues.add(here, 'is not a valid header name');
        else if (COMPUTED_HEADERS.has(lower)) issues.add(here, 'is computed by heapgate; leave it out');
        else if (seen.has(lower)) issues.add(here, `repeats header '${seen.get(lower)}' (names ignore case)`);
        else if (typeof headerValue !== 'string') {
          issues.add(here, `expected a string, got ${describe(headerValue)}`);
        } else if (HEADER_VALUE_BAD.test(headerValue)) {
          issues.add(here, 'has a line break or a character not allowed in a header value');
        } else {
          seen.set(lower, name);
          Object.defineProperty(headers, name, {
            value: headerValue,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }
    }
  }

  let body: RequestBody | null = null;
  if (value.json !== undefined && value.body !== undefined) {
    issues.add(field('body'), 'give either "json" or "body", not both');
  } else if (value.json !== undefined) {
    const json = toJson(value.json, field('json'), issues);
    if (json !== undefined) body = { kind: 'json', value: json };
  } else if (value.body !== undefined) {
    if (typeof value.body === 'string') body = { kind: 'text', value: value.body };
    else
      issues.add(
        field('body'),
        `expected a string (use "json" for a JSON body), got ${describe(value.body)}`,
      );
  }

  const timeoutMs = readTimeout(value, at, issues, DEFAULTS.requestTimeoutMs);
  if (issues.list.length > before) return null;
  return { method, path, url, headers, body, timeoutMs };
}

function readUrl(value: unknown, at: string, issues: Issues): string | null {
  if (typeof value !== 'string') {
    issues.add(at, `expected an absolute http:// URL, got ${describe(value)}`);
    return null;
  }
  const parse = (text: string): URL | null => {
    try {
      return new URL(text);
    } catch {
      return null;
    }
  };
  // Templates may appear in the path and query, never in the scheme, host or port (the loopback guard
  // decides once per scenario, so the host must not change between iterations).
  const a = parse(value.replace(TEMPLATE, '0'));
  const b = parse(value.replace(TEMPLATE, 'x1'));
  if (!a || !b || !/^https?:$/.test(a.protocol)) {
    issues.add(at, `expected an absolute http:// URL, got ${describe(value)}`);
    return null;
  }
  if (a.protocol !== 'http:') {
    issues.add(at, 'https is not supported: heapgate drives plain HTTP (use http://)');
    return null;
  }
  if (a.host !== b.host || a.protocol !== b.protocol) {
    issues.add(
      at,
      'templates ({i}, {uuid}, {random}) may appear in the path and query, not in the host or port',
    );
    return null;
  }
  if (a.username || a.password) {
    issues.add(at, 'credentials in the URL are not supported (send an Authorization header)');
    return null;
  }
  if (PATH_BAD.test(value)) {
    issues.add(at, 'has a space or a character that must be percent-encoded');
    return null;
  }
  return value;
}

function readCall(value: unknown, at: string, issues: Issues): CallSpec | null {
  if (!isPlainObject(value)) {
    issues.add(
      at,
      `expected an object like { "function": "module:function", "args": [] }, got ${describe(value)}`,
    );
    return null;
  }
  const before = issues.list.length;
  checkFields(value, CALL_FIELDS, at, issues);
  const field = (name: string) => joinPath(at, name);
  let fn = '';
  if (value.function === undefined) issues.add(field('function'), "missing (give 'module:function')");
  else if (typeof value.function !== 'string' || !CALL_TARGET.test(value.function)) {
    issues.add(
      field('function'),
      `expected 'module:function' (e.g. 'app.jobs:handle'), got ${describe(value.function)}`,
    );
  } else fn = value.function;

  let args: JsonValue[] = [];
  if (value.args !== undefined) {
    if (!Array.isArray(value.args))
      issues.add(field('args'), `expected an array, got ${describe(value.args)}`);
    else args = (toJson(value.args, field('args'), issues) as JsonValue[] | undefined) ?? [];
  }
  let kwargs: JsonObject = {};
  if (value.kwargs !== undefined) {
    if (!isPlainObject(value.kwargs)) {
      issues.add(field('kwargs'), `expected an object of keyword arguments, got ${describe(value.kwargs)}`);
    } else {
      for (const key of Object.keys(value.kwargs)) {
        if (!new RegExp(`^${PY_NAME}$`, 'u').test(key)) {
          issues.add(joinPath(field('kwargs'), key), 'is not a valid Python keyword argument name');
        }
      }
      kwargs = (toJson(value.kwargs, field('kwargs'), issues) as JsonObject | undefined) ?? {};
    }
  }
  const timeoutMs = readTimeout(value, at, issues, DEFAULTS.callTimeoutMs);
  if (issues.list.length > before) return null;
  return { function: fn, args, kwargs, timeoutMs };
}

function readTimeout(value: Record<string, unknown>, at: string, issues: Issues, fallback: number): number {
  if (value.timeout !== undefined && value.timeoutMs !== undefined) {
    issues.add(joinPath(at, 'timeoutMs'), 'give either "timeout" (e.g. "10s") or "timeoutMs", not both');
    return fallback;
  }
  if (value.timeoutMs !== undefined) {
    return wholeNumber(value.timeoutMs, joinPath(at, 'timeoutMs'), issues, 1, 3_600_000) ?? fallback;
  }
  if (value.timeout !== undefined)
    return duration(value.timeout, joinPath(at, 'timeout'), issues) ?? fallback;
  return fallback;
}

function readExpect(value: unknown, at: string, issues: Issues): readonly number[] {
  if (value === undefined) return DEFAULTS.expectStatus;
  if (!isPlainObject(value)) {
    issues.add(at, `expected an object like { "status": 200 }, got ${describe(value)}`);
    return DEFAULTS.expectStatus;
  }
  checkFields(value, EXPECT_FIELDS, at, issues);
  if (value.status === undefined) return DEFAULTS.expectStatus;
  const here = joinPath(at, 'status');
  const items = Array.isArray(value.status) ? value.status : [value.status];
  if (items.length === 0) {
    issues.add(here, 'expected at least one status');
    return DEFAULTS.expectStatus;
  }
  const statuses = new Set<number>();
  items.forEach((item, index) => {
    const itemAt = Array.isArray(value.status) ? `${here}[${index}]` : here;
    if (typeof item === 'number' && Number.isInteger(item) && item >= 100 && item <= 599) statuses.add(item);
    else if (typeof item === 'string' && /^[1-5]xx$/i.test(item)) {
      const hundred = Number(item[0]) * 100;
      for (let s = hundred; s < hundred + 100; s++) statuses.add(s);
    } else
      issues.add(itemAt, `expected a status from 100 to 599 or a class like '2xx', got ${describe(item)}`);
  });
  return [...statuses].sort((a, b) => a - b);
}

function duration(value: unknown, at: string, issues: Issues): number | null {
  let ms: number | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) ms = value * 1000;
  else if (typeof value === 'string') ms = parseDuration(value);
  if (ms === null || !(ms > 0)) {
    issues.add(
      at,
      `expected a duration like "500ms", "10s", "10m" or "1h30m" (a bare number is seconds), got ${describe(value)}`,
    );
    return null;
  }
  return Math.round(ms);
}

function wholeNumber(
  value: unknown,
  at: string,
  issues: Issues,
  min: number,
  max?: number,
  alternative = '',
): number | null {
  if (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= min &&
    (max === undefined || value <= max)
  ) {
    return value;
  }
  const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
  issues.add(at, `expected ${alternative}a whole number ${range}, got ${describe(value)}`);
  return null;
}

/** A string or an array of non-empty strings (a lone string means a list of one). */
function stringList(value: unknown, at: string, issues: Issues): string[] | null {
  if (value === undefined) return null;
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (!items) {
    issues.add(at, `expected an array of strings, got ${describe(value)}`);
    return null;
  }
  const out: string[] = [];
  items.forEach((item, index) => {
    const here = typeof value === 'string' ? at : `${at}[${index}]`;
    if (typeof item === 'string' && item.trim() !== '') out.push(item);
    else issues.add(here, `expected a non-empty string, got ${describe(item)}`);
  });
  return out;
}

/** Unknown fields are errors, with the nearest known name as a hint. Keys whose value is undefined (JS) are absent. */
function checkFields(
  value: Record<string, unknown>,
  known: readonly string[],
  at: string,
  issues: Issues,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key) || value[key] === undefined) continue;
    const hint = suggest(key, known);
    issues.add(
      joinPath(at, key),
      hint
        ? `unknown field (did you mean '${hint}'?)`
        : `unknown field (expected one of ${known.filter((k) => k !== '$schema').join(', ')})`,
    );
  }
}

/** A deep copy holding JSON values only, or undefined (with issues) when something else is inside. */
function toJson(
  value: unknown,
  at: string,
  issues: Issues,
  depth = 0,
  seen = new Set<object>(),
): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    issues.add(at, `expected a finite number, got ${String(value)}`);
    return undefined;
  }
  if (typeof value === 'object') {
    if (depth >= MAX_DEPTH) {
      issues.add(at, `nested deeper than ${MAX_DEPTH} levels`);
      return undefined;
    }
    if (seen.has(value)) {
      issues.add(at, 'refers to itself (a circular structure is not JSON)');
      return undefined;
    }
    if (Array.isArray(value) || isPlainObject(value)) {
      seen.add(value);
      let result: JsonValue | undefined;
      if (Array.isArray(value)) {
        const out: JsonValue[] = [];
        let ok = true;
        for (let index = 0; index < value.length; index++) {
          const item = toJson(value[index], `${at}[${index}]`, issues, depth + 1, seen);
          if (item === undefined) ok = false;
          else out.push(item);
        }
        result = ok ? out : undefined;
      } else {
        const entries: [string, JsonValue][] = [];
        let ok = true;
        for (const [key, item] of Object.entries(value)) {
          if (item === undefined) continue;
          const copied = toJson(item, joinPath(at, key), issues, depth + 1, seen);
          if (copied === undefined) ok = false;
          else entries.push([key, copied]);
        }
        result = ok ? (Object.fromEntries(entries) as JsonObject) : undefined;
      }
      seen.delete(value);
      return result;
    }
  }
  issues.add(
    at,
    `expected a JSON value (string, number, boolean, null, array or plain object), got ${describe(value)}`,
  );
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `a.b`, `a["x-y"]`, `a[2]`. */
export function joinPath(base: string, key: string): string {
  if (!base) return key;
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (part.startsWith('"')) return `${base}[${part}]`;
  return base ? `${base}.${part}` : part;
}

/** A short rendering of a bad value for messages: 'FETCH', 0, true, null, an array, an object, a Date. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
    return `'${shown.replace(/\n/g, '\\n')}'`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n (a BigInt)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  if (isPlainObject(value)) return 'an object';
  const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && ctor ? `a ${ctor}` : 'an object';
}

/** The known name nearest to `word` when it is close enough to be a typo. */
export function suggest(word: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== null && bestDistance <= allowed ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
