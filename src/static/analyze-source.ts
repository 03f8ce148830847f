/**
 * One file's source → its findings, routes and problems. Pure apart from the parser it is handed:
 * the worker threads, the cache and the tests all call this same function.
 */
import type { Parser } from 'web-tree-sitter';
import { ImportTable } from './imports.js';
import type { FileResult, Finding, Problem, Route } from './model.js';
import { scanSource, toRanges, type SourceBlock } from './prescan.js';
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
  const { blocks, quietRuns } = scanSource(source);
  const { chosen, needed } = options.fullParse
    ? { chosen: blocks, needed: blocks.length > 0 }
    : chooseBlocks({ source, blocks }, rules, wantRoutes);
  const result: FileResult = { file, findings: [], suppressed: 0, routes: [], problems };
  // Imports alone can produce no finding and no route.
  if (!needed) return result;

  const whole = chosen.length === blocks.length && !quietRuns.length;
  const tree = parsePython(parser, source, whole ? undefined : toRanges(chosen, quietRuns));
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
      try {
        const routes: Route[] = extractRoutes({ file, source, root, imports });
        result.routes.push(...routes);
      } catch (error) {
        problems.push({
          kind: 'internal-error',
          file,
          message: `route extraction failed: ${(error as Error).message}`,
        });
      }
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
    for (const child of node.children) if (child) stack.push(child);
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

export interface BlockChoice {
  chosen: SourceBlock[];
  /** False when only imports were chosen: then nothing needs parsing at all. */
  needed: boolean;
}

/**
 * The top-level statements worth parsing: imports (always: they resolve aliases) and every statement
 * whose text satisfies some rule's trigger or the route extractors' trigger.
 */
export function chooseBlocks(facts: ScanFacts, rules: readonly Rule[], wantRoutes: boolean): BlockChoice {
  const { source, blocks } = facts;
  const words = new Set(staticWords(rules));
  for (const rule of rules) {
    if (rule.trigger.fileWords) for (const w of rule.trigger.fileWords(facts)) words.add(w);
  }
  if (wantRoutes) for (const w of ROUTE_TRIGGER.words) words.add(w);
  const selected = new Uint8Array(blocks.length);
  // Aliases of trigger words (`from threading import Thread as Worker`) are trigger words too.
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const text = source.slice(block.start, block.end);
    if (!holdsImports(block, text)) continue;
    // Imports resolve aliases; an import inside `try:`/`if:` must resolve as in a full parse.
    selected[i] = IMPORTS_ONLY;
    ALIAS.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = ALIAS.exec(text))) if (words.has(match[1])) words.add(match[2]);
  }

  for (let i = 0; i < blocks.length; i++) {
    // An unterminated statement is a syntax error worth reporting.
    if (blocks[i].unterminated) selected[i] = NEEDED;
  }
  if (words.size) {
    const pattern = new RegExp(`\\b(?:${[...words].map(escapeRegExp).join('|')})\\b`, 'g');
    let blockIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(source))) {
      const at = match.index;
      while (blockIndex < blocks.length && blocks[blockIndex].end <= at) blockIndex++;
      if (blockIndex >= blocks.length) break;
      const block = blocks[blockIndex];
      if (block.start > at) continue; // text before the first statement
      // `from functools import lru_cache` alone gives nothing to report.
      if (block.head !== 'import' && block.head !== 'from') selected[blockIndex] = NEEDED;
      // Nothing more to learn from this block: continue the search after it.
      pattern.lastIndex = blocks[blockIndex].end;
    }
  }
  const tests = rules.map((r) => r.trigger.test).filter((t): t is (s: string) => boolean => !!t);
  if (wantRoutes) tests.push(ROUTE_TRIGGER.test);
  for (let i = 0; i < blocks.length; i++) {
    if (selected[i] === NEEDED) continue;
    const text = source.slice(blocks[i].start, blocks[i].end);
    if (tests.some((test) => test(text))) selected[i] = NEEDED;
  }
  return {
    chosen: blocks.filter((_, i) => selected[i] !== 0),
    needed: selected.includes(NEEDED),
  };
}

const IMPORTS_ONLY = 1;
const NEEDED = 2;

const NESTED_IMPORT = /^[ \t]+(?:import|from)[ \t]/m;

/**
 * Import statements, and module-level compound statements holding imports (`try: import ujson as json
 * / except ImportError: …`). Defs and classes are left out: their local imports do not bind module names.
 */
function holdsImports(block: SourceBlock, text: string): boolean {
  if (block.head === 'import' || block.head === 'from') return true;
  if (block.head !== 'if' && block.head !== 'try' && block.head !== 'with') return false;
  return NESTED_IMPORT.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
