/**
 * `# heapgate: ignore` and `# heapgate: ignore[R1, M2]` (short or long ids) on a finding's line.
 */

export type LineSuppressions = Map<number, Set<string> | 'all'>;

const DIRECTIVE = /#\s*heapgate:\s*ignore(?:\[([^\]]*)\])?/g;

/** 1-based line → the rule ids (upper-cased) silenced there, or 'all'. */
export function findSuppressions(source: string): LineSuppressions {
  const result: LineSuppressions = new Map();
  if (!source.includes('heapgate:')) return result;
  DIRECTIVE.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = DIRECTIVE.exec(source))) {
    const line = lineOfOffset(source, match.index);
    const existing = result.get(line);
    if (match[1] === undefined || existing === 'all') {
      result.set(line, 'all');
      continue;
    }
    const ids = existing ?? new Set<string>();
    for (const id of match[1].split(',')) {
      const trimmed = id.trim().toUpperCase();
      if (trimmed) ids.add(trimmed);
    }
    result.set(line, ids);
  }
  return result;
}

export function isSuppressed(
  suppressions: LineSuppressions,
  line: number,
  ruleId: string,
  shortId: string,
): boolean {
  const entry = suppressions.get(line);
  if (!entry) return false;
  return entry === 'all' || entry.has(ruleId) || entry.has(shortId);
}

function lineOfOffset(source: string, offset: number): number {
  let line = 1;
  let at = source.indexOf('\n');
  while (at !== -1 && at < offset) {
    line++;
    at = source.indexOf('\n', at + 1);
  }
  return line;
}
