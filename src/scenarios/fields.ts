/**
 * Every field of a scenario file, declared once: its name (the key order is the order messages list
 * them in), the kind of value it holds (field-types.ts), its default as a file would write it, what it
 * means, and the rules between fields (give one of two, not both). The readers (read-*.ts) take their
 * types and messages from here and schema.ts turns the same declarations into
 * docs/scenario.schema.json.
 */
import {
  absoluteUrl,
  autoOrWholeNumber,
  bodyText,
  budget,
  callTarget,
  duration,
  headers,
  httpMethod,
  jsonArray,
  jsonValue,
  keywordArguments,
  requestPath,
  scenarioName,
  statuses,
  stringList,
  text,
  websocketHeaders,
  websocketUrl,
  oneOfWords,
  wholeNumber,
  writtenStatuses,
  type ValueType,
} from './field-types.js';
import { describe } from './issues.js';
import { pytestTest } from './pytest.js';
import { DEFAULTS, WEBSOCKET_CLOSES, type JsonValue } from './model.js';

export interface Field<T> {
  /** The field's value kind, or the object declaration it holds. */
  type: ValueType<T> | ObjectSpec;
  description: string;
  /** The default as a file would write it; absent when there is none or it is derived. */
  default?: JsonValue;
  /** The message when the field is missing; absent for an optional field. */
  missing?: string;
}

/**
 * Fields of which at most one may be given (reported at the second one given), or exactly one when
 * `neither` says so.
 */
export interface Choice {
  fields: readonly [string, string, ...string[]];
  /** The message when two are given: the same for any two, or one naming the first two given. */
  both: string | ((first: string, second: string) => string);
  /** Where and what to report when neither is given; absent when neither is fine. */
  neither?: { at: string; message: string };
}

/** A field that must have one value when another field is given. */
export interface Requires {
  when: string;
  field: string;
  value: number;
  message: (got: number) => string;
}

export type FieldMap = Readonly<Record<string, Field<unknown>>>;

export interface ObjectSpec<F extends FieldMap = FieldMap> {
  /** The name under `definitions` in the schema. */
  name: string;
  description: string;
  /** How the message for a value that is not an object describes the object: `an object like …`. */
  expected: string;
  /** In the order unknown-field messages list them. */
  fields: F;
  choices?: readonly Choice[];
  requires?: readonly Requires[];
}

export function isObjectSpec(type: Field<unknown>['type']): type is ObjectSpec {
  return 'fields' in type;
}

/** Declares an object, keeping each field's value type for the readers. */
function object<F extends FieldMap>(spec: ObjectSpec<F>): ObjectSpec<F> {
  return spec;
}

/** The timeout fields requests and calls share. */
function timeoutFields(defaultMs: number, what: string) {
  return {
    timeout: {
      type: duration,
      description: `The longest ${what} may take, as a duration ("10s", "1m"; a bare number is seconds).`,
      default: `${defaultMs / 1000}s`,
    },
    timeoutMs: {
      type: wholeNumber(1, 3_600_000),
      description: `The longest ${what} may take, in milliseconds (instead of "timeout").`,
      default: defaultMs,
    },
  };
}

export const TIMEOUT_OR_MS: Choice = {
  fields: ['timeout', 'timeoutMs'],
  both: 'give either "timeout" (e.g. "10s") or "timeoutMs", not both',
};
export const PATH_OR_URL: Choice = {
  fields: ['path', 'url'],
  both: 'give either "path" (on the target) or "url", not both',
  neither: { at: 'path', message: 'missing (give "path", e.g. "/items/{i}", or an absolute "url")' },
};
export const JSON_OR_BODY: Choice = {
  fields: ['json', 'body'],
  both: 'give either "json" or "body", not both',
};
export const ITERATIONS_OR_DURATION: Choice = {
  fields: ['iterations', 'duration'],
  both: 'give iterations or duration, not both',
};
/** What a scenario repeats: exactly one kind of action. */
export const ONE_ACTION: Choice = {
  fields: ['request', 'call', 'websocket', 'pytest'],
  both: (first, second) => `give either "${first}" or "${second}", not both`,
  neither: {
    at: '',
    message:
      'missing "request" (an HTTP request), "call" (an in-process call) or "websocket" (a WebSocket connection)',
  },
};
export const CALL_CONCURRENCY: Requires = {
  when: 'call',
  field: 'concurrency',
  value: DEFAULTS.concurrency.call,
  message: (got) =>
    `call scenarios run one call at a time in the target; expected ${DEFAULTS.concurrency.call}, got ${got}`,
};
/** A pytest scenario is a call scenario (pytest.ts): one call at a time too. */
export const PYTEST_CONCURRENCY: Requires = { ...CALL_CONCURRENCY, when: 'pytest' };

const TEMPLATES = 'Templates: {i} (the iteration), {uuid}, {random}.';

export const COVERS = object({
  name: 'covers',
  description: 'What the scenario exercises: static findings it reproduces are matched through these.',
  expected: 'an object with rules, routes and/or functions',
  fields: {
    rules: { type: stringList, description: 'Rule ids or short ids (R1, RELIABILITY_UNBOUNDED_GLOBAL).' },
    routes: { type: stringList, description: 'Routes as "METHOD /path" (GET /item/{id}).' },
    functions: { type: stringList, description: 'Functions as "file.py:function".' },
  },
});

export const REQUEST = object({
  name: 'request',
  description: `The HTTP request sent every iteration. ${TEMPLATES}`,
  expected: 'an object like { "method": "GET", "path": "/" }',
  fields: {
    method: { type: httpMethod, description: 'The HTTP method (any case).', default: DEFAULTS.method },
    path: {
      type: requestPath,
      description: 'A path on the target, starting with "/" ("/items/{i}?q={uuid}"); or give "url".',
    },
    url: {
      type: absoluteUrl,
      description:
        'An absolute http:// URL instead of "path"; templates only in its path and query, no credentials.',
    },
    headers: {
      type: headers,
      description: 'Header names to values; Content-Length and Transfer-Encoding are computed.',
      default: {},
    },
    json: { type: jsonValue, description: 'A JSON body (sent with content-type application/json).' },
    body: { type: bodyText, description: 'A body sent as written (instead of "json").' },
    ...timeoutFields(DEFAULTS.requestTimeoutMs, 'one request'),
  },
  choices: [PATH_OR_URL, JSON_OR_BODY, TIMEOUT_OR_MS],
});

export const CALL = object({
  name: 'call',
  description: `A function called in the target every iteration (one call at a time). ${TEMPLATES}`,
  expected: 'an object like { "function": "module:function", "args": [] }',
  fields: {
    function: {
      type: callTarget,
      description: 'The function as "module:function" (both may be dotted: "app.jobs:Worker.handle").',
      missing: "missing (give 'module:function')",
    },
    args: { type: jsonArray, description: 'Positional arguments (JSON values).', default: [] },
    kwargs: { type: keywordArguments, description: 'Keyword arguments (JSON values).', default: {} },
    ...timeoutFields(DEFAULTS.callTimeoutMs, 'one call'),
  },
  choices: [TIMEOUT_OR_MS],
});

export const PATH_OR_WEBSOCKET_URL: Choice = {
  fields: ['path', 'url'],
  both: 'give either "path" (on the target) or "url", not both',
  neither: { at: 'path', message: 'missing (give "path", e.g. "/ws/{i}", or an absolute "url")' },
};

export const WEBSOCKET = object({
  name: 'websocket',
  description: `A WebSocket connection opened every iteration: its messages sent, the answers awaited, then closed, dropped or held open. ${TEMPLATES}`,
  expected: 'an object like { "path": "/ws", "send": ["hello"], "receive": 1 }',
  fields: {
    path: {
      type: requestPath,
      description: 'A path on the target, starting with "/" ("/ws/{i}"); or give "url".',
    },
    url: {
      type: websocketUrl,
      description:
        'An absolute ws:// URL instead of "path"; templates only in its path and query, no credentials.',
    },
    headers: {
      type: websocketHeaders,
      description: 'Header names to values, sent with the opening handshake (Authorization, Origin…).',
      default: {},
    },
    send: {
      type: jsonArray,
      description:
        'Messages sent in order once the connection is open: a string as a text frame, any other JSON value as its JSON text.',
      default: [],
    },
    receive: {
      type: wholeNumber(0, 10_000),
      description: 'Messages awaited from the service after sending (any content).',
      default: 0,
    },
    close: {
      type: oneOfWords(WEBSOCKET_CLOSES),
      description:
        '"normal": the closing handshake; "drop": the socket destroyed without a close frame, as a client that vanished; "hold": the connection kept open (see "maxOpen").',
      default: 'normal',
    },
    maxOpen: {
      type: wholeNumber(1, 10_000),
      description:
        'With "close": "hold", the most connections kept open at once; past it the oldest is closed normally.',
      default: DEFAULTS.websocketMaxOpen,
    },
    ...timeoutFields(DEFAULTS.websocketTimeoutMs, 'one connection (connect, send, receive, close)'),
  },
  choices: [PATH_OR_WEBSOCKET_URL, TIMEOUT_OR_MS],
});

export const EXPECT = object({
  name: 'expect',
  description:
    'What counts as an answer to an HTTP request (a WebSocket iteration succeeds when its connection opens, status 101, and every step completes).',
  expected: 'an object like { "status": 200 }',
  fields: {
    status: {
      type: statuses,
      description: 'A status, a class like "2xx", or a list of them.',
      default: writtenStatuses(DEFAULTS.expectStatus),
    },
  },
});

export const SCENARIO = object({
  name: 'scenario',
  description: 'What to drive at the target, how often, and what counts as an answer.',
  expected: 'a scenario object',
  fields: {
    name: {
      type: scenarioName,
      description: 'A name unique across the scenario files (at most 200 characters).',
      missing: 'missing (every scenario needs a unique name)',
    },
    description: { type: text, description: 'What the scenario is for, for people.' },
    covers: { type: COVERS, description: COVERS.description },
    warmup: {
      type: autoOrWholeNumber(0),
      description:
        'Unmeasured iterations before the measured ones; "auto" warms up until the slopes of consecutive blocks agree.',
      default: DEFAULTS.warmup,
    },
    iterations: {
      type: wholeNumber(1),
      description: 'Measured iterations, after warm-up (or give "duration").',
      default: DEFAULTS.iterations,
    },
    duration: {
      type: duration,
      description: 'Run for this long after warm-up instead of a number of iterations ("10m", "1h30m").',
    },
    concurrency: {
      type: wholeNumber(1, DEFAULTS.maxConcurrency),
      description: `Requests (or WebSocket connections) in flight at once (default ${DEFAULTS.concurrency.request}); call scenarios run one call at a time.`,
      default: DEFAULTS.concurrency.request,
    },
    sampleEvery: {
      type: wholeNumber(1),
      description: `Iterations between memory samples; by default iterations / ${DEFAULTS.targetSamples} (${DEFAULTS.durationSampleEvery} for a duration). Must leave at least ${DEFAULTS.minSamples} samples.`,
    },
    request: { type: REQUEST, description: REQUEST.description },
    call: { type: CALL, description: CALL.description },
    websocket: { type: WEBSOCKET, description: WEBSOCKET.description },
    pytest: {
      type: pytestTest,
      description:
        'A pytest test run once per iteration in one interpreter, its fixtures set up as pytest would (a call of the shim\'s pytest runner; see "Tests as scenarios").',
    },
    expect: { type: EXPECT, description: EXPECT.description },
    budget: {
      type: budget,
      description:
        'Budgets for this scenario, over the configuration\'s and under the --budget-* flags ({ "growth": "64B", "threads": 0 }).',
      default: {},
    },
    ignore: {
      type: stringList,
      description: 'Glob patterns of leak sites that are known and accepted ("**/site-packages/jinja2/**").',
      default: [],
    },
    $schema: { type: text, description: 'The JSON Schema of this file, for editors.' },
  },
  choices: [ITERATIONS_OR_DURATION, ONE_ACTION],
  requires: [CALL_CONCURRENCY, PYTEST_CONCURRENCY],
});

const scenarioArray: ValueType<unknown[]> = {
  label: 'array of scenarios',
  schema: { type: 'array', minItems: 1, items: { $ref: `#/definitions/${SCENARIO.name}` } },
  read(value, at, issues) {
    if (Array.isArray(value)) return value;
    issues.add(at, `expected an array of scenarios, got ${describe(value)}`);
    return undefined;
  },
};

/** `{ "scenarios": [...] }`: a file's scenarios under a key, so the file can carry `$schema`. */
export const SCENARIO_LIST = object({
  name: 'scenarioList',
  description: 'Several scenarios in one file, under a key so that the file can name its $schema.',
  expected: 'an object with scenarios',
  fields: {
    scenarios: { type: scenarioArray, description: 'The scenarios, at least one.' },
    $schema: SCENARIO.fields.$schema,
  },
});
