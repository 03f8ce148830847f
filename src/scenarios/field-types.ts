/**
 * The kinds of value a scenario field holds, each defined once: how a present value is read (with the
 * validator's messages) and the JSON Schema that says the same to an editor. fields.ts declares which
 * field has which kind; the readers (read-*.ts) and schema.ts both go through these, so the validation
 * and docs/scenario.schema.json cannot drift apart. Where JSON Schema cannot say a rule (a URL's host
 * must not hold a template, header names repeated in another case), the schema is the laxer of the two
 * and the description says the rule.
 */
import {
  BUDGET_KEYS,
  BUDGET_KINDS,
  DEFAULT_BUDGET,
  describeBudget,
  type BudgetKind,
} from '../model/budget.js';
import { parseDuration } from '../units.js';
import { describe, isPlainObject, joinPath, toJson, type Issues } from './issues.js';
import { HTTP_METHODS, type HttpMethod, type JsonObject, type JsonValue } from './model.js';

/** A JSON Schema (draft-07) as plain JSON. */
export type JsonSchema = JsonObject;

export interface ValueType<T> {
  /** What the value is, in a few words, for the field reference (docs/scenarios.md). */
  readonly label: string;
  readonly schema: JsonSchema;
  /** The value of a present field, or undefined after adding an issue when it is not one. */
  read(value: unknown, at: string, issues: Issues): T | undefined;
}

/** A pattern matching `words` in any letter case (JSON Schema patterns take no flags). */
export function anyCase(words: readonly string[]): string {
  const letters = (word: string) =>
    [...word].map((c) =>
      c.toLowerCase() !== c.toUpperCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c,
    );
  return `(?:${words.map((w) => letters(w).join('')).join('|')})`;
}

const NON_BLANK: JsonSchema = { type: 'string', pattern: String.raw`\S` };

// --- strings -------------------------------------------------------------------------------------

export const text: ValueType<string> = {
  label: 'string',
  schema: { type: 'string' },
  read(value, at, issues) {
    if (typeof value === 'string') return value;
    issues.add(at, `expected a string, got ${describe(value)}`);
    return undefined;
  },
};

const NAME_MAX = 200;

/** A scenario's name: non-blank, short, no control characters; read trimmed. */
export const scenarioName: ValueType<string> = {
  label: 'non-blank string',
  // `maxLength` counts code points where the validator counts UTF-16 units: laxer past the BMP.
  schema: { type: 'string', pattern: String.raw`^(?=[\s\S]*\S)\P{Cc}*$`, maxLength: NAME_MAX },
  read(value, at, issues) {
    if (typeof value !== 'string' || value.trim() === '') {
      issues.add(at, `expected a non-empty string, got ${describe(value)}`);
    } else if (value.length > NAME_MAX || /[\p{Cc}]/u.test(value)) {
      issues.add(at, `expected at most ${NAME_MAX} characters, none of them control characters`);
    } else return value.trim();
    return undefined;
  },
};

/** A string or an array of non-empty strings (a lone string means a list of one). */
export const stringList: ValueType<string[]> = {
  label: 'string or array of strings',
  schema: { anyOf: [NON_BLANK, { type: 'array', items: NON_BLANK }] },
  read(value, at, issues) {
    const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
    if (!items) {
      issues.add(at, `expected an array of strings, got ${describe(value)}`);
      return undefined;
    }
    // The good items, even when some are bad: the issues already make the scenario invalid.
    const out: string[] = [];
    items.forEach((item, index) => {
      const here = typeof value === 'string' ? at : `${at}[${index}]`;
      if (typeof item === 'string' && item.trim() !== '') out.push(item);
      else issues.add(here, `expected a non-empty string, got ${describe(item)}`);
    });
    return out;
  },
};

// --- numbers and durations -----------------------------------------------------------------------

function readWholeNumber(
  value: unknown,
  at: string,
  issues: Issues,
  min: number,
  max: number | undefined,
  alternative: string,
): number | undefined {
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
  return undefined;
}

function integerSchema(min: number, max?: number): JsonSchema {
  return max === undefined
    ? { type: 'integer', minimum: min }
    : { type: 'integer', minimum: min, maximum: max };
}

export function wholeNumber(min: number, max?: number): ValueType<number> {
  return {
    label: max === undefined ? `whole number ≥ ${min}` : `whole number ${min}–${max}`,
    schema: integerSchema(min, max),
    read: (value, at, issues) => readWholeNumber(value, at, issues, min, max, ''),
  };
}

/** `'auto'` or a whole number. */
export function autoOrWholeNumber(min: number): ValueType<'auto' | number> {
  return {
    label: `"auto" or whole number ≥ ${min}`,
    schema: { anyOf: [{ const: 'auto' }, integerSchema(min)] },
    read: (value, at, issues) =>
      value === 'auto' ? 'auto' : readWholeNumber(value, at, issues, min, undefined, "'auto' or "),
  };
}

/**
 * What parseDuration takes, above zero: a bare number of seconds or `1h30m`-style parts (ms, s, m, h,
 * any case), with a non-zero digit somewhere.
 */
const DURATION_PATTERN = String.raw`^\s*(?=[^1-9]*[1-9])(?:\d+(?:\.\d+)?|(?:\d+(?:\.\d+)?(?:[Mm][Ss]|[SsMmHh]))+)\s*$`;

/** A duration in milliseconds, written `"500ms"`, `"10s"`, `"1h30m"` or as a number of seconds. */
export const duration: ValueType<number> = {
  label: 'duration ("500ms", "10s", "1h30m") or seconds',
  schema: {
    anyOf: [
      { type: 'string', pattern: DURATION_PATTERN },
      { type: 'number', exclusiveMinimum: 0 },
    ],
  },
  read(value, at, issues) {
    let ms: number | null = null;
    if (typeof value === 'number' && Number.isFinite(value)) ms = value * 1000;
    else if (typeof value === 'string') ms = parseDuration(value);
    if (ms === null || !(ms > 0)) {
      issues.add(
        at,
        `expected a duration like "500ms", "10s", "10m" or "1h30m" (a bare number is seconds), got ${describe(value)}`,
      );
      return undefined;
    }
    return Math.round(ms);
  },
};

// --- requests ------------------------------------------------------------------------------------

export const httpMethod: ValueType<HttpMethod> = {
  label: 'HTTP method',
  schema: {
    anyOf: [{ enum: [...HTTP_METHODS] }, { type: 'string', pattern: `^${anyCase(HTTP_METHODS)}$` }],
  },
  read(value, at, issues) {
    const upper = typeof value === 'string' ? value.toUpperCase() : null;
    if (upper !== null && (HTTP_METHODS as readonly string[]).includes(upper)) return upper as HttpMethod;
    issues.add(at, `expected one of ${HTTP_METHODS.join(', ')}, got ${describe(value)}`);
    return undefined;
  },
};

const PATH_BAD = /[^\x21-\x7e]/;

/** A path on the target: starts with '/', printable ASCII only. */
export const requestPath: ValueType<string> = {
  label: 'path starting with "/"',
  schema: { type: 'string', pattern: String.raw`^/[\x21-\x7e]*$` },
  read(value, at, issues) {
    if (typeof value !== 'string' || !value.startsWith('/')) {
      issues.add(at, `expected a string starting with '/', got ${describe(value)}`);
    } else if (PATH_BAD.test(value)) {
      const position = value.search(PATH_BAD);
      issues.add(
        at,
        `has a space or a character that must be percent-encoded at position ${position} ('${value[position]}')`,
      );
    } else return value;
    return undefined;
  },
};

const TEMPLATE = /\{(?:i|uuid|random)\}/g;

/**
 * An absolute plain `http://` (or `ws://`) URL whose scheme, host and port hold no template and no
 * credentials.
 */
function absoluteUrlOf(scheme: 'http' | 'ws'): ValueType<string> {
  const secure = `${scheme}s`;
  const what = `an absolute ${scheme}:// URL`;
  const caseless = [...scheme].map((c) => `[${c.toUpperCase()}${c}]`).join('');
  return {
    label: `${scheme}:// URL`,
    // No `@`, `{` or `}` before the path: no credentials, no template in the host or port.
    schema: { type: 'string', pattern: String.raw`^${caseless}://(?![^/?#]*[@{}])[\x21-\x7e]+$` },
    read(value, at, issues) {
      if (typeof value !== 'string') {
        issues.add(at, `expected ${what}, got ${describe(value)}`);
        return undefined;
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
      if (!a || !b || (a.protocol !== `${scheme}:` && a.protocol !== `${secure}:`)) {
        issues.add(at, `expected ${what}, got ${describe(value)}`);
      } else if (a.protocol !== `${scheme}:`) {
        issues.add(
          at,
          scheme === 'http'
            ? 'https is not supported: heapgate drives plain HTTP (use http://)'
            : 'wss is not supported: heapgate drives plain WebSocket connections (use ws://)',
        );
      } else if (a.host !== b.host || a.protocol !== b.protocol) {
        issues.add(
          at,
          'templates ({i}, {uuid}, {random}) may appear in the path and query, not in the host or port',
        );
      } else if (a.username || a.password) {
        issues.add(at, 'credentials in the URL are not supported (send an Authorization header)');
      } else if (PATH_BAD.test(value)) {
        issues.add(at, 'has a space or a character that must be percent-encoded');
      } else return value;
      return undefined;
    },
  };
}

export const absoluteUrl = absoluteUrlOf('http');
export const websocketUrl = absoluteUrlOf('ws');

/** Headers heapgate computes itself. */
const COMPUTED_HEADERS = ['content-length', 'transfer-encoding'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_BAD = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Header names (as written) to string values; names are unique ignoring case, and none of `computed`
 * (the headers heapgate writes itself).
 */
function headersOf(computed: readonly string[]): ValueType<Record<string, string>> {
  return {
    label: 'object of strings',
    schema: {
      type: 'object',
      propertyNames: { pattern: HEADER_NAME.source, not: { pattern: `^${anyCase(computed)}$` } },
      additionalProperties: { type: 'string', pattern: String.raw`^[\t\x20-\x7e\x80-\xff]*$` },
    },
    read(value, at, issues) {
      if (!isPlainObject(value)) {
        issues.add(at, `expected an object of header names to strings, got ${describe(value)}`);
        return undefined;
      }
      const out: Record<string, string> = {};
      const seen = new Map<string, string>();
      for (const [name, headerValue] of Object.entries(value)) {
        if (headerValue === undefined) continue;
        const here = joinPath(at, name);
        const lower = name.toLowerCase();
        if (!HEADER_NAME.test(name)) issues.add(here, 'is not a valid header name');
        else if (computed.includes(lower)) issues.add(here, 'is computed by heapgate; leave it out');
        else if (seen.has(lower)) issues.add(here, `repeats header '${seen.get(lower)}' (names ignore case)`);
        else if (typeof headerValue !== 'string') {
          issues.add(here, `expected a string, got ${describe(headerValue)}`);
        } else if (HEADER_VALUE_BAD.test(headerValue)) {
          issues.add(here, 'has a line break or a character not allowed in a header value');
        } else {
          seen.set(lower, name);
          // defineProperty: a header named `__proto__` is a header, not the object's prototype.
          Object.defineProperty(out, name, {
            value: headerValue,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }
      return out;
    },
  };
}

export const headers = headersOf(COMPUTED_HEADERS);
/** A WebSocket handshake's headers: heapgate writes the upgrade and its key, and no body goes with it. */
export const websocketHeaders = headersOf([
  ...COMPUTED_HEADERS,
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
]);

/** A string body sent as is. */
export const bodyText: ValueType<string> = {
  label: 'string',
  schema: { type: 'string' },
  read(value, at, issues) {
    if (typeof value === 'string') return value;
    issues.add(at, `expected a string (use "json" for a JSON body), got ${describe(value)}`);
    return undefined;
  },
};

/** Any JSON value (from a JS module: checked to be one, and copied). */
export const jsonValue: ValueType<JsonValue> = {
  label: 'any JSON value',
  schema: {},
  read: (value, at, issues) => toJson(value, at, issues),
};

/** A JSON object; `expected` describes it in the message for anything else. */
export function jsonObject(
  expected: string,
  label: string,
  schema: JsonSchema = { type: 'object' },
): ValueType<JsonObject> {
  return {
    label,
    schema,
    read(value, at, issues) {
      if (isPlainObject(value)) return toJson(value, at, issues) as JsonObject | undefined;
      issues.add(at, `expected ${expected}, got ${describe(value)}`);
      return undefined;
    },
  };
}

/** One of a few words, written exactly. */
export function oneOfWords<T extends string>(words: readonly T[]): ValueType<T> {
  return {
    label: words.map((w) => `"${w}"`).join(' or '),
    schema: { enum: [...words] },
    read(value, at, issues) {
      if (typeof value === 'string' && (words as readonly string[]).includes(value)) return value as T;
      issues.add(at, `expected one of ${words.map((w) => `'${w}'`).join(', ')}, got ${describe(value)}`);
      return undefined;
    },
  };
}

// --- calls ---------------------------------------------------------------------------------------

const PY_NAME = String.raw`[\p{L}_][\p{L}\p{N}_]*`;
const CALL_TARGET = `^${PY_NAME}(?:\\.${PY_NAME})*:${PY_NAME}(?:\\.${PY_NAME})*$`;

/** `module:function`, both dotted. */
export const callTarget: ValueType<string> = {
  label: '"module:function"',
  schema: { type: 'string', pattern: CALL_TARGET },
  read(value, at, issues) {
    if (typeof value === 'string' && new RegExp(CALL_TARGET, 'u').test(value)) return value;
    issues.add(at, `expected 'module:function' (e.g. 'app.jobs:handle'), got ${describe(value)}`);
    return undefined;
  },
};

export const jsonArray: ValueType<JsonValue[]> = {
  label: 'array',
  schema: { type: 'array' },
  read(value, at, issues) {
    if (Array.isArray(value)) return toJson(value, at, issues) as JsonValue[] | undefined;
    issues.add(at, `expected an array, got ${describe(value)}`);
    return undefined;
  },
};

/** Keyword arguments: an object whose keys are Python names. */
export const keywordArguments: ValueType<JsonObject> = {
  label: 'object',
  schema: { type: 'object', propertyNames: { pattern: `^${PY_NAME}$` } },
  read(value, at, issues) {
    if (!isPlainObject(value)) {
      issues.add(at, `expected an object of keyword arguments, got ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!new RegExp(`^${PY_NAME}$`, 'u').test(key)) {
        issues.add(joinPath(at, key), 'is not a valid Python keyword argument name');
      }
    }
    return toJson(value, at, issues) as JsonObject | undefined;
  },
};

// --- expectations and budgets --------------------------------------------------------------------

const STATUS: JsonSchema = {
  anyOf: [
    { type: 'integer', minimum: 100, maximum: 599 },
    { type: 'string', pattern: '^[1-5][Xx][Xx]$' },
  ],
};

/** A status, a class like `2xx`, or a non-empty array of them → the statuses, sorted. */
export const statuses: ValueType<number[]> = {
  label: 'status, "2xx", or array of them',
  schema: { anyOf: [STATUS, { type: 'array', minItems: 1, items: STATUS }] },
  read(value, at, issues) {
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) {
      issues.add(at, 'expected at least one status');
      return undefined;
    }
    const out = new Set<number>();
    items.forEach((item, index) => {
      const itemAt = Array.isArray(value) ? `${at}[${index}]` : at;
      if (typeof item === 'number' && Number.isInteger(item) && item >= 100 && item <= 599) out.add(item);
      else if (typeof item === 'string' && /^[1-5]xx$/i.test(item)) {
        const hundred = Number(item[0]) * 100;
        for (let s = hundred; s < hundred + 100; s++) out.add(s);
      } else {
        issues.add(itemAt, `expected a status from 100 to 599 or a class like '2xx', got ${describe(item)}`);
      }
    });
    return [...out].sort((a, b) => a - b);
  },
};

/** The statuses as a file would write them: classes for whole hundreds (`["2xx", "3xx"]`). */
export function writtenStatuses(list: readonly number[]): JsonValue[] {
  const set = new Set(list);
  const out: JsonValue[] = [];
  for (let hundred = 100; hundred < 600; hundred += 100) {
    const all = Array.from({ length: 100 }, (_, k) => hundred + k);
    if (all.every((s) => set.has(s))) out.push(`${hundred / 100}xx`);
    else out.push(...all.filter((s) => set.has(s)));
  }
  return out;
}

const OFF = `^\\s*${anyCase(['off', 'none', 'unlimited'])}\\s*$`;
const BUDGET_VALUES: Record<BudgetKind, { schema: JsonSchema[]; written: string }> = {
  size: {
    schema: [{ type: 'number', minimum: 0 }, { type: 'string' }],
    written: 'a size ("64B", "1.5KB") or a number of bytes',
  },
  rate: {
    schema: [{ type: 'number', minimum: 0 }, { type: 'string' }],
    written: 'a rate ("10MB/h", "1KB/min") or a number of bytes per hour',
  },
  count: {
    schema: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: String.raw`^\s*\d+\s*$` },
      { type: 'string', pattern: OFF },
    ],
    written: 'a whole number',
  },
};

/** `rssGrowth` → `rssGrowth`, `rss-growth`, `rss_growth`: the spellings a budget key may take. */
function spellings(key: string): string[] {
  const words = key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`).split(' ');
  return [...new Set([key, words.join('-'), words.join('_')])];
}

/**
 * The schema of a scenario's `budget`: the kernel's budget keys (any spelling) and the values their
 * kinds take; null, false, "off" or "none" switch a check off. The validator copies the object as
 * written and config/budget.ts parses it when the scenario runs.
 */
function budgetSchema(): JsonSchema {
  const properties: JsonObject = {};
  for (const key of BUDGET_KEYS) {
    const kind = BUDGET_VALUES[BUDGET_KINDS[key]];
    const description = `${kind.written}; default ${describeBudget(key, DEFAULT_BUDGET[key])}`;
    for (const name of spellings(key)) {
      properties[name] = {
        description: name === key ? description : `Same as "${key}".`,
        anyOf: [{ enum: [null, false] }, ...kind.schema],
      };
    }
  }
  return { type: 'object', properties, additionalProperties: false };
}

export const budget = jsonObject('an object like { "growth": "64B" }', 'object of budgets', budgetSchema());
