/**
 * How often a function runs, read from how the module uses it: start-up hooks frameworks call once,
 * registering decorators that run at import time, functions the module only calls from module-level
 * statements, and the names people give run-once functions. Rules lower their confidence (or stay
 * silent) for growth and resources that happen once per process rather than once per request.
 */
import type { ImportTable } from '../imports.js';
import type { SourceBlock } from '../prescan.js';
import { field, parameterNames, unparenthesize, walkOwnScope, type Node } from '../pyast.js';
import { decoratorsOf, isMemoized, methodClass } from './definitions.js';
import { usedAsDecorator, usedInDecorator } from './lexical-defs.js';
import { blockIndexAt, blocksOf, lineStartAt, perSource, rowAt, wordOccurrences } from './source-index.js';

/** Names of functions that run once per process (or per object) by convention. */
export const ONCE_NAMES =
  /^(?:main|_?setup(?:_\w+)?|_?init(?:_\w+)?|_?initiali[sz]e(?:_\w+)?|_?configure(?:_\w+)?|create_app|make_app|build_app|__init__|lifespan|ready)$/;

/** Decorators (read up to their arguments) that register a start-up or shutdown hook. */
const STARTUP_DECORATOR =
  /^@\s*(?:[\w.]+\.)?(?:on_event|before_first_request|before_serving|after_serving|listener|on_startup|on_shutdown|startup|shutdown)\s*(?:\(|$)/;

const STARTUP_NAMES =
  /^(?:__init_subclass__|__set_name__|lifespan|_?on_startup|_?on_shutdown|_?startup|_?shutdown|init_app)$/;

/** Defs that frameworks run once, at start-up or class-creation time. */
export function isStartupHook(def: Node): boolean {
  const name = field(def, 'name')?.text ?? '';
  if (STARTUP_NAMES.test(name)) return true;
  if (decoratorsOf(def).some((d) => STARTUP_DECORATOR.test(d.text.trim()))) return true;
  const cls = methodClass(def);
  if (!cls) return false;
  const bases = field(cls, 'superclasses')?.text ?? '';
  // Django's AppConfig.ready() and a metaclass's __new__/__init__ run once per app / class.
  if (name === 'ready' && /\bAppConfig\b/.test(bases)) return true;
  return (
    (name === '__new__' || name === '__init__' || name === '__prepare__') &&
    /\b(?:type|ABCMeta|\w*Meta)\b/.test(bases)
  );
}

export type LexicalUsage = 'import-time' | 'runtime' | 'none';

/** Text just before a function's name that hands it to a framework's start-up or shutdown hooks. */
const STARTUP_REGISTRATION =
  /(?:\bon_startup|\bon_shutdown|\bon_cleanup|\bcleanup_ctx)\.append\(\s*$|add_event_handler\(\s*["']\w+["']\s*,\s*$|\bon_(?:startup|shutdown)\s*=\s*\[[^\]]*$|\blifespan\s*=\s*$/;

/**
 * How the module itself uses a module-level function, read from the text (so the answer does not
 * depend on which statements were parsed): `import-time` when every use is a call in a module-level
 * statement (`setup()`, `if __name__ == "__main__": main()`), a decorator line (`@register`) or a
 * start-up registration; `runtime` when some use is inside a def or class or passes the function
 * around as a value; `none` when the module never mentions it (it is called from elsewhere).
 */
export function lexicalUsage(source: string, def: Node): LexicalUsage {
  const name = field(def, 'name')?.text;
  if (!name) return 'none';
  const usages = perSource(source, USAGES, () => new Map<number, LexicalUsage>());
  let usage = usages.get(def.startIndex);
  if (usage === undefined) {
    const first = (def.parent?.type === 'decorated_definition' ? def.parent : def).startPosition.row;
    const last = def.endPosition.row;
    const isOwn = (_: number, row: number) => row >= first && row <= last;
    usage = usageOf(source, blocksOf(source), name, isOwn, new Set([name]));
    usages.set(def.startIndex, usage);
  }
  return usage;
}

const USAGES = Symbol('lexical usages');
const TOP_LEVEL_DEF = /^(?:async[ \t]+)?def[ \t]+(\w+)/m;
const BLOCK_FACTS = Symbol('block facts');

interface BlockFacts {
  /** The name of the def a `def`/`@` block defines (undefined: not looked up yet). */
  def?: string | null;
  /** The indentation of a class block's first body statement (undefined: not looked up yet). */
  bodyIndent?: string | null;
}

/** What usageOf asks of a block, worked out once per block. */
function blockFacts(source: string, block: SourceBlock): BlockFacts {
  const all = perSource(source, BLOCK_FACTS, () => new Map<number, BlockFacts>());
  let facts = all.get(block.start);
  if (!facts) all.set(block.start, (facts = {}));
  return facts;
}

function usageOf(
  source: string,
  blocks: readonly SourceBlock[],
  name: string,
  isOwn: (at: number, row: number) => boolean,
  visiting: Set<string>,
): LexicalUsage {
  let sawImportTime = false;
  for (const at of wordOccurrences(source, name)) {
    if (source[at - 1] === '.') continue; // an attribute of something else
    if (isOwn(at, rowAt(source, at))) continue;
    const lineStart = lineStartAt(source, at);
    const prefix = source.slice(lineStart, at);
    if (prefix.includes('#') || quoteOpen(prefix)) continue;
    const block = blocks[blockIndexAt(blocks, at)];
    if (!block || block.start > at) continue;
    const head = block.head;
    if (head === 'import' || head === 'from' || /^\s*del\b/.test(prefix)) continue;
    if (/^\s*@\s*$/.test(prefix) && (head === '@' || atClassLevel(source, block, lineStart))) {
      sawImportTime = true;
      continue;
    }
    const called = /^\s*\(/.test(source.slice(at + name.length, at + name.length + 40));
    // `app.on_startup.append(init_db)`, wherever the app is built: the framework calls it once.
    if (STARTUP_REGISTRATION.test(prefix)) {
      sawImportTime = true;
      continue;
    }
    if (head === 'def' || head === 'async def' || head === '@') {
      // Called from another module-level function: import time only when that one is.
      const facts = blockFacts(source, block);
      if (facts.def === undefined) {
        facts.def = TOP_LEVEL_DEF.exec(source.slice(block.start, block.end))?.[1] ?? null;
      }
      const caller = facts.def;
      if (!called || !caller || visiting.has(caller)) return 'runtime';
      visiting.add(caller);
      const callerIsOwn = (a: number) => a >= block.start && a < block.end;
      if (usageOf(source, blocks, caller, callerIsOwn, visiting) !== 'import-time') return 'runtime';
      sawImportTime = true;
      continue;
    }
    // A class body runs once, when the class is created; its methods' bodies do not.
    if (head === 'class' && !atClassLevel(source, block, lineStart)) return 'runtime';
    if (/^\s*(?:async\s+)?def\s+$/.test(prefix)) continue;
    if (called) {
      sawImportTime = true;
      continue;
    }
    return 'runtime';
  }
  return sawImportTime ? 'import-time' : 'none';
}

/**
 * Whether a line of a `class` block is a statement of the class body itself (indented exactly like
 * the body's first statement) rather than part of a method. Only the line's own indentation is read,
 * so a continuation line of a method's statement never looks like class level.
 */
function atClassLevel(source: string, block: SourceBlock, lineStart: number): boolean {
  if (block.head !== 'class') return false;
  const facts = blockFacts(source, block);
  if (facts.bodyIndent === undefined) {
    facts.bodyIndent = /\n([ \t]+)(?![ \t#\r\n])/.exec(source.slice(block.start, block.end))?.[1] ?? null;
  }
  if (facts.bodyIndent === null) return false;
  const indent = /^[ \t]*/.exec(source.slice(lineStart, lineStart + 200))![0];
  if (indent !== facts.bodyIndent) return false;
  return !/^[ \t]*(?:async\s+)?def\b/.test(source.slice(lineStart, lineStart + 200));
}

function quoteOpen(prefix: string): boolean {
  const single = prefix.split("'").length - 1;
  const double = prefix.split('"').length - 1;
  return single % 2 === 1 || double % 2 === 1;
}

const DECORATED_PARAM =
  /^(?:f|fn|func|function|cls|klass|kls|handler|callback|cb|view|view_func|wrapped|method|meth|hook|plugin|command|cmd|task|job|decorated|target|coro|coroutine)$/;

/**
 * A def shaped like a registering decorator: it takes the decorated function or class and returns
 * it (or a wrapper defined inside), so what it stores it stores once, when the module is imported.
 */
function isRegisteringDecorator(def: Node, source: string): boolean {
  const params = parameterNames(def).filter((p) => p !== 'self');
  if (params.length === 0) return false;
  const name = field(def, 'name')?.text ?? '';
  const body = field(def, 'body');
  if (!body) return false;
  const nested = new Set<string>();
  const returned = new Set<string>();
  walkOwnScope(def, (node) => {
    if (node.type === 'function_definition' || node.type === 'class_definition') {
      const n = field(node, 'name')?.text;
      if (n) nested.add(n);
    } else if (node.type === 'return_statement') {
      const value = unparenthesize(node.namedChild(0));
      if (value?.type === 'identifier') returned.add(value.text);
    }
  });
  const decorates = usedInDecorator(source, name);
  return params.some((p) => {
    const looksDecorated =
      decorates ||
      DECORATED_PARAM.test(p) ||
      new RegExp(`\\b${p}\\.__(?:name|qualname)__\\b`).test(body.text);
    return looksDecorated && (returned.has(p) || [...returned].some((r) => nested.has(r)));
  });
}

/** Why the growth in a def only happens at import or start-up time, or null when it can recur. */
export function importTimeReason(def: Node, site: Node, source: string, imports: ImportTable): string | null {
  if (def.type !== 'function_definition') return null;
  const reasons = perSource(source, DEF_REASONS, () => new Map<number, string | null>());
  let reason = reasons.get(def.startIndex);
  if (reason === undefined) reasons.set(def.startIndex, (reason = defReason(def, source, imports)));
  // Import-time callers run it once, unless the growth sits in a loop of its own.
  if (reason === IMPORT_TIME_CALLS) return insideWhile(site, def) ? null : reason;
  return reason;
}

const DEF_REASONS = Symbol('import-time reasons');
const IMPORT_TIME_CALLS = 'only called at import time';

/** importTimeReason's part that depends on the def alone (worked out once per def). */
function defReason(def: Node, source: string, imports: ImportTable): string | null {
  if (isStartupHook(def)) return 'start-up hook';
  if (isMemoized(def, imports) && parameterNames(def).length === 0) return 'runs once';
  if (isRegisteringDecorator(def, source)) return 'registering decorator';
  if (methodClass(def)) return null;
  const name = field(def, 'name')?.text ?? '';
  if (usedAsDecorator(source, name)) return 'used as a decorator';
  return lexicalUsage(source, def) === 'import-time' ? IMPORT_TIME_CALLS : null;
}

function insideWhile(node: Node, stop: Node): boolean {
  for (let p = node.parent; p && p.id !== stop.id; p = p.parent) {
    if (p.type === 'while_statement') return true;
  }
  return false;
}
