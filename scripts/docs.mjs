// scripts/docs: writes docs/rules.md and the rule table of README.md (between <!-- rules:start --> and
// <!-- rules:end -->) from the rules' metadata, as rendered by src/report/rule-docs.ts. It imports the
// build, so run it through `npm run docs` (which builds first). With --check it writes nothing and exits 1
// when either file is out of date (test/report/rule-docs.test.ts checks the same).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderRuleDocs, withReadmeRuleTable } from '../dist/report/rule-docs.js';
import { ALL_RULES } from '../dist/static/rules/index.js';

const check = process.argv.includes('--check');
const files = [
  { path: 'docs/rules.md', render: () => renderRuleDocs(ALL_RULES) },
  { path: 'README.md', render: (current) => withReadmeRuleTable(current, ALL_RULES) },
];

let stale = 0;
for (const { path, render } of files) {
  const file = fileURLToPath(new URL(`../${path}`, import.meta.url));
  const current = readFileSync(file, 'utf8');
  const wanted = render(current);
  if (current === wanted) continue;
  if (check) {
    console.error(`${path} is out of date: run \`npm run docs\``);
    stale++;
  } else {
    writeFileSync(file, wanted);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale ? 1 : 0;
