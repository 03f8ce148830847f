/**
 * JUnit XML for CI test views: a suite per static rule with a failing test case per finding (a passing
 * case when the rule found nothing), and a suite of scenarios with a test case each.
 */
import { ALL_RULES } from '../static/rules/index.js';
import type { Report, ReportFinding } from '../model/report.js';
import { heldByLines } from './held-by.js';
import { xmlEscape as x } from './xml.js';

export function renderJunit(report: Report): string {
  const suites: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  let totalErrors = 0;

  const ruleIds = report.static?.rules ?? [...new Set(report.findings.map((f) => f.rule))];
  for (const id of ruleIds) {
    const meta = ALL_RULES.find((r) => r.meta.id === id)?.meta;
    const findings = report.findings.filter((f) => f.rule === id);
    const name = meta ? `${meta.shortId} ${meta.id}` : id;
    const cases = findings.length
      ? findings.map((f) => findingCase(f))
      : [`    <testcase classname="heapgate.static.${x(id)}" name="${x(name)}: no findings" time="0"/>`];
    totalTests += cases.length;
    totalFailures += findings.length;
    suites.push(
      `  <testsuite name="heapgate static ${x(name)}" tests="${cases.length}" failures="${findings.length}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }

  if (report.scenarios.length) {
    const cases = report.scenarios.map((s) => {
      const head = `    <testcase classname="heapgate.scenarios" name="${x(s.name)}" time="${(s.durationMs / 1000).toFixed(3)}"`;
      if (s.verdict === 'pass') return `${head}/>`;
      const reason = s.error ?? 'memory budget exceeded';
      const tag = s.verdict === 'error' ? 'error' : 'failure';
      const held = heldByLines(s);
      const body = held.length ? `${reason}\n\nHeld by:\n${held.map((l) => `- ${l}`).join('\n')}` : reason;
      return `${head}>\n      <${tag} message="${x(reason.split('\n')[0])}" type="${s.verdict}">${x(body)}</${tag}>\n    </testcase>`;
    });
    const failures = report.scenarios.filter((s) => s.verdict === 'fail').length;
    const errors = report.scenarios.filter((s) => s.verdict === 'error').length;
    const time = report.scenarios.reduce((t, s) => t + s.durationMs, 0) / 1000;
    totalTests += cases.length;
    totalFailures += failures;
    totalErrors += errors;
    suites.push(
      `  <testsuite name="heapgate scenarios" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }

  const coverage = report.gate.coverage;
  if (coverage) {
    // The routes the gate left are skipped test cases: a CI page shows what was not soaked, and why.
    const cases = coverage.left.map(
      (l) =>
        `    <testcase classname="heapgate.routes" name="${x(l.route)}" time="0">\n      <skipped message="${x(l.why)}"/>\n    </testcase>`,
    );
    totalTests += cases.length;
    suites.push(
      `  <testsuite name="heapgate routes left" tests="${cases.length}" failures="0" errors="0" skipped="${cases.length}" time="0">\n` +
        `    <properties>\n      <property name="gate" value="${x(report.gate.summary ?? '')}"/>\n    </properties>` +
        (cases.length ? `\n${cases.join('\n')}` : '') +
        '\n  </testsuite>',
    );
  }

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="heapgate" tests="${totalTests}" failures="${totalFailures}" errors="${totalErrors}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function findingCase(f: ReportFinding): string {
  const where = `${f.file}:${f.line}:${f.column}`;
  const name = `${where}${f.function ? ` ${f.function}` : ''}`;
  const body = [
    `${f.severity} ${f.shortId} ${f.rule} at ${where}`,
    f.message,
    `fix: ${f.fix}`,
    `dynamic: ${f.dynamic}`,
  ].join('\n');
  return [
    `    <testcase classname="heapgate.static.${x(f.rule)}" name="${x(name)}" file="${x(f.file)}" line="${f.line}" time="0">`,
    `      <failure message="${x(f.message)}" type="${f.severity}">${x(body)}</failure>`,
    '    </testcase>',
  ].join('\n');
}
