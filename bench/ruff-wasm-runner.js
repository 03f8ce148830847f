// Lints a list of files with ruff's wasm build (the rules closest to heapgate's), one process per run,
// so its timing includes start-up exactly as heapgate's does. Usage: node ruff-wasm-runner.js LIST.json
import { readFileSync } from 'node:fs';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const started = performance.now();
const files = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const workspace = new Workspace(
  { lint: { select: ['B006', 'B019', 'SIM115', 'PLW0603'] } },
  PositionEncoding.Utf16,
);
let diagnostics = 0;
let failed = 0;
for (const file of files) {
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    failed++;
    continue;
  }
  try {
    diagnostics += workspace.check(source).length;
  } catch {
    failed++;
  }
}
process.stdout.write(JSON.stringify({ diagnostics, failed, seconds: (performance.now() - started) / 1000 }));
