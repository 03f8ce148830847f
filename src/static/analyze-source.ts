/**
 * One file's source → its findings, routes and problems. Pure apart from the parser it is handed:
 * the worker threads, the cache and the tests all call this same function.
 */
import type { Parser } from 'web-tree-sitter';
import { ImportTable } from './imports.js';
import type { FileResult, Finding, Problem, Route } from './model.js';
import { splitTopLevel, toRanges, type SourceBlock } from './prescan.js';
import { parsePython } from './parse.js';
import { functionNameAt, type Node } from './pyast.js';
import type { ReportOptions, Rule, RuleContext, ScanFacts } from './rule.js';
import { extractRoutes, ROUTE_TRIGGER } from './routes/index.js';
import { findSuppressions, isSuppressed } from './suppress.js';

export interface AnalyzeSourceOptions {
  /** Path relative to the analyzed root, forward slashes. */
  file: string;
  rules: readonly Rule[];
  /** Extract routes too (default true). */
  routes?: boolean;
  /** Parse every statement instead of only those a rule or route extractor could use. */
  fullParse?: boolean;
}

export function analyzeSource(
  parser: Parser,
  source: string,
  options: AnalyzeSourceOptions,
): FileResult {
  const { file, rules } = options;
  const wantRoutes = options.routes ?? true;
  const problems: Problem[] = [];
  const blocks = splitTopLevel(source);
  const chosen = options.fullParse
    ? blocks
    : chooseBlocks({ source, blocks }, rules, wantRoutes);
  const result: FileResult = { file, findings: [], suppressed: 0, routes: [], problems };
  if (!chosen.some((b) => b.head !== 'import' && b.head !== 'from')) return result;

  const tree = parsePython(parser, source, chosen.length === blocks.length ? undefined : toRanges(chosen));
  try {
    const root = tree.rootNode;
    if (root.hasError) problems.push(syntaxProblem(file, root));
    const imports = ImportTable.fromTree(root);
    const suppressions = findSuppressions(source);
    const seen = new Set<string>();

    for (const rule of rules) {
      const context: RuleContext = {
        file,
        source,
        root,
        imports,
        report(node: Node, report: ReportOptions) {
          const line = node.startPosition.row + 1;
          const column = node.startPosition.column + 1;
          const key = `${rule.meta.id}:${line}:${column}`;
          if (seen.has(key)) return;
          seen.add(key);
          if (isSuppressed(suppressions, line, rule.meta.id, rule.meta.shortId)) {
            result.suppressed++;
            return;
          }
          const finding: Finding = {
            rule: rule.meta.id,
            shortId: rule.meta.shortId,
            severity: rule.meta.severity,
            file,
            line,
            column,
            endLine: node.endPosition.row + 1,
            endColumn: node.endPosition.column + 1,
            message: report.message,
            function: report.function !== undefined ? report.function : functionNameAt(node),
            confidence: report.confidence ?? rule.meta.confidence,
            fix: rule.meta.fix,
          };
          result.findings.push(finding);
        },
      };
      try {
        rule.check(context);
      } catch (error) {
        problems.push({
          kind: 'internal-error',
          file,
          message: `rule ${rule.meta.shortId} failed: ${(error as Error).message}`,
        });
      }
    }
    if (wantRoutes) {
      const routes: Route[] = extractRoutes({ file, source, root, imports });
      result.routes.push(...routes);
    }
  } finally {
    tree.delete();
  }
  return result;
}

function syntaxProblem(file: string, root: Node): Problem {
  let count = 0;
  let first: Node | null = null;
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.isError || node.isMissing) {
      count++;
      if (!first || node.startIndex < first.startIndex) first = node;
      continue;
    }
    if (!node.hasError) continue;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
  const line = first ? first.startPosition.row + 1 : 1;
  const column = first ? first.startPosition.column + 1 : 1;
  const what = first?.isMissing ? `missing ${first.type}` : 'invalid syntax';
  return {
    kind: 'syntax-error',
    file,
    line,
    column,
    message:
      `${what} at line ${line}` +
      (count > 1 ? ` (${count} places in all)` : '') +
      '; the rest of the file was still analysed',
  };
}

// --- choosing what to parse -------------------------------------------------------------------

const ALIAS = /\b([A-Za-z_][\w]*)\s+as\s+([A-Za-z_]\w*)/g;
const wordCache = new WeakMap<readonly Rule[], Set<string>>();

function staticWords(rules: readonly Rule[]): Set<string> {
  let words = wordCache.get(rules);
  if (!words) {
    words = new Set<string>();
    for (const rule of rules) for (const w of rule.trigger.words ?? []) words.add(w);
    wordCache.set(rules, words);
  }
  return words;
}

/**
 * The top-level statements worth parsing: imports (always: they resolve aliases) and every statement
 * whose text satisfies some rule's trigger or the route extractors' trigger.
 */
export function chooseBlocks(
  facts: ScanFacts,
  rules: readonly Rule[],
  wantRoutes: boolean,
): SourceBlock[] {
  const { source, blocks } = facts;
  const words = new Set(staticWords(rules));
  for (const rule of rules) {
    if (rule.trigger.fileWords) for (const w of rule.trigger.fileWords(facts)) words.add(w);
  }
  if (wantRoutes) for (const w of ROUTE_TRIGGER.words) words.add(w);
  // Aliases of trigger words (`from threading import Thread as Worker`) are trigger words too.
  for (const block of blocks) {
    if (block.head !== 'import' && block.head !== 'from') continue;
    const text = source.slice(block.start, block.end);
    ALIAS.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = ALIAS.exec(text))) if (words.has(match[1])) words.add(match[2]);
  }

  const selected = new Uint8Array(blocks.length);
  for (let i = 0; i < blocks.length; i++) {
    const head = blocks[i].head;
    if (head === 'import' || head === 'from') selected[i] = 1;
  }
  if (words.size) {
    const pattern = new RegExp(`\\b(?:${[...words].map(escapeRegExp).join('|')})\\b`, 'g');
    let blockIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(source))) {
      const at = match.index;
      while (blockIndex < blocks.length && blocks[blockIndex].end <= at) blockIndex++;
      if (blockIndex >= blocks.length) break;
      if (blocks[blockIndex].start > at) continue; // text before the first statement
      selected[blockIndex] = 1;
      // Nothing more to learn from this block: continue the search after it.
      pattern.lastIndex = blocks[blockIndex].end;
    }
  }
  const tests = rules.map((r) => r.trigger.test).filter((t): t is (s: string) => boolean => !!t);
  if (wantRoutes) tests.push(ROUTE_TRIGGER.test);
  for (let i = 0; i < blocks.length; i++) {
    if (selected[i]) continue;
    const text = source.slice(blocks[i].start, blocks[i].end);
    if (tests.some((test) => test(text))) selected[i] = 1;
  }
  return blocks.filter((_, i) => selected[i] === 1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
