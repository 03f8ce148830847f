/**
 * The shape every static rule has, in the manner of ESLint and ruff: metadata, documentation, the text
 * that must be present for the rule to have anything to say, and a pure check over the syntax tree.
 */
import type { ImportTable } from './imports.js';
import type { Confidence, Severity } from '../model/static.js';
import type { SourceBlock } from './prescan.js';
import type { Node } from './pyast.js';

export interface RuleDocs {
  /** What the rule finds. */
  what: string;
  /** Why it hurts a long-running service. */
  why: string;
  /** A flagged example (Python source). */
  example: string;
  /** How to fix it, with the fixed example where it helps. */
  fix: string;
}

export interface RuleMeta {
  id: string;
  shortId: string;
  /** kebab-case, for people: `unbounded-global`. */
  name: string;
  severity: Severity;
  confidence: Confidence;
  /** One line: what is wrong. */
  summary: string;
  /** One line: the short suggestion each finding carries. */
  fix: string;
  docs: RuleDocs;
}

/** What the lexical pre-pass knows about a file before anything is parsed. */
export interface ScanFacts {
  source: string;
  blocks: readonly SourceBlock[];
}

/**
 * Text that must appear in a top-level statement for the rule to find anything in it: identifiers
 * (matched as whole words, import aliases of them included automatically) and/or a predicate over
 * the statement's text. A statement matching no rule is never parsed, so a trigger must be a
 * necessary condition, never a guess.
 */
export interface RuleTrigger {
  words?: readonly string[];
  /** Identifiers computed from the whole file (e.g. the names of module-level containers). */
  fileWords?: (facts: ScanFacts) => readonly string[];
  test?: (blockText: string) => boolean;
}

export interface ReportOptions {
  message: string;
  confidence?: Confidence;
  /** Overrides the function name derived from the node's position. */
  function?: string | null;
}

export interface RuleContext {
  readonly file: string;
  readonly source: string;
  readonly root: Node;
  readonly imports: ImportTable;
  report(node: Node, options: ReportOptions): void;
}

export interface Rule {
  meta: RuleMeta;
  trigger: RuleTrigger;
  check(context: RuleContext): void;
}
