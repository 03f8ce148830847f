/**
 * Scenario validation: an unknown value (a JSON file's content or a JS module's export) → typed
 * scenarios, or UsageError messages that name the file and the field path (`scenarios[2].request.method`).
 * Pure: no I/O, no clock. Unknown fields are errors (with a "did you mean" for typos), and every problem
 * in a value is reported at once, one per line.
 *
 * The fields are declared once in fields.ts (value kinds in field-types.ts); read-scenario.ts and
 * read-action.ts read them, and schema.ts writes the same declarations as docs/scenario.schema.json.
 */
import { UsageError } from '../errors.js';
import { SCENARIO_LIST } from './fields.js';
import { isPlainObject, joinPath, Issues } from './issues.js';
import type { Scenario } from './model.js';
import { openObject } from './read-fields.js';
import { readScenario, type Source } from './read-scenario.js';

export type { Source } from './read-scenario.js';
export { describe, isPlainObject, joinPath, suggest } from './issues.js';

export interface ValidateOptions {
  /**
   * Rule ids and short ids (any case) that `covers.rules` may name. When given, an unknown rule is an
   * error (a typo there would silently select nothing); when absent, rule names are not checked.
   */
  knownRules?: Iterable<string>;
}

/** Messages beyond this many are summarized as "… and N more problems". */
const MAX_REPORTED = 20;

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
    openObject(SCENARIO_LIST, value, '', issues);
    list = SCENARIO_LIST.fields.scenarios.type.read(value.scenarios, 'scenarios', issues) ?? null;
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
