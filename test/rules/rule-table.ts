/**
 * Runs a rule's table of valid and invalid snippets through the whole per-file pipeline (pre-scan,
 * partial parse, check, suppressions), so a trigger that misses a case fails its table too.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/static/analyze-source.js';
import type { Finding } from '../../src/model/static.js';
import { pythonParser } from '../../src/static/parse.js';
import type { Rule } from '../../src/static/rule.js';

export interface InvalidCase {
  code: string;
  /** 1-based lines the findings must be on (default: exactly one finding, any line). */
  lines?: number[];
  /** Substring every finding's message must contain. */
  message?: string;
  /** Expected enclosing function of the first finding. */
  function?: string | null;
  name?: string;
}

export interface RuleTable {
  valid: (string | { code: string; name?: string })[];
  invalid: (InvalidCase | string)[];
}

export async function findingsFor(rule: Rule, code: string, file = 'sample.py'): Promise<Finding[]> {
  const parser = await pythonParser();
  const fullTree = analyzeSource(parser, code, { file, rules: [rule], routes: false, fullParse: true });
  const scoped = analyzeSource(parser, code, { file, rules: [rule], routes: false });
  // The pre-scan may only ever skip work, never findings.
  expect(scoped.findings).toEqual(fullTree.findings);
  return scoped.findings;
}

export function dedent(code: string): string {
  const lines = code.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

function title(code: string, name?: string): string {
  return name ?? code.trim().split('\n').slice(0, 3).join(' ⏎ ').slice(0, 90);
}

export function ruleTable(rule: Rule, table: RuleTable): void {
  describe(`${rule.meta.shortId} ${rule.meta.id}`, () => {
    it('has complete metadata and docs', () => {
      expect(rule.meta.id).toMatch(/^[A-Z_]+$/);
      expect(rule.meta.shortId).toMatch(/^[RM]\d$/);
      for (const part of ['what', 'why', 'example', 'fix'] as const) {
        expect(rule.meta.docs[part].length).toBeGreaterThan(20);
      }
      expect(table.valid.length).toBeGreaterThanOrEqual(8);
      expect(table.invalid.length).toBeGreaterThanOrEqual(8);
    });
    describe('does not flag', () => {
      for (const entry of table.valid) {
        const { code, name } = typeof entry === 'string' ? { code: entry, name: undefined } : entry;
        it(title(code, name), async () => {
          const findings = await findingsFor(rule, dedent(code));
          expect(findings.map((f) => `${f.line}: ${f.message}`)).toEqual([]);
        });
      }
    });
    describe('flags', () => {
      for (const entry of table.invalid) {
        const spec: InvalidCase = typeof entry === 'string' ? { code: entry } : entry;
        it(title(spec.code, spec.name), async () => {
          const findings = await findingsFor(rule, dedent(spec.code));
          if (spec.lines) expect(findings.map((f) => f.line)).toEqual(spec.lines);
          else expect(findings).toHaveLength(1);
          for (const f of findings) {
            expect(f.rule).toBe(rule.meta.id);
            expect(f.fix).toBe(rule.meta.fix);
            if (spec.message) expect(f.message).toContain(spec.message);
          }
          if (spec.function !== undefined) expect(findings[0].function).toBe(spec.function);
        });
      }
    });
  });
}
