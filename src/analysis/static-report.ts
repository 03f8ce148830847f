/** StaticResult (+ options) → the JSON report every format renders. */
import { staticGateReasons } from './gate.js';
import type { StaticResult } from '../static/engine.js';
import type { Severity } from '../model/static.js';
import { VERSION } from '../version.js';
import { SCHEMA_VERSION, type Report } from '../model/report.js';

export interface StaticReportOptions {
  failOn: Severity | null;
  rules: string[];
  durationMs: number;
}

export function buildStaticReport(result: StaticResult, options: StaticReportOptions): Report {
  const reasons = staticGateReasons(result.findings, options.failOn);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'heapgate', version: VERSION },
    findings: result.findings.map((f) => ({ ...f, dynamic: 'not-exercised' as const })),
    scenarios: [],
    gate: { passed: reasons.length === 0, reasons },
    static: {
      root: result.root,
      filesAnalyzed: result.filesAnalyzed,
      bytes: result.bytes,
      durationMs: Math.round(options.durationMs),
      suppressed: result.suppressed,
      hidden: result.hiddenFindings,
      cache: result.cache,
      rules: options.rules,
      failOn: options.failOn,
    },
    routes: result.routes,
    problems: result.problems,
  };
}
