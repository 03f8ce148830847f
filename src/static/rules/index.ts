/** The rule table of SPEC §2, in short-id order. */
import type { Rule } from '../rule.js';
import { mutableDefault } from './m5-mutable-default.js';

export const ALL_RULES: readonly Rule[] = [mutableDefault];

export function ruleById(idOrShort: string): Rule | undefined {
  const key = idOrShort.trim().toUpperCase();
  return ALL_RULES.find((r) => r.meta.id === key || r.meta.shortId === key);
}
