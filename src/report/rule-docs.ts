/**
 * docs/rules.md and the rule table of README.md, rendered from the rules' own metadata so that the
 * documentation cannot drift from the code. scripts/docs.mjs writes them (`npm run docs`); a test fails
 * when either committed file differs from what is rendered here.
 */
import { metricInfo, type Metric } from '../model/metrics.js';
import type { ReproduceTemplate, Rule } from '../static/rule.js';

/** The README's rule table sits between these two lines. */
export const README_RULES_START = '<!-- rules:start -->';
export const README_RULES_END = '<!-- rules:end -->';

const TEMPLATE_DESCRIPTIONS: Record<ReproduceTemplate, string> = {
  'unique-keys': 'new keys every iteration, for growth per distinct input',
  'repeated-calls': 'the same call over and over, for a leak per call',
};

export function renderRuleDocs(rules: readonly Rule[]): string {
  const out: string[] = [
    '# heapgate rules',
    '',
    '<!-- Generated from src/static/rules/*.ts by `npm run docs`; edit the rules, not this file. -->',
    '',
    'Suppress a finding with `# heapgate: ignore[ID]` on its line; select or leave out rules with',
    '`--select` / `--ignore` (short or long ids).',
    '',
    '| short | id | severity | summary | confirmed by |',
    '|---|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| [${r.meta.shortId}](#${anchor(r)}) | ${r.meta.id} | ${r.meta.severity} | ${cell(r.meta.summary)} | ${metricNames(r.meta.dynamic.metrics)} |`,
    ),
    '',
  ];
  for (const rule of rules) out.push(...ruleSection(rule));
  return out.join('\n');
}

function ruleSection(rule: Rule): string[] {
  const { meta } = rule;
  const { docs, dynamic } = meta;
  const file = `${meta.shortId.toLowerCase()}-${meta.name}.ts`;
  return [
    `## ${meta.shortId} ${meta.id}`,
    '',
    `\`${meta.name}\` · severity ${meta.severity} · confidence ${meta.confidence} · ` +
      `[source](../src/static/rules/${file})`,
    '',
    '### What it finds',
    '',
    docs.what,
    '',
    '### Why it hurts a long-running service',
    '',
    docs.why,
    '',
    '### Example',
    '',
    '```python',
    docs.example,
    '```',
    '',
    '### Fixed',
    '',
    '```python',
    docs.fixedExample,
    '```',
    '',
    docs.fix,
    '',
    '### Known problems',
    '',
    docs.knownProblems,
    '',
    '### What confirms it when the service runs',
    '',
    `${sentenceList(dynamic.metrics.map(describeMetric))} growing past its budget in a scenario that ` +
      `covers the finding, or a heap leak site inside the flagged function (or code it calls). A route ` +
      `no scenario covers gets a generated \`${dynamic.reproduce}\` scenario ` +
      `(${TEMPLATE_DESCRIPTIONS[dynamic.reproduce]}).`,
    '',
    '### References',
    '',
    ...docs.references.map((r) => `- [${r.title}](${r.url})`),
    '',
  ];
}

/**
 * The README's rule table, between its start and end markers: the short facts and a link to each
 * rule's section of docs/rules.md.
 */
export function renderReadmeRuleTable(rules: readonly Rule[]): string {
  return [
    README_RULES_START,
    '<!-- Generated from src/static/rules/*.ts by `npm run docs`; edit the rules, not this table. -->',
    '',
    '| short | id | severity | finds | confirmed by |',
    '|---|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| [${r.meta.shortId}](docs/rules.md#${anchor(r)}) | ${r.meta.id} | ${r.meta.severity} | ${cell(r.meta.summary)} | ${metricNames(r.meta.dynamic.metrics)} |`,
    ),
    '',
    README_RULES_END,
  ].join('\n');
}

/** The README with its rule table replaced; an error when the markers are missing or out of order. */
export function withReadmeRuleTable(readme: string, rules: readonly Rule[]): string {
  const start = readme.indexOf(README_RULES_START);
  const end = readme.indexOf(README_RULES_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(
      `README.md must hold the rule table between ${README_RULES_START} and ${README_RULES_END}`,
    );
  }
  return readme.slice(0, start) + renderReadmeRuleTable(rules) + readme.slice(end + README_RULES_END.length);
}

function describeMetric(metric: Metric): string {
  return `${metricInfo(metric).label} (\`${metric}\`)`;
}

function metricNames(metrics: readonly Metric[]): string {
  return metrics.map((m) => `\`${m}\``).join(', ');
}

function sentenceList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function anchor(rule: Rule): string {
  return `${rule.meta.shortId}-${rule.meta.id}`.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}
