/**
 * Checks a saved JSON report (schemaVersion 1) before `report`, `compare` or `merge` use it:
 * an unknown value → a typed Report, or a UsageError (exit 2) whose lines name the file and the field
 * (`reports/a.json: scenarios[1].metrics.heap.slopePerIteration: expected a number, got "12"`).
 * Pure: no I/O. Fields beyond the schema are kept as they are (newer renderers may read them); the few
 * optional fields that the renderers need but an older or hand-written report
 * may lack are filled in (a finding's shortId, endLine, endColumn).
 */
import { UsageError } from '../errors.js';
import { CONFIDENCES, DYNAMIC_STATUSES, SEVERITIES, type DynamicStatus } from '../model/static.js';
import { ALL_RULES } from '../static/rules/index.js';
import { METRICS } from '../model/metrics.js';
import { SCHEMA_VERSION, type Report } from '../model/report.js';
import { SCENARIO_KINDS } from '../model/scenario-kind.js';

const VERDICTS = ['pass', 'fail', 'error'] as const;
const TRENDS = ['growing', 'flat', 'plateau'] as const;
const DYNAMIC = Object.keys(DYNAMIC_STATUSES) as readonly DynamicStatus[];
const SERIES_FIELDS = ['iteration', 'elapsedMs', ...METRICS] as const;
const SITE_ROLES = ['retains', 'allocates', 'calls', 'library'] as const;

/** Problems beyond this many are summarized as "… and N more". */
const MAX_REPORTED = 20;

type Obj = Record<string, unknown>;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  readonly problems: string[] = [];
  constructor(private readonly where: string) {}

  fail(path: string, message: string): void {
    this.problems.push(`${this.where}: ${path}: ${message}`);
  }

  object(value: unknown, path: string): Obj | null {
    if (isObject(value)) return value;
    this.fail(path, `expected an object, got ${show(value)}`);
    return null;
  }

  array(value: unknown, path: string): unknown[] | null {
    if (Array.isArray(value)) return value;
    this.fail(path, `expected an array, got ${show(value)}`);
    return null;
  }

  string(obj: Obj, key: string, path: string): void {
    if (typeof obj[key] !== 'string') this.fail(`${path}.${key}`, `expected a string, got ${show(obj[key])}`);
  }

  optionalString(obj: Obj, key: string, path: string): void {
    if (obj[key] !== undefined) this.string(obj, key, path);
  }

  number(obj: Obj, key: string, path: string, opts: { integer?: boolean; min?: number } = {}): void {
    const v = obj[key];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!opts.integer || Number.isInteger(v)) &&
      (opts.min === undefined || v >= opts.min);
    if (!ok) {
      const what = opts.integer
        ? `a whole number${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`
        : `a number${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`;
      this.fail(`${path}.${key}`, `expected ${what}, got ${show(v)}`);
    }
  }

  optionalNumber(obj: Obj, key: string, path: string, opts: { integer?: boolean; min?: number } = {}): void {
    if (obj[key] !== undefined) this.number(obj, key, path, opts);
  }

  /** Absent, null, or a number. */
  optionalNullableNumber(obj: Obj, key: string, path: string, opts: { min?: number } = {}): void {
    if (obj[key] !== undefined && obj[key] !== null) this.number(obj, key, path, opts);
  }

  /** Absent, or an object whose `keys` are numbers (null too for those in `nullable`). */
  optionalNumbers(
    obj: Obj,
    key: string,
    path: string,
    keys: readonly string[],
    nullable: readonly string[] = [],
  ): void {
    if (obj[key] === undefined) return;
    const inner = this.object(obj[key], `${path}.${key}`);
    if (!inner) return;
    for (const k of keys) {
      if (nullable.includes(k)) this.optionalNullableNumber(inner, k, `${path}.${key}`);
      else this.number(inner, k, `${path}.${key}`);
    }
  }

  oneOf(obj: Obj, key: string, path: string, allowed: readonly string[]): void {
    const v = obj[key];
    if (typeof v !== 'string' || !allowed.includes(v)) {
      this.fail(`${path}.${key}`, `expected one of ${allowed.join(', ')}, got ${show(v)}`);
    }
  }

  boolean(obj: Obj, key: string, path: string): void {
    if (typeof obj[key] !== 'boolean')
      this.fail(`${path}.${key}`, `expected true or false, got ${show(obj[key])}`);
  }

  strings(obj: Obj, key: string, path: string, optional = false): void {
    const v = obj[key];
    if (v === undefined && optional) return;
    if (!Array.isArray(v)) {
      this.fail(`${path}.${key}`, `expected an array of strings, got ${show(v)}`);
      return;
    }
    v.forEach((item, i) => {
      if (typeof item !== 'string') this.fail(`${path}.${key}[${i}]`, `expected a string, got ${show(item)}`);
    });
  }
}

/**
 * Validates a parsed report. `where` names it in messages (the file as the user typed it). Returns the
 * report (a shallow copy with defaults filled in) or throws one UsageError listing every problem.
 */
export function validateReport(value: unknown, where: string): Report {
  const c = new Checker(where);
  if (!isObject(value)) {
    throw new UsageError(`${where}: expected a heapgate JSON report (an object), got ${show(value)}`);
  }
  if (value.schemaVersion !== SCHEMA_VERSION) {
    const hint =
      typeof value.schemaVersion === 'number' && value.schemaVersion > SCHEMA_VERSION
        ? ': written by a newer heapgate; upgrade to read it'
        : value.schemaVersion === undefined
          ? ' (is this a heapgate JSON report? write one with --format json)'
          : '';
    throw new UsageError(
      `${where}: schemaVersion: expected ${SCHEMA_VERSION}, got ${show(value.schemaVersion)}${hint}`,
    );
  }

  const tool = c.object(value.tool, 'tool');
  if (tool) {
    if (tool.name !== 'heapgate') c.fail('tool.name', `expected "heapgate", got ${show(tool.name)}`);
    c.string(tool, 'version', 'tool');
  }

  const findings = c.array(value.findings, 'findings') ?? [];
  findings.forEach((raw, i) => {
    const path = `findings[${i}]`;
    const f = c.object(raw, path);
    if (!f) return;
    c.string(f, 'rule', path);
    c.oneOf(f, 'severity', path, SEVERITIES);
    c.string(f, 'file', path);
    c.number(f, 'line', path, { integer: true, min: 1 });
    c.number(f, 'column', path, { integer: true, min: 1 });
    c.string(f, 'message', path);
    if (f.function !== null && typeof f.function !== 'string') {
      c.fail(`${path}.function`, `expected a string or null, got ${show(f.function)}`);
    }
    c.oneOf(f, 'confidence', path, CONFIDENCES);
    c.string(f, 'fix', path);
    c.oneOf(f, 'dynamic', path, DYNAMIC);
    c.optionalString(f, 'shortId', path);
    c.optionalNumber(f, 'endLine', path, { integer: true, min: 1 });
    c.optionalNumber(f, 'endColumn', path, { integer: true, min: 1 });
  });

  const scenarios = c.array(value.scenarios, 'scenarios') ?? [];
  const names = new Map<string, number>();
  scenarios.forEach((raw, i) => {
    const path = `scenarios[${i}]`;
    const s = c.object(raw, path);
    if (!s) return;
    c.string(s, 'name', path);
    if (typeof s.name === 'string') {
      const earlier = names.get(s.name);
      if (earlier !== undefined)
        c.fail(`${path}.name`, `'${s.name}' is also the name of scenarios[${earlier}]`);
      else names.set(s.name, i);
    }
    c.oneOf(s, 'verdict', path, VERDICTS);
    const selectedBy = c.array(s.selectedBy, `${path}.selectedBy`) ?? [];
    selectedBy.forEach((rawSel, k) => {
      const sp = `${path}.selectedBy[${k}]`;
      const sel = c.object(rawSel, sp);
      if (!sel) return;
      c.string(sel, 'rule', sp);
      c.string(sel, 'file', sp);
      c.number(sel, 'line', sp);
    });
    if (s.kind !== undefined) c.oneOf(s, 'kind', path, SCENARIO_KINDS);
    c.number(s, 'iterations', path, { min: 0 });
    c.number(s, 'durationMs', path, { min: 0 });
    const metrics = c.object(s.metrics, `${path}.metrics`);
    if (metrics) {
      for (const [name, rawMetric] of Object.entries(metrics)) {
        const mp = `${path}.metrics.${name}`;
        if (!(METRICS as readonly string[]).includes(name)) {
          c.fail(mp, `unknown metric (known: ${METRICS.join(', ')})`);
          continue;
        }
        const m = c.object(rawMetric, mp);
        if (!m) continue;
        for (const key of ['start', 'end', 'slopePerIteration', 'r2']) c.number(m, key, mp);
        c.oneOf(m, 'trend', mp, TRENDS);
        if (m.exceeded !== undefined) c.boolean(m, 'exceeded', mp);
        if (m.budget !== undefined && m.budget !== null) c.number(m, 'budget', mp);
        c.optionalString(m, 'reason', mp);
        // What the reports draw, recorded by newer runs (absent in older reports).
        c.optionalNumbers(m, 'fit', mp, ['intercept', 'slope']);
        if (m.plateau !== null) c.optionalNumbers(m, 'plateau', mp, ['fromSample', 'fromIteration', 'level']);
        c.optionalNumbers(m, 'projection', mp, ['perMillion', 'perHour'], ['perHour']);
      }
    }
    const sites = c.array(s.leakSites, `${path}.leakSites`) ?? [];
    sites.forEach((rawSite, k) => {
      const lp = `${path}.leakSites[${k}]`;
      const site = c.object(rawSite, lp);
      if (!site) return;
      c.string(site, 'file', lp);
      c.number(site, 'line', lp, { integer: true, min: 0 });
      c.number(site, 'sizeDiffBytes', lp);
      c.number(site, 'countDiff', lp);
      c.strings(site, 'traceback', lp);
      c.optionalString(site, 'code', lp);
      if (site.role !== undefined) c.oneOf(site, 'role', lp, SITE_ROLES);
    });
    checkHeldBy(c, s, path);
    c.optionalString(s, 'error', path);
    for (const key of ['warmupIterations', 'totalIterations', 'attributionIterations']) {
      c.optionalNumber(s, key, path, { min: 0 });
    }
    c.optionalNumbers(s, 'measured', path, ['fromSample', 'toSample', 'fromIteration', 'toIteration']);
    if (isObject(s.measured) && Array.isArray(s.series)) {
      const { fromSample, toSample } = s.measured;
      const n = s.series.length;
      const inside = (v: unknown): v is number =>
        Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;
      if (!inside(fromSample) || !inside(toSample) || fromSample > toSample) {
        c.fail(
          `${path}.measured`,
          `expected sample indices within the ${n} samples of series, got ${show(s.measured)}`,
        );
      }
    }
    c.optionalNullableNumber(s, 'iterationsPerHour', path, { min: 0 });
    c.strings(s, 'reasons', path, true);
    c.strings(s, 'notes', path, true);
    if (s.stoppedEarly !== null) c.optionalNumbers(s, 'stoppedEarly', path, ['atIteration']);
    if (isObject(s.stoppedEarly)) c.string(s.stoppedEarly, 'why', `${path}.stoppedEarly`);
    if (s.tooShort !== null) c.optionalString(s, 'tooShort', path);
    if (s.budget !== undefined) c.object(s.budget, `${path}.budget`);
    if (s.series !== undefined) {
      const series = c.array(s.series, `${path}.series`) ?? [];
      // One message per scenario is enough: a broken series is usually broken everywhere.
      const bad = series.findIndex(
        (p) => !isObject(p) || SERIES_FIELDS.some((k) => typeof p[k] !== 'number' || !Number.isFinite(p[k])),
      );
      if (bad !== -1) {
        const p = series[bad];
        const key = isObject(p) ? SERIES_FIELDS.find((k) => typeof p[k] !== 'number') : undefined;
        c.fail(
          `${path}.series[${bad}]${key ? `.${key}` : ''}`,
          key
            ? `expected a number, got ${show(isObject(p) ? p[key] : p)}`
            : `expected a sample object, got ${show(p)}`,
        );
      }
    }
  });

  const gate = c.object(value.gate, 'gate');
  if (gate) {
    c.boolean(gate, 'passed', 'gate');
    c.strings(gate, 'reasons', 'gate');
  }

  if (value.static !== undefined) {
    const s = c.object(value.static, 'static');
    if (s) {
      c.string(s, 'root', 'static');
      for (const key of ['filesAnalyzed', 'bytes', 'durationMs', 'suppressed'])
        c.number(s, key, 'static', { min: 0 });
      if (s.hidden !== undefined) c.number(s, 'hidden', 'static', { min: 0 });
      const cache = c.object(s.cache, 'static.cache');
      if (cache) {
        c.number(cache, 'hits', 'static.cache', { min: 0 });
        c.number(cache, 'misses', 'static.cache', { min: 0 });
      }
      c.strings(s, 'rules', 'static');
      if (s.failOn !== null) c.oneOf(s, 'failOn', 'static', SEVERITIES);
    }
  }
  if (value.routes !== undefined) {
    (c.array(value.routes, 'routes') ?? []).forEach((raw, i) => {
      const r = c.object(raw, `routes[${i}]`);
      if (!r) return;
      c.string(r, 'method', `routes[${i}]`);
      c.string(r, 'path', `routes[${i}]`);
      c.string(r, 'file', `routes[${i}]`);
      c.number(r, 'line', `routes[${i}]`);
    });
  }
  if (value.problems !== undefined) {
    (c.array(value.problems, 'problems') ?? []).forEach((raw, i) => {
      const p = c.object(raw, `problems[${i}]`);
      if (!p) return;
      c.string(p, 'kind', `problems[${i}]`);
      c.string(p, 'file', `problems[${i}]`);
      c.string(p, 'message', `problems[${i}]`);
      c.optionalNumber(p, 'line', `problems[${i}]`, { integer: true, min: 0 });
    });
  }

  if (c.problems.length) {
    const shown = c.problems.slice(0, MAX_REPORTED);
    if (c.problems.length > MAX_REPORTED)
      shown.push(`… and ${c.problems.length - MAX_REPORTED} more problems`);
    throw new UsageError(shown.join('\n'));
  }

  const shortIds = new Map(ALL_RULES.map((r) => [r.meta.id, r.meta.shortId]));
  const report = { ...value } as unknown as Report;
  report.findings = report.findings.map((f) => ({
    ...f,
    shortId: f.shortId ?? shortIds.get(f.rule) ?? f.rule,
    endLine: f.endLine ?? f.line,
    endColumn: f.endColumn ?? f.column,
  }));
  return report;
}

/** A scenario's held-by fields (docs/held-by.md), all optional: what the renderers draw from them. */
function checkHeldBy(c: Checker, s: Obj, path: string): void {
  if (s.heldBy !== undefined) {
    const holders = c.array(s.heldBy, `${path}.heldBy`) ?? [];
    holders.forEach((raw, k) => {
      const hp = `${path}.heldBy[${k}]`;
      const h = c.object(raw, hp);
      if (!h) return;
      if (h.path !== null) c.string(h, 'path', hp);
      c.string(h, 'type', hp);
      c.optionalString(h, 'entryType', hp);
      for (const key of ['entries', 'entriesPerIteration', 'bytesPerIteration'])
        c.number(h, key, hp, { min: 0 });
      if (h.addedAt !== null) c.string(h, 'addedAt', hp);
      c.optionalString(h, 'code', hp);
      c.boolean(h, 'ownCode', hp);
      if (h.partial !== undefined) c.boolean(h, 'partial', hp);
      c.strings(h, 'findings', hp, true);
    });
  }
  if (s.holdersSearch !== undefined) {
    const sp = `${path}.holdersSearch`;
    const search = c.object(s.holdersSearch, sp);
    if (search) {
      c.number(search, 'objects', sp, { min: 0 });
      c.number(search, 'seconds', sp, { min: 0 });
      c.optionalString(search, 'gaveUp', sp);
      (c.array(search.grownTypes, `${sp}.grownTypes`) ?? []).forEach((raw, k) => {
        const gp = `${sp}.grownTypes[${k}]`;
        const grown = c.object(raw, gp);
        if (!grown) return;
        c.string(grown, 'type', gp);
        c.number(grown, 'perIteration', gp);
      });
    }
  }
  if (s.explained !== undefined) {
    const xp = `${path}.explained`;
    const x = c.object(s.explained, xp);
    if (x) {
      c.number(x, 'share', xp, { min: 0 });
      c.boolean(x, 'outsidePythonHeap', xp);
      c.oneOf(x, 'metric', xp, ['heap', 'rss']);
      c.number(x, 'measuredBytesPerIteration', xp);
      c.optionalNullableNumber(x, 'tracedBytesPerIteration', xp);
      c.number(x, 'heldBytesPerIteration', xp, { min: 0 });
    }
  }
}
