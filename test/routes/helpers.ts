/**
 * Runs route extraction through the whole per-file pipeline, with and without the pre-scan, and
 * requires the same routes from both: a trigger gap fails every table that hits it.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/static/analyze-source.js';
import type { FieldShape, RequestShape, Route, ValueShape } from '../../src/model/static.js';
import { pythonParser } from '../../src/static/parse.js';
import type { Rule } from '../../src/static/rule.js';
import { dedent } from '../rules/rule-table.js';

export { dedent };

/**
 * A rule that finds nothing but makes the pre-scan parse some statements the route trigger does not
 * ask for (those of odd length), the way other rules' triggers do: routes must not depend on them.
 */
function noiseRule(parity: number): Rule {
  return {
    meta: {
      id: 'TEST_NOISE',
      shortId: 'T0',
      name: 'noise',
      severity: 'LOW',
      confidence: 'low',
      summary: 'parses extra statements',
      fix: 'none',
      docs: { what: '', why: '', knownProblems: '', example: '', fixedExample: '', fix: '', references: [] },
      dynamic: { metrics: [], reproduce: 'repeated-calls' },
    },
    trigger: { test: (text) => text.length % 2 === parity },
    check: () => undefined,
  };
}

export async function routesFor(code: string, file = 'app.py'): Promise<Route[]> {
  const parser = await pythonParser();
  const source = dedent(code);
  const full = analyzeSource(parser, source, { file, rules: [], fullParse: true });
  const scoped = analyzeSource(parser, source, { file, rules: [] });
  expect(full.problems).toEqual([]);
  // The pre-scan may only ever skip work, never routes.
  expect(scoped.routes).toEqual(full.routes);
  // Nor may statements parsed for other rules change them.
  for (const parity of [0, 1]) {
    const noisy = analyzeSource(parser, source, { file, rules: [noiseRule(parity)] });
    expect(noisy.routes).toEqual(full.routes);
  }
  return scoped.routes;
}

/**
 * One line per route: `framework METHOD path -> handler:line @line`, the handler's file shown only when
 * it is not the route's own.
 */
export function brief(routes: Route[]): string[] {
  return routes.map((r) => {
    const where = r.handler.file === r.file ? '' : `${r.handler.file}:`;
    return `${r.framework} ${r.method} ${r.path} -> ${where}${r.handler.function}:${r.handler.line} @${r.line}`;
  });
}

export async function briefFor(code: string, file = 'app.py'): Promise<string[]> {
  return brief(await routesFor(code, file));
}

export interface RouteCase {
  name: string;
  code: string;
  /** Path of the file, relative to the analysed root (default `app.py`). */
  file?: string;
  /** `brief()` lines, in the extractor's order. */
  routes: string[];
}

/** A table of snippets and the exact routes each declares (an empty list for negative cases). */
export function routeTable(title: string, cases: RouteCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, async () => {
        expect(await briefFor(c.code, c.file)).toEqual(c.routes);
      });
    }
  });
}

function valueText(value: ValueShape): string {
  switch (value.kind) {
    case 'object':
      return `{${value.fields.map(fieldText).join(', ')}}`;
    case 'literal':
      return JSON.stringify(value.value);
    case 'model':
      return `<${value.module}:${value.name}>`;
    default:
      return value.kind;
  }
}

/** `name: type`, `name?: type` when it is optional. */
function fieldText(field: FieldShape): string {
  return `${field.name}${field.required ? '' : '?'}: ${valueText(field.value)}`;
}

/**
 * A route's request shape in one line: `json {name: str, count?: int} | query q: str`, `?` marking what
 * is optional, `<module:Name>` a class of another module; `-` when nothing is known.
 */
export function shapeText(shape: RequestShape | undefined): string {
  if (!shape) return '-';
  const parts: string[] = [];
  if (shape.body) parts.push(`${shape.body.encoding} ${valueText(shape.body.value)}`);
  if (shape.query.length) parts.push(`query ${shape.query.map(fieldText).join(', ')}`);
  return parts.join(' | ');
}
