#!/usr/bin/env node
// Thin entry: the CLI lives in dist/ (built from src/ by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('heapgate: not built yet: run `npm run build` in the heapgate checkout\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
