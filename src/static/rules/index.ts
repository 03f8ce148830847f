/** Every rule, in short-id order (docs/rules.md is generated from their metadata). */
import { UsageError } from '../../errors.js';
import type { Rule } from '../rule.js';
import { circularReference } from './m1-circular-reference.js';
import { unclosedFile } from './m2-unclosed-file.js';
import { loadAll } from './m3-load-all.js';
import { stringConcatLoop } from './m4-string-concat-loop.js';
import { mutableDefault } from './m5-mutable-default.js';
import { unboundedGlobal } from './r1-unbounded-global.js';
import { unboundedCache } from './r2-unbounded-cache.js';
import { sessionLifecycle } from './r3-session-lifecycle.js';
import { loggingHandlerDup } from './r4-logging-handler-dup.js';
import { threadInRequest } from './r5-thread-in-request.js';
import { appRegistry } from './r6-app-registry.js';

export const ALL_RULES: readonly Rule[] = [
  unboundedGlobal,
  unboundedCache,
  sessionLifecycle,
  loggingHandlerDup,
  threadInRequest,
  appRegistry,
  circularReference,
  unclosedFile,
  loadAll,
  stringConcatLoop,
  mutableDefault,
];

export function ruleById(idOrShort: string): Rule | undefined {
  const key = idOrShort.trim().toUpperCase();
  return ALL_RULES.find((r) => r.meta.id === key || r.meta.shortId === key);
}

/** A list of rule ids as the user gave it, and where (`--select`, `pyproject.toml: [tool.heapgate] select`). */
export interface RuleList {
  value: readonly string[];
  where: string;
}

/**
 * The rules a run reports on: `select` (default: every rule) without `ignore`. An unknown id is a usage
 * error naming where it was written and the known ids.
 */
export function selectRules(selection: { select?: RuleList; ignore?: RuleList }): Rule[] {
  let rules = selection.select ? resolveRules(selection.select) : [...ALL_RULES];
  if (selection.ignore) {
    const ignored = new Set(resolveRules(selection.ignore).map((r) => r.meta.id));
    rules = rules.filter((r) => !ignored.has(r.meta.id));
  }
  return rules;
}

function resolveRules(source: RuleList): Rule[] {
  const rules: Rule[] = [];
  for (const id of source.value) {
    const rule = ruleById(id);
    if (!rule) {
      const known = ALL_RULES.map((r) => `${r.meta.shortId} (${r.meta.id})`).join(', ');
      throw new UsageError(`${source.where}: unknown rule '${id}' (known: ${known})`);
    }
    if (!rules.includes(rule)) rules.push(rule);
  }
  return rules;
}
