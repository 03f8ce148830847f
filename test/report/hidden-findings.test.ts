/**
 * Findings hidden in tests and scripts are counted in the report and said in every format (issue 12): "0
 * findings" on a project whose only suspicious code is in its tests must not read as "nothing looked
 * suspicious", and the reader learns the flag that shows them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapgate, tempProject } from '../helpers/cli.js';

const RECORD = ['SEEN = {}', '', '', 'def record(key, value):', '    SEEN[key] = value', ''].join('\n');

describe('hidden findings', () => {
  it('are counted in JSON and said in text, Markdown and HTML; --include-tests shows them', async () => {
    const root = tempProject({
      'tests/test_store.py': RECORD,
      'scripts/seed.py': RECORD,
      'app.py': 'x = 1\n',
    });
    const out = path.join(root, 'out');
    const run = await heapgate(['analyze', '.', '--format', 'json,text,markdown,html', '--output-dir', out], {
      cwd: root,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'heapgate.json'), 'utf8'));
    expect(report.findings).toEqual([]);
    expect(report.static.hidden).toBe(2);
    const said = '2 findings in tests or scripts hidden (--include-tests shows them)';
    for (const file of ['heapgate.txt', 'heapgate.md', 'heapgate.html'])
      expect(readFileSync(path.join(out, file), 'utf8'), file).toContain(said);

    const shown = await heapgate(['analyze', '.', '--format', 'json', '--include-tests'], { cwd: root });
    const all = JSON.parse(shown.stdout);
    expect(all.findings).toHaveLength(2);
    expect(all.static.hidden).toBe(0);
    expect(shown.stdout).not.toContain('hidden (--include-tests');
  });
});
