/** Plain data shared by the static phase and everything downstream of it. */

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export type DynamicStatus = 'confirmed' | 'not-reproduced' | 'not-exercised';

export interface Finding {
  /** Long rule id, e.g. RELIABILITY_UNBOUNDED_GLOBAL. */
  rule: string;
  /** Short rule id, e.g. R1. */
  shortId: string;
  severity: Severity;
  /** Path relative to the analyzed PATH, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** Enclosing qualified name (`Class.method`, `outer.inner`) or null at module level. */
  function: string | null;
  confidence: Confidence;
  fix: string;
  dynamic?: DynamicStatus;
}

export type ProblemKind =
  | 'syntax-error'
  | 'not-utf8'
  | 'binary'
  | 'too-large'
  | 'unreadable'
  | 'symlink-loop'
  | 'internal-error';

/** Something that kept (part of) a file from being analysed. Never changes the exit code. */
export interface Problem {
  kind: ProblemKind;
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export type Framework = 'flask' | 'fastapi' | 'aiohttp' | 'django' | 'http.server';

export interface Route {
  framework: Framework;
  /** Upper-case HTTP method, or `*` when any method reaches the handler (Django views). */
  method: string;
  /** Path pattern in the framework's own syntax, prefixes applied (`/items/<int:id>`, `/items/{id}`). */
  path: string;
  /** Handler: the function the route runs. */
  handler: { file: string; function: string; line: number };
  /** Where the route is declared. */
  file: string;
  line: number;
}

/** Everything the static phase learns about one file; cached by content hash. */
export interface FileResult {
  file: string;
  findings: Finding[];
  /** Findings silenced by `# heapgate: ignore[…]` comments. */
  suppressed: number;
  routes: Route[];
  problems: Problem[];
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}
