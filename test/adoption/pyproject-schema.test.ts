/**
 * Issue 16, item 5: docs/pyproject.schema.json, the JSON Schema of [tool.heapgate]. The committed file is
 * the one src/config/schema.ts gives; it names exactly the keys the readers accept (both spellings); the
 * tables the project documents or writes (the README's example, what `heapgate init` writes) pass both the
 * schema and the readers; and tables the readers reject (exit 2) the schema rejects too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { resolveDynamicOptions } from '../../src/config/dynamic.js';
import { checkConfigKeys, CONFIG_KEYS, resolveAnalyzeOptions } from '../../src/config/options.js';
import { addHeapgateKeys } from '../../src/config/pyproject-edit.js';
import { pyprojectSchema } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import { tempProject } from '../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCHEMA_FILE = path.join(ROOT, 'docs/pyproject.schema.json');

function compile(schema: object): ValidateFunction {
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
}
const schemaAccepts = compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

/** What heapgate's readers say of a table: null when they accept it, else the exit-2 message. */
function readersSay(table: Record<string, unknown>): string | null {
  const dir = tempProject({ 'heapgate/s.json': '{}', 'reports/.keep': '' });
  const config = { file: path.join(dir, 'pyproject.toml'), table };
  try {
    checkConfigKeys(config);
    resolveDynamicOptions({}, config, dir);
    return null;
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
}

function heapgateTable(toml: string): Record<string, unknown> {
  return ((parse(toml) as { tool?: { heapgate?: Record<string, unknown> } }).tool?.heapgate ?? {}) as Record<
    string,
    unknown
  >;
}

describe('the committed schema', () => {
  it('is the one src/config/schema.ts gives (npm run docs writes it)', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(pyprojectSchema());
  });

  it('names every key the readers accept, in both spellings, and no other', () => {
    const names = Object.keys(pyprojectSchema().properties as object).sort();
    const expected = [...new Set(CONFIG_KEYS.flatMap((k) => [k, k.replace(/-/g, '_')]))].sort();
    expect(names).toEqual(expected);
  });
});

describe('tables the project documents or writes pass both', () => {
  it("the README's example", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks.filter((b) => b.includes('[tool.heapgate]'))) {
      const table = heapgateTable(block);
      expect(schemaAccepts(table), JSON.stringify(schemaAccepts.errors)).toBe(true);
      expect(() => checkConfigKeys({ file: 'README.md', table })).not.toThrow();
    }
  });

  it('what heapgate init writes', () => {
    const text = addHeapgateKeys(null, [
      ['target', 'python3 -m flask --app app:app run --host 127.0.0.1 --port {port}'],
      ['scenarios', ['heapgate']],
    ]).text;
    const table = heapgateTable(text);
    expect(schemaAccepts(table), JSON.stringify(schemaAccepts.errors)).toBe(true);
    expect(readersSay(table)).toBeNull();
  });

  it('every key with a good value, in either spelling', () => {
    const table = {
      'fail-on': 'high',
      select: ['R1', 'R2'],
      ignore: 'M4',
      exclude: ['tests'],
      format: 'text, json',
      output_dir: 'reports',
      cache: false,
      'cache-dir': '.heapgate_cache',
      'max-file-size': '10MB',
      file_timeout: '60s',
      target: 'python app.py',
      python: 'python3',
      scenarios: 'heapgate',
      iterations: 500,
      budget: { growth: '64B', 'rss-growth': 512, threads: 0 },
      'ready-path': '/health',
      'ready-timeout': '1m30s',
      port: 8080,
      'allow-remote': false,
      'trace-depth': '8',
      'heap-counter': 'tracemalloc',
      grace: '5s',
      'gate-time': '5m',
      'fail-on-unreached': true,
    };
    expect(schemaAccepts(table), JSON.stringify(schemaAccepts.errors)).toBe(true);
    expect(readersSay(table)).toBeNull();
    const dir = tempProject({
      'pyproject.toml': `[tool.heapgate]\nfail-on = "high"\nformat = "text, json"\noutput-dir = "reports"\nmax-file-size = "10MB"\ncache = false\n`,
      'reports/.keep': '',
    });
    expect(() => resolveAnalyzeOptions(dir, {})).not.toThrow();
  });
});

describe('what the readers reject, the schema rejects', () => {
  const BAD: [string, Record<string, unknown>][] = [
    ['an unknown key', { 'fial-on': 'HIGH' }],
    ['port out of range', { port: 70000 }],
    ['port not a number', { port: 'http' }],
    ['ready-path without /', { 'ready-path': 'health' }],
    ['an unknown heap counter', { 'heap-counter': 'bytes' }],
    ['an unknown budget', { budget: { speed: '1B' } }],
    ['no iterations', { iterations: 0 }],
    ['trace-depth too deep', { 'trace-depth': 101 }],
    ['an empty target', { target: '' }],
    ['grace in words', { grace: 'soon' }],
    ['gate-time in words', { 'gate-time': '5 minutes' }],
    ['allow-remote as a string', { 'allow-remote': 'true' }],
    ['scenarios as a number', { scenarios: 5 }],
  ];
  it.each(BAD)('%s', (_name, table) => {
    expect(readersSay(table)).not.toBeNull();
    expect(schemaAccepts(table)).toBe(false);
  });

  const STATIC_BAD: [string, string][] = [
    ['a format that is none', 'format = "pdf"'],
    ['a severity that is none', 'fail-on = "SEVERE"'],
    ['cache as a string', 'cache = "yes"'],
    ['select as a number', 'select = 5'],
    ['a size in words', 'max-file-size = "big"'],
  ];
  it.each(STATIC_BAD)('%s', (_name, line) => {
    const dir = tempProject({ 'pyproject.toml': `[tool.heapgate]\n${line}\n` });
    expect(() => resolveAnalyzeOptions(dir, {})).toThrow(UsageError);
    expect(schemaAccepts(heapgateTable(`[tool.heapgate]\n${line}\n`))).toBe(false);
  });
});
