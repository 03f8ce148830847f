/**
 * The shape every static rule has, in the manner of ESLint and ruff: metadata, documentation, the text
 * that must be present for the rule to have anything to say, and a pure check over the syntax tree.
 */
import type { ImportTable } from './imports.js';
import type { Metric } from '../model/metrics.js';
import type { Confidence, Severity } from '../model/static.js';
import type { SourceBlock } from './prescan.js';
import type { Node } from './pyast.js';

/** A peer rule or a public thread, doc or issue the rule answers. */
export interface RuleReference {
  /** How the docs name it: `ruff B019 cached-instance-method`, `aiohttp #4342: Unclosed client session`. */
  title: string;
  /** An http(s) address. */
  url: string;
}

export interface RuleDocs {
  /** What the rule finds (and what it leaves alone). */
  what: string;
  /** Why it hurts a long-running service. */
  why: string;
  /** Where the rule is wrong: what it reports that is fine, what it misses. */
  knownProblems: string;
  /** A flagged example (Python source): the rule must report it. */
  example: string;
  /** The example fixed (Python source): the rule must not report it. */
  fixedExample: string;
  /** How to fix it, in prose (the code is `fixedExample`). */
  fix: string;
  /** Peer rules (ruff, flake8-bugbear, pylint) and public threads about the problem. */
  references: readonly RuleReference[];
}

/** The built-in scenario templates (scenarios/*.json) that reproduce a finding. */
export type ReproduceTemplate = 'unique-keys' | 'repeated-calls';

/** What confirms a finding when the service runs. */
export interface RuleDynamic {
  /** The metrics that grow when the finding leaks (besides heap leak sites in its function). */
  metrics: readonly Metric[];
  /**
   * How a generated scenario drives the route: `unique-keys` (new keys every iteration, for growth per
   * distinct input) or `repeated-calls` (the same call again, for leaks per call).
   */
  reproduce: ReproduceTemplate;
}

export interface RuleMeta {
  id: string;
  shortId: string;
  /** kebab-case, for people: `unbounded-global`. The rule's file is `<shortId>-<name>.ts`, lower case. */
  name: string;
  severity: Severity;
  confidence: Confidence;
  /** One line: what is wrong. */
  summary: string;
  /** One line: the short suggestion each finding carries. */
  fix: string;
  docs: RuleDocs;
  dynamic: RuleDynamic;
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
