// npm run demo: heapgate's main job on the bundled example service — static rules, scenarios generated
// for the flagged routes, a real soak of the service under the shim, findings confirmed or cleared —
// then the report in the terminal and as HTML. The example leaks on purpose, so the gate failing (exit 1)
// is the expected outcome and the demo succeeds when it does.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const service = path.join(here, 'leaky-service');
const bin = path.join(here, '..', 'bin', 'heapgate.js');
const out = path.join(service, 'heapgate-report');

const gate = spawnSync(
  'node',
  [bin, 'analyze', '.', '--enable-memory-budget-gate', '--target', 'python3 app.py', '--iterations', '1500',
    '--format', 'json,html,markdown,sarif', '--output-dir', out],
  { cwd: service, stdio: ['ignore', 'inherit', 'inherit'] },
);
spawnSync('node', [bin, 'report', path.join(out, 'heapgate.json'), '--format', 'text'], { stdio: 'inherit' });
console.log(`\nHTML report: ${path.join(out, 'heapgate.html')}`);
if (gate.status === 1) {
  console.log('heapgate: the gate failed, as it should on this leaky example (exit 1 in CI).');
  process.exit(0);
}
console.error(`heapgate: expected the gate to fail (exit 1) on the leaky example, got exit ${gate.status}`);
process.exit(1);
