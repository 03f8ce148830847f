/**
 * Runs a rule's table of valid and invalid snippets through the whole per-file pipeline (pre-scan,
 * partial parse, check, suppressions), so a trigger that misses a case fails its table too. It also
 * holds the rule to its own documentation: the file is named for the rule, every part of the docs is
 * there, the docs' example is flagged and its fixed example is not.
 */
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/static/analyze-source.js';
import { isMetric } from '../../src/model/metrics.js';
import type { Finding } from '../../src/model/static.js';
import { pythonParser } from '../../src/static/parse.js';
import type { Rule } from '../../src/static/rule.js';

export interface InvalidCase {
  code: string;
  /**
   * The complete message: every finding's, or (a list) each finding's in order. Pinned whole, so a
   * change in wording shows in the tables.
   */
  message: string | readonly string[];
  /** 1-based lines the findings must be on (default: exactly one finding, any line). */
  lines?: number[];
  /** Expected enclosing function of the first finding. */
  function?: string | null;
  name?: string;
}

export interface RuleTable {
  valid: (string | { code: string; name?: string })[];
  invalid: InvalidCase[];
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

/** `src/static/rules/r1-unbounded-global.ts` for R1 `unbounded-global`. */
export function ruleFileName(rule: Rule): string {
  return `${rule.meta.shortId.toLowerCase()}-${rule.meta.name}.ts`;
}

const TEMPLATES = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/**
 * When HEAPGATE_RECORD_MESSAGES names a file, each invalid case's messages are appended to it (one JSON
 * line per case) instead of being compared: how the tables' full messages are written in the first
 * place. Never set in a normal run.
 */
const RECORD = process.env.HEAPGATE_RECORD_MESSAGES;

export function ruleTable(rule: Rule, table: RuleTable): void {
  const { meta } = rule;
  describe(`${meta.shortId} ${meta.id}`, () => {
    it('lives in the file named for it and is exported from there', async () => {
      const file = ruleFileName(rule);
      expect(meta.name).toMatch(/^[a-z]+(?:-[a-z0-9]+)*$/);
      const module = (await import(`../../src/static/rules/${file.replace(/\.ts$/, '.js')}`)) as Record<
        string,
        unknown
      >;
      expect(Object.values(module)).toContain(rule);
    });

    it('has complete metadata and docs', () => {
      expect(meta.id).toMatch(/^[A-Z]+(?:_[A-Z]+)+$/);
      expect(meta.shortId).toMatch(/^[RM]\d$/);
      for (const part of ['what', 'why', 'knownProblems', 'fix'] as const) {
        expect(meta.docs[part].length, part).toBeGreaterThan(40);
      }
      // Prose only: the code of the fix is `fixedExample`, fenced as Python in the docs.
      expect(meta.docs.fix).not.toMatch(/\n/);
      expect(meta.fix).not.toMatch(/\n/);
      expect(meta.docs.example.trim()).not.toBe('');
      expect(meta.docs.fixedExample.trim()).not.toBe('');
      expect(meta.docs.fixedExample).not.toBe(meta.docs.example);
      expect(meta.docs.references.length).toBeGreaterThan(0);
      for (const reference of meta.docs.references) {
        expect(reference.url).toMatch(/^https?:\/\/[^\s/]+\.[^\s/]+\/\S*$/);
        expect(reference.title.length).toBeGreaterThan(5);
      }
      expect(new Set(meta.docs.references.map((r) => r.url)).size).toBe(meta.docs.references.length);
      expect(meta.dynamic.metrics.length).toBeGreaterThan(0);
      for (const metric of meta.dynamic.metrics) expect(isMetric(metric), metric).toBe(true);
      expect(existsSync(path.join(TEMPLATES, `${meta.dynamic.reproduce}.json`))).toBe(true);
      expect(table.valid.length).toBeGreaterThanOrEqual(8);
      expect(table.invalid.length).toBeGreaterThanOrEqual(8);
    });

    it("flags its docs' example", async () => {
      expect((await findingsFor(rule, meta.docs.example)).length).toBeGreaterThan(0);
    });

    it("does not flag its docs' fixed example", async () => {
      const findings = await findingsFor(rule, meta.docs.fixedExample);
      expect(findings.map((f) => `${f.line}: ${f.message}`)).toEqual([]);
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
      table.invalid.forEach((spec, index) => {
        it(title(spec.code, spec.name), async () => {
          const findings = await findingsFor(rule, dedent(spec.code));
          if (RECORD) {
            const testFile = expect.getState().testPath ?? '';
            const messages = findings.map((f) => f.message);
            appendFileSync(RECORD, `${JSON.stringify({ testFile, index, messages })}\n`);
            return;
          }
          if (spec.lines) expect(findings.map((f) => f.line)).toEqual(spec.lines);
          else expect(findings).toHaveLength(1);
          for (const f of findings) {
            expect(f.rule).toBe(rule.meta.id);
            expect(f.fix).toBe(rule.meta.fix);
          }
          const expected = typeof spec.message === 'string' ? findings.map(() => spec.message) : spec.message;
          expect(findings.map((f) => f.message)).toEqual(expected);
          if (spec.function !== undefined) expect(findings[0].function).toBe(spec.function);
        });
      });
    });
  });
}
