/** The rule table of SPEC §2, in short-id order. */
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

export const ALL_RULES: readonly Rule[] = [
  unboundedGlobal,
  unboundedCache,
  sessionLifecycle,
  loggingHandlerDup,
  threadInRequest,
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
