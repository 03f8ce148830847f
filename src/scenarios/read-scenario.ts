/**
 * One scenario read from its declaration (fields.ts): name, length (iterations or a duration), warm-up,
 * concurrency, sampling, the action (read-action.ts), what counts as an answer, budgets and accepted
 * leak sites. Defaults come from DEFAULTS (model.ts); every problem is reported, in field order.
 */
import { CALL_CONCURRENCY, COVERS, EXPECT, ITERATIONS_OR_DURATION, ONE_ACTION, SCENARIO } from './fields.js';
import { joinPath, suggest, type Issues } from './issues.js';
import { autoSampleEvery, DEFAULTS, type Covers, type Scenario } from './model.js';
import { readCall, readRequest, readWebSocket } from './read-action.js';
import { choose, openObject, readField } from './read-fields.js';
import { expandPytest } from './pytest.js';

/** Where a value came from: the file (as shown to people) and the path of the scenario inside it. */
export interface Source {
  file: string;
  /** '' for a file holding one scenario, `scenarios[2]` for the third of an array. */
  path?: string;
}

export function readScenario(
  value: unknown,
  source: Source,
  base: string,
  issues: Issues,
  knownRules: Set<string> | null,
): Scenario | null {
  const before = issues.list.length;
  const object = openObject(SCENARIO, expandPytest(value, base, issues), base, issues);
  if (!object) return null;
  const fields = SCENARIO.fields;
  const at = (field: string) => joinPath(base, field);

  const name = readField(object, 'name', fields.name, base, issues) ?? '';
  const description = readField(object, 'description', fields.description, base, issues) ?? null;
  readField(object, '$schema', fields.$schema, base, issues);
  const covers = readCovers(object.covers, at('covers'), issues, knownRules);
  const warmup = readField(object, 'warmup', fields.warmup, base, issues) ?? DEFAULTS.warmup;
  const iterations = readField(object, 'iterations', fields.iterations, base, issues) ?? DEFAULTS.iterations;
  let durationMs: number | null = null;
  if (object.duration !== undefined) {
    durationMs = readField(object, 'duration', fields.duration, base, issues) ?? null;
    choose(ITERATIONS_OR_DURATION, object, base, issues);
  }

  const chosen = choose(ONE_ACTION, object, base, issues);
  const kind = chosen === 'call' || chosen === 'websocket' ? chosen : 'request';

  let concurrency: number = DEFAULTS.concurrency[kind];
  const n = readField(object, 'concurrency', fields.concurrency, base, issues);
  if (n !== undefined && kind === 'call' && n !== CALL_CONCURRENCY.value) {
    issues.add(at(CALL_CONCURRENCY.field), CALL_CONCURRENCY.message(n));
  } else if (n !== undefined) concurrency = n;

  let sampleEvery = autoSampleEvery(durationMs === null ? iterations : null);
  let sampleEveryAuto = true;
  const every = readField(object, 'sampleEvery', fields.sampleEvery, base, issues);
  if (every !== undefined) {
    sampleEvery = every;
    sampleEveryAuto = false;
    // Not in the schema: it depends on the iterations.
    const samples = Math.floor(iterations / every);
    if (durationMs === null && samples < DEFAULTS.minSamples) {
      const most = Math.max(1, Math.floor(iterations / DEFAULTS.minSamples));
      issues.add(
        at('sampleEvery'),
        `${every} leaves ${samples} sample${samples === 1 ? '' : 's'} over ${iterations} iterations; ` +
          `at least ${DEFAULTS.minSamples} are needed (sampleEvery ≤ ${most})`,
      );
    }
  }

  const request = object.request !== undefined ? readRequest(object.request, at('request'), issues) : null;
  const call = object.call !== undefined ? readCall(object.call, at('call'), issues) : null;
  const websocket =
    object.websocket !== undefined ? readWebSocket(object.websocket, at('websocket'), issues) : null;
  const status = readExpect(object.expect, at('expect'), issues);
  const budget = readField(object, 'budget', fields.budget, base, issues) ?? {};
  const ignore = readField(object, 'ignore', fields.ignore, base, issues) ?? [];

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
  if (websocket) return { ...common, kind: 'websocket', websocket, request: null, call: null };
  return { ...common, kind: 'request', request: request!, call: null };
}

function readCovers(value: unknown, at: string, issues: Issues, knownRules: Set<string> | null): Covers {
  const covers: Covers = { rules: [], routes: [], functions: [] };
  if (value === undefined) return covers;
  const object = openObject(COVERS, value, at, issues);
  if (!object) return covers;
  const fields = COVERS.fields;
  const rules = readField(object, 'rules', fields.rules, at, issues) ?? [];
  // Not in the schema: the rules are the ones this heapgate has.
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
    routes: readField(object, 'routes', fields.routes, at, issues) ?? [],
    functions: readField(object, 'functions', fields.functions, at, issues) ?? [],
  };
}

function readExpect(value: unknown, at: string, issues: Issues): readonly number[] {
  if (value === undefined) return DEFAULTS.expectStatus;
  const object = openObject(EXPECT, value, at, issues);
  if (!object) return DEFAULTS.expectStatus;
  return readField(object, 'status', EXPECT.fields.status, at, issues) ?? DEFAULTS.expectStatus;
}
