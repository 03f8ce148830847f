/** The design's boundaries, checked on every run (docs/architecture.md). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findCycles,
  flowViolations,
  layerOf,
  readImportGraph,
  ruleToRuleImports,
  type ImportGraph,
} from './import-graph.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const graph = readImportGraph(SRC);

describe('the import graph of src/', () => {
  it('reads every file and its imports', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('pipeline/gate.ts')).toContain('pipeline/run-scenario.ts');
    // Dynamic import() counts too: the CLI loads each command on demand.
    expect(graph.get('cli/main.ts')).toContain('cli/analyze.ts');
  });

  it('has no import cycle', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('imports only along the flow table', () => {
    expect(flowViolations(graph)).toEqual([]);
  });

  it('has no rule importing another rule', () => {
    expect(ruleToRuleImports(graph)).toEqual([]);
  });
});

describe('the checks themselves fail on a broken graph', () => {
  const broken: ImportGraph = new Map([
    ['report/html.ts', ['model/report.ts', 'cli/io.ts']],
    ['model/report.ts', ['analysis/confirm.ts']],
    ['analysis/confirm.ts', ['model/report.ts']],
    ['cli/io.ts', []],
    ['static/rules/r2-unbounded-cache.ts', ['static/rules/r1-unbounded-global.ts']],
    ['static/rules/r1-unbounded-global.ts', []],
    ['static/semantics/lifecycle.ts', []],
  ]);

  it('finds the cycle', () => {
    expect(findCycles(broken)).toEqual([['analysis/confirm.ts', 'model/report.ts']]);
  });

  it('finds the back-arrows', () => {
    expect(flowViolations(broken)).toEqual([
      'model/report.ts → analysis/confirm.ts (kernel may not import analysis)',
      'report/html.ts → cli/io.ts (report may not import cli)',
    ]);
  });

  it('finds a rule importing a rule', () => {
    expect(ruleToRuleImports(broken)).toEqual([
      'static/rules/r2-unbounded-cache.ts → static/rules/r1-unbounded-global.ts',
    ]);
  });

  it('puts the kernel files in the kernel', () => {
    expect(['errors.ts', 'units.ts', 'model/metrics.ts', 'version.ts'].map(layerOf)).toEqual([
      'kernel',
      'kernel',
      'kernel',
      'kernel',
    ]);
    expect(layerOf('static/rules/r1-unbounded-global.ts')).toBe('static');
  });
});
