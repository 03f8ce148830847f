/** The generated rule documentation: committed files up to date, and what each rule's section holds. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  README_RULES_END,
  README_RULES_START,
  renderReadmeRuleTable,
  renderRuleDocs,
  withReadmeRuleTable,
} from '../../src/report/rule-docs.js';
import { ALL_RULES } from '../../src/static/rules/index.js';
import { REPO } from '../helpers/cli.js';

const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

describe('the committed documentation (run `npm run docs` when these fail)', () => {
  it('docs/rules.md is what the rules render', () => {
    expect(read('docs/rules.md')).toBe(renderRuleDocs(ALL_RULES));
  });

  it("README.md's rule table is what the rules render", () => {
    const readme = read('README.md');
    const start = readme.indexOf(README_RULES_START);
    const end = readme.indexOf(README_RULES_END) + README_RULES_END.length;
    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start, end)).toBe(renderReadmeRuleTable(ALL_RULES));
    expect(withReadmeRuleTable(readme, ALL_RULES)).toBe(readme);
  });
});

describe('docs/rules.md', () => {
  const docs = renderRuleDocs(ALL_RULES);
  const sections = docs.split(/\n(?=## )/).slice(1);

  it('has one section per rule, in the rules’ order', () => {
    expect(sections.map((s) => s.split('\n')[0])).toEqual(
      ALL_RULES.map((r) => `## ${r.meta.shortId} ${r.meta.id}`),
    );
  });

  for (const [i, rule] of ALL_RULES.entries()) {
    it(`${rule.meta.shortId}: fences both examples as Python, links its references, says what confirms it`, () => {
      const section = sections[i];
      const { docs: meta, dynamic } = rule.meta;
      expect(section).toContain(`### Example\n\n\`\`\`python\n${meta.example}\n\`\`\``);
      expect(section).toContain(`### Fixed\n\n\`\`\`python\n${meta.fixedExample}\n\`\`\`\n\n${meta.fix}\n`);
      expect(section).toContain(`### Known problems\n\n${meta.knownProblems}\n`);
      for (const ref of meta.references) expect(section).toContain(`- [${ref.title}](${ref.url})`);
      for (const metric of dynamic.metrics) expect(section).toContain(`(\`${metric}\`)`);
      expect(section).toContain(`generated \`${dynamic.reproduce}\` scenario`);
      expect(section).toContain(
        `(../src/static/rules/${rule.meta.shortId.toLowerCase()}-${rule.meta.name}.ts)`,
      );
    });
  }
});

describe('the README rule table', () => {
  it('links each rule to its section of docs/rules.md', () => {
    const table = renderReadmeRuleTable(ALL_RULES);
    const docs = renderRuleDocs(ALL_RULES);
    for (const rule of ALL_RULES) {
      const link = new RegExp(
        `\\| \\[${rule.meta.shortId}\\]\\(docs/rules\\.md#([^)]+)\\) \\| ${rule.meta.id} \\|`,
      );
      const anchor = link.exec(table)?.[1];
      expect(anchor).toBeDefined();
      // GitHub's anchor for `## R1 RELIABILITY_UNBOUNDED_GLOBAL`.
      const heading = docs.split('\n').find((l) => l === `## ${rule.meta.shortId} ${rule.meta.id}`)!;
      expect(anchor).toBe(heading.slice(3).toLowerCase().replace(/ /g, '-'));
    }
  });

  it('replaces only what lies between the markers, and refuses a README without them', () => {
    const readme = `intro\n${README_RULES_START}\nold table\n${README_RULES_END}\noutro\n`;
    const updated = withReadmeRuleTable(readme, ALL_RULES);
    expect(updated.startsWith('intro\n')).toBe(true);
    expect(updated.endsWith('\noutro\n')).toBe(true);
    expect(updated).not.toContain('old table');
    expect(() => withReadmeRuleTable('no markers here', ALL_RULES)).toThrow(/rules:start/);
    expect(() => withReadmeRuleTable(`${README_RULES_END}\n${README_RULES_START}`, ALL_RULES)).toThrow();
  });
});
