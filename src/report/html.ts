/**
 * The HTML report: one self-contained page (inline CSS and SVG, no scripts, no remote assets) that shows at
 * a glance which scenario leaked, how fast and where. A pure function of the JSON report: the charts draw
 * what the verdict recorded (fitted line, plateau, measured range, projections; docs/verdict.md), so a
 * saved report re-renders identically and the page never disagrees with the verdict.
 *
 * Every string that came from the service or its files (scenario names, messages, code lines, tracebacks,
 * errors, paths) goes through `escapeHtml`; numbers are coerced and checked before they reach an attribute.
 * The parts: html/format.ts (text), html/chart.ts (the SVG), html/figure.ts (a chart's card),
 * html/scenarios.ts and html/findings.ts (the sections), html/styles.ts (the stylesheet).
 */
import type { Report } from '../model/report.js';
import { renderFindings } from './html/findings.js';
import { e } from './html/format.js';
import { orderedScenarios, renderHeader, renderOverview, renderScenario } from './html/scenarios.js';
import { CSS } from './html/styles.js';

export { escapeHtml } from './html/format.js';

/** The whole report as one self-contained HTML page. */
export function renderHtml(report: Report): string {
  const passed = report.gate.passed === true;
  const body: string[] = [renderHeader(report), renderOverview(report)];
  for (const { s, index } of orderedScenarios(report)) body.push(renderScenario(s, index));
  if (report.findings.length || report.static) body.push(renderFindings(report));
  if (!report.scenarios.length && !report.findings.length && !report.static) {
    body.push('<section><p class="muted">The report holds no scenarios and no findings.</p></section>');
  }
  const version = e(report.tool?.version ?? '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>heapgate: ${passed ? 'passed' : 'failed'}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>heapgate ${version} · memory report</h1>`,
    ...body.filter(Boolean),
    `<footer>heapgate ${version} · report schema ${e(report.schemaVersion)}</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
