#!/usr/bin/env node
// Writes docs/pyproject.schema.json, the JSON Schema of [tool.heapgate], from src/config/schema.ts (built
// to dist/ first: `npm run docs`). With --check, writes nothing and exits 1 when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const root = new URL('..', import.meta.url);
const { pyprojectSchema } = await import(new URL('dist/config/schema.js', root).href);
const file = fileURLToPath(new URL('docs/pyproject.schema.json', root));
const options = (await prettier.resolveConfig(file)) ?? {};
const text = await prettier.format(JSON.stringify(pyprojectSchema()), { ...options, filepath: file });
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    process.stderr.write(`${file} is stale: run npm run docs\n`);
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
