/**
 * One file's source → its findings, routes and problems. Pure apart from the parser it is handed:
 * the worker threads, the cache and the tests all call this same function.
 */
import type { Parser } from 'web-tree-sitter';
import { ImportTable } from './imports.js';
import type { FileResult, Finding, Problem } from '../model/static.js';
import { scanSource, toRanges, type SourceBlock } from './prescan.js';
import { parsePython } from './parse.js';
import { functionNameAt, withRootScope, type Node, type ScopeRange } from './pyast.js';
import type { ReportOptions, Rule, RuleContext, ScanFacts } from './rule.js';
import { extractRouting, lexicalRouting, ROUTE_TRIGGER } from './routes/index.js';
import { wordFinder } from './semantics/source-index.js';
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

export function analyzeSource(parser: Parser, source: string, options: AnalyzeSourceOptions): FileResult {
  const { file, rules } = options;
  const wantRoutes = options.routes ?? true;
  const problems: Problem[] = [];
  const { blocks, quietRuns } = scanSource(source);
  const choice = options.fullParse ? null : chooseBlocks({ source, blocks }, rules, wantRoutes);
  const chosen = choice ? choice.chosen : blocks;
  const result: FileResult = { file, findings: [], suppressed: 0, routes: [], problems };
  // Read lexically, so files that need no parse (a package's `__init__.py`, a module of models) have them.
  if (wantRoutes) Object.assign(result, lexicalRouting(file, source, blocks));
  // Imports alone can produce no finding and no route.
  if (choice ? !choice.needed : blocks.length === 0) return result;

  const whole = chosen.length === blocks.length && !quietRuns.length;
  const tree = parsePython(parser, source, whole ? undefined : toRanges(chosen, quietRuns));
  try {
    const root = tree.rootNode;
    if (root.hasError) problems.push(syntaxProblem(file, root));
    // Module-level imports only (top-level import statements and try/if blocks holding them), so an
    // alias resolves the same whichever statements the triggers had parsed.
    const imports = withRootScope(choice ? scopeOf(blocks, choice.imports) : null, () =>
      ImportTable.fromTree(root),
    );
    const suppressions = findSuppressions(source);
    const seen = new Set<string>();

    for (const rule of rules) {
      const scope = choice ? scopeOf(blocks, choice.byRule.get(rule)) : null;
      if (scope && !scope.length) continue; // nothing this rule looks for is in the file
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
        // A rule sees (through `descendants` of the root) only the statements its own trigger chose.
        withRootScope(scope, () => rule.check(context));
      } catch (error) {
        problems.push({
          kind: 'internal-error',
          file,
          message: `rule ${rule.meta.shortId} failed: ${(error as Error).message}`,
        });
      }
    }
    const routeScope = choice ? scopeOf(blocks, choice.routes) : null;
    if (wantRoutes && (!routeScope || routeScope.length)) {
      try {
        const routing = withRootScope(routeScope, () =>
          extractRouting({ file, source, root, imports, parser }),
        );
        result.routes.push(...routing.routes);
        if (routing.mounts.length) result.mounts = routing.mounts;
        if (routing.holders.length) result.holders = routing.holders;
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

/** The blocks marked in `marks` as line ranges, merged where adjacent. */
function scopeOf(blocks: readonly SourceBlock[], marks: Uint8Array | undefined): ScopeRange[] {
  const ranges: ScopeRange[] = [];
  if (!marks) return ranges;
  for (let i = 0; i < blocks.length; i++) {
    if (!marks[i]) continue;
    const last = ranges[ranges.length - 1];
    if (last && last.end === blocks[i].start) {
      last.end = blocks[i].end;
      last.endRow = blocks[i].endRow;
    } else {
      ranges.push({
        start: blocks[i].start,
        end: blocks[i].end,
        startRow: blocks[i].startRow,
        endRow: blocks[i].endRow,
      });
    }
  }
  return ranges;
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
export interface BlockChoice {
  chosen: SourceBlock[];
  /** False when only imports were chosen: then nothing needs parsing at all. */
  needed: boolean;
  /** Per rule, the blocks its own trigger chose (1 = chosen). */
  byRule: Map<Rule, Uint8Array>;
  /** The blocks the route extractors' trigger chose. */
  routes: Uint8Array;
  /** Import statements and module-level compound statements holding imports. */
  imports: Uint8Array;
}

/**
 * The top-level statements worth parsing: imports (always: they resolve aliases) and every statement
 * whose text satisfies some rule's trigger or the route extractors' trigger — and, per rule, which.
 */
export function chooseBlocks(facts: ScanFacts, rules: readonly Rule[], wantRoutes: boolean): BlockChoice {
  const { source, blocks } = facts;
  const n = blocks.length;
  const ROUTES = rules.length; // the route extractors take the slot after the rules
  const marks = Array.from({ length: rules.length + 1 }, () => new Uint8Array(n));
  // word → indexes of the rules (and routes) it triggers
  const owners = new Map<string, number[]>();
  const own = (word: string, owner: number) => {
    const list = owners.get(word);
    if (!list) owners.set(word, [owner]);
    else if (!list.includes(owner)) list.push(owner);
  };
  rules.forEach((rule, r) => {
    for (const w of rule.trigger.words ?? []) own(w, r);
    if (rule.trigger.fileWords) for (const w of rule.trigger.fileWords(facts)) own(w, r);
  });
  if (wantRoutes) for (const w of ROUTE_TRIGGER.words) own(w, ROUTES);

  const imports = new Uint8Array(n);
  const texts: (string | undefined)[] = new Array(n);
  const textOf = (i: number) => (texts[i] ??= source.slice(blocks[i].start, blocks[i].end));
  // Aliases of trigger words (`from threading import Thread as Worker`) are trigger words too.
  for (let i = 0; i < n; i++) {
    if (!holdsImports(blocks[i], textOf(i))) continue;
    // Imports resolve aliases; an import inside `try:`/`if:` must resolve as in a full parse.
    imports[i] = 1;
    if (!textOf(i).includes('as')) continue; // most imports alias nothing: skip the expression
    ALIAS.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = ALIAS.exec(textOf(i)))) {
      for (const owner of owners.get(match[1]) ?? []) own(match[2], owner);
    }
  }

  let blockIndex = 0;
  // Linear in the file whatever the number of trigger words (a file can have thousands of containers).
  wordFinder(new Set(owners.keys()))(source, (word, at) => {
    while (blockIndex < n && blocks[blockIndex].end <= at) blockIndex++;
    if (blockIndex >= n) return true;
    const block = blocks[blockIndex];
    if (block.start > at) return; // text before the first statement
    // `from functools import lru_cache` alone gives nothing to report.
    if (block.head === 'import' || block.head === 'from') return;
    for (const owner of owners.get(word)!) marks[owner][blockIndex] = 1;
  });
  const tests: [number, (text: string) => boolean][] = [];
  rules.forEach((rule, r) => rule.trigger.test && tests.push([r, rule.trigger.test]));
  if (wantRoutes) tests.push([ROUTES, ROUTE_TRIGGER.test]);
  for (let i = 0; i < n; i++) {
    for (const [owner, test] of tests) if (!marks[owner][i] && test(textOf(i))) marks[owner][i] = 1;
  }
  const needed = new Uint8Array(n);
  for (const m of marks) for (let i = 0; i < n; i++) needed[i] |= m[i];
  // An unterminated statement is a syntax error worth reporting.
  for (let i = 0; i < n; i++) if (blocks[i].unterminated) needed[i] = 1;
  return {
    chosen: blocks.filter((_, i) => needed[i] || imports[i]),
    needed: needed.includes(1),
    byRule: new Map(rules.map((rule, r) => [rule, marks[r]])),
    routes: marks[ROUTES],
    imports,
  };
}

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
