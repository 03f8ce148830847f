import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { pythonParser, parsePython } from '../../src/static/parse.js';
it('dump', async () => {
  const p = await pythonParser();
  const src = readFileSync('/tmp/lc-dump.py', 'utf8');
  const t = parsePython(p, src);
  console.log(t.rootNode.toString());
});
