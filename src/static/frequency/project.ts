/**
 * The project as the run-frequency pass reads it: each file's kind (test, script, example…), its word
 * filter from the static cache, and — read only when a question needs them — its text, outline and
 * import lines. Every file is read and outlined at most once per run.
 */
import { readFileSync } from 'node:fs';
import { decodePython } from '../decode.js';
import { codeOf, outlineOf, type Outline } from './outline.js';
import { codeKind, type CodeKind } from './paths.js';
import { bitsMayMention, filterBits, probeOf, wordFilter } from './words.js';

export interface ProjectFile {
  /** Path relative to the analysed folder, forward slashes. */
  rel: string;
  /** Absolute path, to read the text when it is not given. */
  abs?: string;
  /** The file's word filter (words.ts); computed from the text when absent. */
  words?: string;
  /** The text, when the caller already has it (tests). */
  text?: string;
}

/** What an import line binds: a local name → the module (dotted, as written, relative ones resolved) and name. */
export interface ImportBinding {
  module: string;
  /** The imported name (`from m import name`), or null for `import m` / `import m as x`. */
  name: string | null;
}

export class ProjectView {
  private readonly files = new Map<string, ProjectFile>();
  private readonly texts = new Map<string, string | null>();
  private readonly outlines = new Map<string, Outline | null>();
  private readonly importTables = new Map<string, Map<string, ImportBinding>>();
  private readonly kinds = new Map<string, CodeKind | null>();
  private readonly roots = new Map<string, Set<string>>();
  /** Service files (not tests, scripts…) with their filters' bits, built on first use. */
  private service: { rel: string; bits: Uint8Array | null }[] | null = null;
  /** Files read from disk so far (for the bench and the tests). */
  reads = 0;
  /** Set when a file was left unread because the budget was spent. */
  budgetHit = false;

  /** `maxReads`: how many files the pass may read from disk (it keeps a large project's pass short). */
  constructor(
    files: readonly ProjectFile[],
    private readonly maxReads = Infinity,
  ) {
    for (const f of files) this.files.set(f.rel, f);
  }

  has(rel: string): boolean {
    return this.files.has(rel);
  }

  kind(rel: string): CodeKind | null {
    let kind = this.kinds.get(rel);
    if (kind === undefined) this.kinds.set(rel, (kind = codeKind(rel)));
    return kind;
  }

  /** Files a service runs (not tests, scripts, examples…) that may mention every one of `words`. */
  mentioning(words: readonly string[]): string[] {
    if (!this.service) {
      this.service = [];
      for (const [rel, file] of this.files) {
        if (this.kind(rel)) continue;
        if (file.words === undefined) {
          const text = this.text(rel);
          file.words = text === null ? '' : wordFilter(text);
        }
        if (file.words === '') continue;
        this.service.push({ rel, bits: filterBits(file.words) });
      }
    }
    const probes = words.map(probeOf);
    const out: string[] = [];
    for (const { rel, bits } of this.service) {
      if (!bits || probes.every((p) => bitsMayMention(bits, p))) out.push(rel);
    }
    return out;
  }

  text(rel: string): string | null {
    if (this.texts.has(rel)) return this.texts.get(rel)!;
    const file = this.files.get(rel);
    let text: string | null = file?.text ?? null;
    if (text === null && file?.abs) {
      try {
        this.reads++;
        const decoded = decodePython(readFileSync(file.abs));
        text = decoded.ok ? decoded.text : null;
      } catch {
        text = null;
      }
    }
    this.texts.set(rel, text);
    return text;
  }

  outline(rel: string): Outline | null {
    if (this.outlines.has(rel)) return this.outlines.get(rel)!;
    // A bounded pass: past the budget, files not read yet are left out (their uses go unseen).
    if (!this.texts.has(rel) && this.files.get(rel)?.text === undefined && this.reads >= this.maxReads) {
      this.budgetHit = true;
      return null;
    }
    const text = this.text(rel);
    const outline = text === null ? null : outlineOf(text);
    this.outlines.set(rel, outline);
    return outline;
  }

  /** Every import line of the file (module level or not): local name → what it binds. */
  imports(rel: string): Map<string, ImportBinding> {
    let table = this.importTables.get(rel);
    if (table) return table;
    table = new Map();
    const outline = this.outline(rel);
    if (outline) {
      outline.lines.forEach((line, i) => {
        if (line.head === 'import') readImport(codeOf(outline, i), packageOf(rel), table!);
      });
    }
    this.importTables.set(rel, table);
    return table;
  }

  /** Root names of the modules the file imports (`click`, `celery`), for telling decorators apart. */
  importedRoots(rel: string): Set<string> {
    let roots = this.roots.get(rel);
    if (roots) return roots;
    roots = new Set<string>();
    for (const binding of this.imports(rel).values()) roots.add(binding.module.split('.')[0]);
    this.roots.set(rel, roots);
    return roots;
  }
}

/** `pkg/sub/mod.py` → `pkg.sub.mod`; `pkg/__init__.py` → `pkg`. */
export function moduleOf(rel: string): string {
  const parts = rel.replace(/\.pyw?$/, '').split('/');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

/** The package a file's relative imports start from. */
function packageOf(rel: string): string[] {
  const parts = rel.split('/');
  parts.pop();
  return parts;
}

function absolute(dots: number, rest: string, pkg: string[]): string {
  if (!dots) return rest;
  const base = pkg.slice(0, Math.max(0, pkg.length - (dots - 1)));
  return [...base, ...(rest ? [rest] : [])].join('.');
}

function readImport(code: string, pkg: string[], table: Map<string, ImportBinding>): void {
  const flat = code
    .replace(/[()\\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const from = /^from (\.*)([\w.]*) import (.*)$/.exec(flat);
  if (from) {
    const module = absolute(from[1].length, from[2], pkg);
    for (const part of from[3].split(',')) {
      const m = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
      if (m) table.set(m[2] ?? m[1], { module, name: m[1] });
    }
    return;
  }
  const plain = /^import (.*)$/.exec(flat);
  if (!plain) return;
  for (const part of plain[1].split(',')) {
    const m = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
    if (!m) continue;
    if (m[2]) table.set(m[2], { module: m[1], name: null });
    else table.set(m[1].split('.')[0], { module: m[1].split('.')[0], name: null });
  }
}

/**
 * Whether `written` (a module as an import spells it, relative ones resolved from the file's folder)
 * can be `module` (the target's dotted path from the analysed folder): equal, or the same trailing
 * segments (`app.api.items` for `backend.app.api.items`, a project imported from a sub-folder).
 */
export function sameModule(written: string, module: string): boolean {
  if (!written) return false;
  return written === module || module.endsWith(`.${written}`) || written.endsWith(`.${module}`);
}

/** Whether `written` is a package holding `module` (`from app.services import collect` re-exported). */
export function packageOfModule(written: string, module: string): boolean {
  if (!written) return false;
  return module.startsWith(`${written}.`) || module.includes(`.${written}.`);
}
