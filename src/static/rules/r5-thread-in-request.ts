/**
 * R5 thread-in-request: a thread created inside a function (threading.Thread/Timer, _thread, or a Thread
 * subclass of the module), with the confidence lowered for functions that run once or join their threads.
 */
import type { ImportTable } from '../imports.js';
import {
  descendants,
  enclosingDef,
  field,
  keywordArgument,
  namedChildren,
  positionalArguments,
  qualifiedName,
  walkOwnScope,
  type Node,
  nearestFunction,
} from '../pyast.js';
import type { Confidence } from '../../model/static.js';
import type { Rule, RuleContext, RuleMeta, ScanFacts } from '../rule.js';
import { isMemoized, methodClass } from '../semantics/definitions.js';
import { importAliases } from '../semantics/import-aliases.js';
import { isStartupHook, lexicalUsage, ONCE_NAMES } from '../semantics/run-once.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'RELIABILITY_THREAD_IN_REQUEST',
  shortId: 'R5',
  name: 'thread-in-request',
  severity: 'HIGH',
  confidence: 'high',
  summary: 'A thread is created inside a function, so every call starts another OS thread.',
  fix: 'Submit the work to a bounded pool created once (ThreadPoolExecutor(max_workers=N)) or a task queue.',
  docs: {
    what:
      '`threading.Thread(...)`, `threading.Timer(...)`, `_thread.start_new_thread(...)` (any import ' +
      "alias) and instances of this module's own Thread subclasses, created inside a function, method " +
      'or lambda. Not flagged: module-level code and class bodies, pools (`ThreadPoolExecutor`, ' +
      '`executor.submit`, `loop.run_in_executor`). Confidence is lowered when the thread is joined ' +
      'before the function returns (low), when the function only runs at import or start-up (low), and ' +
      'for `main`, `__init__`, `start`/`run`/`serve`, `setup`/`init`/`configure` (medium), which ' +
      'usually run once per process or per long-lived object. Threads bounded by design are low ' +
      'confidence too: a run-once guard returns (or raises) first while one is alive (`if self._thread and ' +
      'self._thread.is_alive(): return`), an in-flight flag is raised before it starts (a scheduler ' +
      'that marks a job running, as sopel does, and skips running jobs), the previous one is cancelled ' +
      'first (a debounce), a timer reschedules itself from its own target (a poller), or the thread is ' +
      'returned to the caller, who owns it.',
    why:
      'Each thread is an OS thread with its own stack (8 MB reserved, tens of KB resident) and its own ' +
      'references to everything its target uses. Started per request with no bound, a burst of traffic ' +
      'or a slow dependency piles threads up until the process hits its memory limit or ' +
      '"can\'t start new thread"; threads that never finish (polling loops, blocked sockets) leak ' +
      'outright. Non-daemon threads also keep the process from shutting down.',
    example: [
      'import threading',
      '',
      '@app.post("/upload")',
      'def upload():',
      '    t = threading.Thread(target=process, args=(request.files["f"].read(),))',
      '    t.start()',
      '    return "accepted", 202',
    ].join('\n'),
    knownProblems:
      'Threads bounded by other means (a semaphore around the start, a check of ' +
      '`threading.active_count()`, a function another module only calls at start-up) are reported. ' +
      'Processes (`multiprocessing.Process`), asyncio tasks and threads started by libraries are not ' +
      'looked at.',
    fixedExample: [
      'from concurrent.futures import ThreadPoolExecutor',
      '',
      'executor = ThreadPoolExecutor(max_workers=8)',
      '',
      '@app.post("/upload")',
      'def upload():',
      '    executor.submit(process, request.files["f"].read())',
      '    return "accepted", 202',
    ].join('\n'),
    fix:
      'Create one bounded pool at start-up and submit work to it (`ThreadPoolExecutor(max_workers=N)`); ' +
      'for work that must survive the process, use a task queue (Celery, RQ, arq).',
    references: [
      {
        title: 'Python docs: concurrent.futures.ThreadPoolExecutor',
        url: 'https://docs.python.org/library/concurrent.futures.html',
      },
      {
        title: "onnx-web #170: can't start new thread after running for a while",
        url: 'https://github.com/ssube/onnx-web/issues/170',
      },
      {
        title: "flask #2882: RuntimeError: can't start new thread",
        url: 'https://github.com/pallets/flask/issues/2882',
      },
    ],
  },
  dynamic: { metrics: ['threads'], reproduce: 'repeated-calls' },
};

/** Callables that start one new OS thread per call. */
const THREAD_FACTORIES = new Set([
  'threading.Thread',
  'threading.Timer',
  '_thread.start_new_thread',
  '_thread.start_new',
]);
const TRIGGER_WORDS = ['Thread', 'Timer', 'start_new_thread', 'start_new'];

/** Names of a long-lived object's start-up methods: they usually run once per object. */
const START_NAMES = /^(?:_?start(?:_\w+)?|_?run|_?serve(?:_\w+)?|__enter__|__aenter__|on_startup|startup)$/;

/** Classes of this module that derive (directly or through each other) from threading.Thread/Timer. */
function threadSubclasses(root: Node, imports: ImportTable): Map<string, string> {
  const classes = descendants(root, 'class_definition');
  const found = new Map<string, string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const cls of classes) {
      const name = field(cls, 'name')?.text;
      if (!name || found.has(name)) continue;
      const bases = namedChildren(field(cls, 'superclasses') ?? cls).filter(
        (b) => b.type === 'identifier' || b.type === 'attribute',
      );
      const base = bases
        .map((b) => imports.resolve(b))
        .find((b) => b !== null && (THREAD_FACTORIES.has(b) || found.has(b)));
      if (base) {
        found.set(name, THREAD_FACTORIES.has(base) ? base : found.get(base)!);
        changed = true;
      }
    }
  }
  return found;
}

/** Names of classes whose bases mention a thread class (read from the text, transitively). */
function subclassCandidates(facts: ScanFacts): string[] {
  const { source } = facts;
  const aliases = importAliases(facts, TRIGGER_WORDS);
  const bases = new Set([...TRIGGER_WORDS, ...aliases]);
  const classes: { name: string; bases: string }[] = [];
  const header = /\bclass\s+(\w+)\s*\(([^)]*)\)/g;
  let match: RegExpExecArray | null;
  while ((match = header.exec(source))) classes.push({ name: match[1], bases: match[2] });
  const names = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const cls of classes) {
      if (names.has(cls.name)) continue;
      const words = cls.bases.match(/\w+/g) ?? [];
      if (words.some((w) => bases.has(w) || names.has(w))) {
        names.add(cls.name);
        changed = true;
      }
    }
  }
  return [...aliases, ...names];
}

/**
 * The function waits for threads before returning (`t.join()`, or joining the threads it collected,
 * after the creation): the thread never outlives the call, so threads cannot pile up across calls.
 */
function joinedInScope(scope: Node, call: Node, lastJoins: Map<number, number>): boolean {
  let last = lastJoins.get(scope.id);
  if (last === undefined) lastJoins.set(scope.id, (last = lastJoin(scope)));
  return last >= call.endIndex;
}

/** Where the function's last thread-like `.join(…)` call starts (-1: none), found in one walk. */
function lastJoin(scope: Node): number {
  let last = -1;
  walkOwnScope(scope, (node) => {
    if (node.type !== 'call' || node.startIndex <= last) return;
    const fn = field(node, 'function');
    if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'join') return;
    const receiver = field(fn, 'object');
    if (receiver?.type !== 'identifier' && receiver?.type !== 'attribute') return;
    // str.join takes one iterable; Thread.join takes nothing or a timeout.
    const args = positionalArguments(node);
    const joined =
      args.length === 0 ||
      /(?:thread|worker)s?$|^(?:t|th)\d*$/i.test(receiver.text) ||
      (args.length === 1 && (args[0].type === 'integer' || args[0].type === 'float')) ||
      keywordArgument(node, 'timeout') !== null;
    if (joined) last = node.startIndex;
  });
  return last;
}

/**
 * `if self._thread and self._thread.is_alive(): return`, `if self.running: return` before the thread,
 * or `raise` instead of `return` (errbot's webserver refuses to start a second server thread).
 */
const RUN_ONCE_GUARD =
  /\bif\s+(?:not\s+)?[^\n:]*\b\w*(?:running|started|is_alive\(\)|_thread|alive|in_flight|busy)\w*\b[^\n:]*:\s*(?:#[^\n]*)?\n?\s*(?:return|raise)\b/;
/** An in-flight flag raised just before the thread: the scheduler will not start the job again meanwhile. */
const IN_FLIGHT_FLAG = /\b\w*(?:running|busy|in_progress|in_flight)\w*\s*(?:\.set\(\s*\)|=\s*True\b)/;
/** The previous timer or thread cancelled before the next one starts (a debounce). */
const CANCELLED_FIRST = /\.cancel\(\s*\)/;

/**
 * Why the threads this def starts cannot pile up, read from its own text up to the thread (and the
 * statement after it for a returned thread), or null: a run-once guard, an in-flight flag, the previous
 * one cancelled first, or the thread handed back to the caller, who owns it.
 */
/**
 * A timer whose target is a method of the same class that calls this one again (`Timer(interval,
 * self.poller)` where `poller()` ends with `self.program_next_poll()`): a chain, one link alive at a
 * time (errbot's plugin poller).
 */
function reschedules(def: Node, call: Node): boolean {
  const cls = methodClass(def);
  const name = field(def, 'name')?.text;
  const target =
    keywordArgument(call, 'function') ?? keywordArgument(call, 'target') ?? positionalArguments(call)[1];
  const method =
    target?.type === 'attribute' && field(target, 'object')?.text === 'self'
      ? field(target, 'attribute')?.text
      : null;
  if (!cls || !name || !method) return false;
  const body = field(cls, 'body');
  for (const member of body ? namedChildren(body) : []) {
    const fn = member.type === 'decorated_definition' ? field(member, 'definition') : member;
    if (fn?.type !== 'function_definition' || field(fn, 'name')?.text !== method) continue;
    return new RegExp(`\\bself\\s*\\.\\s*${name}\\s*\\(`).test(fn.text);
  }
  return false;
}

function boundedByDesign(def: Node, call: Node): string | null {
  const text = def.text;
  const before = text.slice(0, call.startIndex - def.startIndex);
  if (RUN_ONCE_GUARD.test(before)) return 'a guard returns early while one is already running';
  if (IN_FLIGHT_FLAG.test(before)) return 'an in-flight flag is raised before it starts';
  if (CANCELLED_FIRST.test(before)) return 'the previous one is cancelled first';
  if (reschedules(def, call)) return 'it reschedules itself from its own target: one is alive at a time';
  let statement: Node | null = call;
  while (statement && statement.parent && statement.parent.type !== 'block') statement = statement.parent;
  if (statement?.type === 'return_statement') return 'the thread is returned to the caller, who owns it';
  const bound = statement ? /^(\w+)\s*=(?!=)/.exec(statement.text)?.[1] : undefined;
  if (
    bound &&
    new RegExp(`\\breturn\\s+${bound}\\s*(?:$|\\n)`, 'm').test(text.slice(call.endIndex - def.startIndex))
  ) {
    return 'the thread is returned to the caller, who owns it';
  }
  return null;
}

function check(context: RuleContext): void {
  const { root, imports, source } = context;
  const subclasses = threadSubclasses(root, imports);
  const lastJoins = new Map<number, number>();
  for (const call of descendants(root, 'call')) {
    const callee = field(call, 'function');
    const resolved = imports.resolve(callee);
    if (!resolved) continue;
    let what: string;
    if (THREAD_FACTORIES.has(resolved)) {
      what = `${callee!.text}(...)`;
    } else if (
      callee?.type === 'identifier' &&
      subclasses.has(callee.text) &&
      !imports.isImported(callee.text)
    ) {
      what = `${callee.text}(...) (a ${subclasses.get(callee.text)} subclass)`;
    } else {
      continue;
    }
    const scope = nearestFunction(call);
    // Module-level code and class bodies run once, at import time.
    if (!scope) continue;

    const def = scope.type === 'function_definition' ? scope : null;
    let confidence: Confidence | undefined;
    let note = 'one new OS thread per call, with nothing bounding how many run at once';
    const bounded = def ? boundedByDesign(def, call) : null;
    if (joinedInScope(scope, call, lastJoins)) {
      confidence = 'low';
      note = 'one new OS thread per call (joined before the function returns, so they do not pile up)';
    } else if (bounded) {
      confidence = 'low';
      note = `a new OS thread per call, but bounded by design: ${bounded}`;
    } else if (def) {
      const name = field(def, 'name')?.text ?? '';
      const usage = methodClass(def) ? 'none' : lexicalUsage(source, def);
      if (
        usage === 'import-time' ||
        isStartupHook(def) ||
        (isMemoized(def, imports) && !field(def, 'parameters')?.namedChildCount)
      ) {
        confidence = 'low';
        note =
          'the function looks like it runs once (at import or start-up), but every call starts another thread';
      } else if (ONCE_NAMES.test(name) || START_NAMES.test(name)) {
        confidence = 'medium';
        note = `every call of ${name}() starts another thread; fine if it runs once per process, a leak if it runs per request or per object`;
      }
    }
    const outer = def ? null : enclosingDef(scope);
    const where = def
      ? `${qualifiedName(def)}()`
      : outer
        ? `a lambda in ${qualifiedName(outer)}()`
        : 'a lambda';
    context.report(call, {
      message: `${what} created in ${where}: ${note}.`,
      confidence,
    });
  }
}

export const threadInRequest: Rule = {
  meta,
  trigger: { words: TRIGGER_WORDS, fileWords: subclassCandidates },
  check,
};
