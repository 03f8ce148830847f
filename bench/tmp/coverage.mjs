import { readFileSync } from 'node:fs';
import { discoverPythonFiles } from '../../dist/static/discover.js';
import { scanSource } from '../../dist/static/prescan.js';
import { chooseBlocks } from '../../dist/static/analyze-source.js';
import { ALL_RULES } from '../../dist/static/rules/index.js';
const { files } = discoverPythonFiles(process.argv[2]);
const per = new Map(); let total = 0, chosen = 0; const t0 = performance.now();
for (const f of files) {
  let src; try { src = readFileSync(f.abs, 'utf8'); } catch { continue; }
  total += src.length;
  const { blocks } = scanSource(src);
  const c = chooseBlocks({ source: src, blocks }, ALL_RULES, true);
  if (c.needed) for (const b of c.chosen) chosen += b.end - b.start;
  for (const [rule, marks] of [...c.byRule.entries(), [{ meta: { shortId: 'routes' } }, c.routes]]) {
    let n = 0; marks.forEach((m, i) => { if (m) n += blocks[i].end - blocks[i].start; });
    per.set(rule.meta.shortId, (per.get(rule.meta.shortId) ?? 0) + n);
  }
}
console.log('total MB', (total / 1e6).toFixed(1), 'parsed %', (100 * chosen / total).toFixed(1), 'ms', (performance.now() - t0).toFixed(0));
for (const [k, v] of [...per.entries()].sort((a, b) => b[1] - a[1])) console.log(k.padEnd(7), (100 * v / total).toFixed(1) + '%');
