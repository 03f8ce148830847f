/**
 * Collecting validation problems and the words they are written in: every problem becomes one line
 * `file: field.path: message`; values are shown short (`'FETCH'`, `an array`, `a Date`); an unknown
 * field gets the nearest known name as a hint; values from JS modules are checked to be JSON and copied.
 */
import type { JsonObject, JsonValue } from './model.js';

const MAX_DEPTH = 64;

/** Collects problems, each as `file: field.path: message`. */
export class Issues {
  readonly list: string[] = [];
  constructor(private readonly file: string) {}

  add(path: string, message: string): void {
    this.list.push(path ? `${this.file}: ${path}: ${message}` : `${this.file}: ${message}`);
  }
}

/** Unknown fields are errors, with the nearest known name as a hint. Keys whose value is undefined (JS) are absent. */
export function checkFields(
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
export function toJson(
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
      diagonal = above;
    }
  }
  return row[b.length];
}
