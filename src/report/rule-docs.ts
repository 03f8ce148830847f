/** docs/rules.md, rendered from the rules' own metadata so the documentation cannot drift from the code. */
import type { Rule } from '../static/rule.js';

export function renderRuleDocs(rules: readonly Rule[]): string {
  const out: string[] = [
    '# heapgate rules',
    '',
    '<!-- Generated from src/static/rules/*.ts by `npm run docs`; edit the rules, not this file. -->',
    '',
    'Suppress a finding with `# heapgate: ignore[ID]` on its line; select or leave out rules with',
    '`--select` / `--ignore` (short or long ids).',
    '',
    '| short | id | severity | summary |',
    '|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| [${r.meta.shortId}](#${anchor(r)}) | ${r.meta.id} | ${r.meta.severity} | ${r.meta.summary.replace(/\|/g, '\\|')} |`,
    ),
    '',
  ];
  for (const rule of rules) {
    const { meta } = rule;
    out.push(
      `## ${meta.shortId} ${meta.id}`,
      '',
      `\`${meta.name}\` · severity ${meta.severity} · confidence ${meta.confidence}`,
      '',
      '### What it finds',
      '',
      meta.docs.what,
      '',
      '### Why it hurts a long-running service',
      '',
      meta.docs.why,
      '',
      '### Example',
      '',
      '```python',
      meta.docs.example,
      '```',
      '',
      '### Fix',
      '',
      meta.docs.fix,
      '',
    );
  }
  return out.join('\n');
}

function anchor(rule: Rule): string {
  return `${rule.meta.shortId}-${rule.meta.id}`.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}
