import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { renderRuleDocs } from '../../src/report/rule-docs.js';
import { ALL_RULES } from '../../src/static/rules/index.js';
import { REPO } from '../helpers/cli.js';

it('docs/rules.md is up to date with the rules (run `npm run docs`)', () => {
  const committed = readFileSync(path.join(REPO, 'docs/rules.md'), 'utf8');
  expect(committed).toBe(renderRuleDocs(ALL_RULES));
  for (const rule of ALL_RULES) expect(committed).toContain(`## ${rule.meta.shortId} ${rule.meta.id}`);
});
