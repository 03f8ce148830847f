#!/usr/bin/env node
// Writes docs/scenario.schema.json and the field reference in docs/scenarios.md from the scenario field
// declarations (src/scenarios/fields.ts, built to dist/ first: `npm run schema`). With --check, writes
// nothing and exits 1 when either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const root = new URL('..', import.meta.url);
const dist = (file) => import(new URL(`dist/scenarios/${file}`, root).href);
const { scenarioFileSchema } = await dist('schema.js');
const { GENERATED_BEGIN, GENERATED_END, renderFieldReference } = await dist('field-reference.js');

const schemaFile = fileURLToPath(new URL('docs/scenario.schema.json', root));
const docsFile = fileURLToPath(new URL('docs/scenarios.md', root));

const options = (await prettier.resolveConfig(schemaFile)) ?? {};
const schemaText = await prettier.format(JSON.stringify(scenarioFileSchema()), {
  ...options,
  filepath: schemaFile,
});

const docs = readFileSync(docsFile, 'utf8');
const begin = docs.indexOf(GENERATED_BEGIN);
const end = docs.indexOf(GENERATED_END);
if (begin < 0 || end < begin) {
  process.stderr.write(`${docsFile}: the GENERATED markers are missing\n`);
  process.exit(2);
}
const docsText = `${docs.slice(0, begin + GENERATED_BEGIN.length)}\n\n${renderFieldReference()}\n\n${docs.slice(end)}`;

const read = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const outputs = [
  [schemaFile, schemaText],
  [docsFile, docsText],
];
if (process.argv.includes('--check')) {
  const stale = outputs.filter(([file, text]) => read(file) !== text).map(([file]) => file);
  if (stale.length) {
    process.stderr.write(`stale (run \`npm run schema\`): ${stale.join(', ')}\n`);
    process.exit(1);
  }
} else {
  for (const [file, text] of outputs) writeFileSync(file, text);
  process.stdout.write(`wrote ${outputs.map(([file]) => file).join(', ')}\n`);
}
