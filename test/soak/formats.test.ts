/** Every format rendered from a real soak, and each parsed back with a real parser. */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { XMLParser } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { heapgate } from '../helpers/cli.js';
import { scenario, SERVICES } from '../helpers/soak.js';
import { tempDir } from '../helpers/temp.js';

const require = createRequire(import.meta.url);
type Validator = ((data: unknown) => boolean) & { errors?: unknown[] | null };
const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: object): Validator };

it('renders json, html, sarif, junit, markdown and text from one real soak', async () => {
  const out = tempDir('heapgate-formats-');
  const result = await heapgate(
    [
      'soak',
      '--target',
      'env LEAK=heap python3 stdlib_service.py',
      '--scenarios',
      scenario('unique-paths.json'),
      '--iterations',
      '1500',
      '--format',
      'json,html,sarif,junit,markdown,text',
      '--output-dir',
      out,
    ],
    { cwd: SERVICES },
  );
  expect(result.exitCode).toBe(1);
  expect(readdirSync(out).sort()).toEqual([
    'heapgate.html',
    'heapgate.json',
    'heapgate.junit.xml',
    'heapgate.md',
    'heapgate.sarif',
    'heapgate.txt',
  ]);
  const report = JSON.parse(readFileSync(path.join(out, 'heapgate.json'), 'utf8')) as Report;
  expect(report.scenarios[0].verdict).toBe('fail');

  const sarif = JSON.parse(readFileSync(path.join(out, 'heapgate.sarif'), 'utf8'));
  const validate = new Ajv({
    strict: false,
    unicodeRegExp: false,
    validateFormats: false,
    allErrors: true,
  }).compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
  expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  const leak = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'HEAPGATE_LEAK_SITE');
  expect(leak.locations[0].physicalLocation.artifactLocation.uri).toBe('stdlib_service.py');
  expect(sarif.runs[0].tool.driver.rules[leak.ruleIndex].id).toBe('HEAPGATE_LEAK_SITE');

  const junit = new XMLParser({ ignoreAttributes: false }).parse(
    readFileSync(path.join(out, 'heapgate.junit.xml'), 'utf8'),
  );
  const suite = [junit.testsuites.testsuite]
    .flat()
    .find((s: { '@_name': string }) => s['@_name'] === 'heapgate scenarios');
  expect(suite['@_failures']).toBe('1');
  expect(suite.testcase['@_name']).toBe('unique-paths');

  const html = readFileSync(path.join(out, 'heapgate.html'), 'utf8');
  expect(html).toMatch(/<svg[^>]*>[\s\S]*<polyline/);
  expect(html).toContain('stdlib_service.py');
  expect(readFileSync(path.join(out, 'heapgate.md'), 'utf8')).toMatch(
    // A fast machine may stop the leak early; the verdict cell says so either way.
    /\| unique-paths \| ❌ fail( \(stopped early at iteration \d+\))? \|/,
  );
  expect(readFileSync(path.join(out, 'heapgate.txt'), 'utf8')).toContain('Scenarios');
});
