import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyzeSource } from '../../src/static/analyze-source.js';
import { pythonParser } from '../../src/static/parse.js';
import * as r3 from '../../src/static/rules/r3-session-lifecycle.js';
import type { Rule } from '../../src/static/rule.js';
const mods: Record<string, Record<string, unknown>> = { r3 };
async function load(name: string): Promise<Rule> {
  const m = mods[name] ?? (await import(/* @vite-ignore */ `/work/main/src/static/rules/${name}.ts`));
  return Object.values(m).find((v) => typeof v === 'object' && v && 'meta' in v) as Rule;
}
it('try', async () => {
  const p = await pythonParser();
  const rule = await load(process.env.RULE ?? 'r3');
  const src = readFileSync('/tmp/lc-try.py', 'utf8');
  const chunks = src.split(/^# ---.*$/m);
  let out = '';
  for (const c of chunks) {
    if (!c.trim()) continue;
    const r = analyzeSource(p, c, { file: 'x.py', rules: [rule], routes: false, fullParse: true });
    const s = analyzeSource(p, c, { file: 'x.py', rules: [rule], routes: false });
    const head = c.trim().split('\n').find((l) => l.startsWith('#')) ?? c.trim().split('\n')[0];
    out += `${head}\n   -> ${r.findings.map((f) => `${f.line}: ${f.message} [${f.confidence}]`).join(' | ') || 'none'}${JSON.stringify(r.findings) === JSON.stringify(s.findings) ? '' : '  !!PRESCAN MISMATCH'}${r.problems.length ? ' PROBLEMS ' + JSON.stringify(r.problems) : ''}\n`;
  }
  console.log(out);
});
