/**
 * R4 logging-handler-dup: `addHandler` inside a function that can run more than once, unless a guard
 * (an inspection of the handlers, a run-once flag) or the way the function runs makes it once.
 */
import {
  descendants,
  enclosingDef,
  field,
  namedChildren,
  qualifiedName,
  unparenthesize,
  walkOwnScope,
  type Node,
  nearestFunction,
} from '../pyast.js';
import type { Confidence } from '../../model/static.js';
import type { Rule, RuleContext, RuleMeta } from '../rule.js';
import { isMemoized, methodClass } from '../semantics/definitions.js';
import { isStartupHook, lexicalUsage, ONCE_NAMES } from '../semantics/run-once.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'RELIABILITY_LOGGING_HANDLER_DUP',
  shortId: 'R4',
  name: 'logging-handler-dup',
  severity: 'HIGH',
  confidence: 'high',
  summary: 'A logging handler is added inside a function, so every call adds one more.',
  fix: 'Configure handlers once (at module level or in startup code), or guard with `if not logger.handlers:`.',
  docs: {
    what:
      '`.addHandler(...)` called inside a function, method or lambda. Not flagged: module-level calls; ' +
      "calls after the function looked at the logger's handlers (`if not logger.handlers:`, " +
      '`if logger.hasHandlers(): return`, `if handler not in logger.handlers`, `len(logger.handlers) == 0`, ' +
      'clearing or removing handlers first); run-once guards on something the function records ' +
      '(`global _configured`, `self._configured = True`, a registry of configured names); functions that ' +
      'can only run once (`@functools.cache`/`@lru_cache`, start-up hooks); brand-new `logging.Logger(...)` ' +
      'objects; Logger subclasses setting themselves up; the root logger after ' +
      '`logging.config.dictConfig()`/`fileConfig()` earlier in the function, which removes its handlers ' +
      'first (a named logger after one is low confidence: only the loggers the config names are reset). Functions the module only calls from ' +
      'module-level code (`setup_logging()` at import, `main()` under `if __name__ == "__main__"`) are ' +
      'reported with low confidence, `main`/`setup*`/`configure*`/`create_app`/`__init__` with medium.',
    why:
      'Loggers are process-wide singletons: `logging.getLogger(name)` returns the same object every ' +
      'time. A handler added per request (or per job, per object) stays attached forever, so after N ' +
      'calls every record is written N times, each handler holds its stream or file open, and the ' +
      'time spent logging grows with uptime. Services notice it as log volume and latency that rise ' +
      'until the process is restarted.',
    example: [
      'import logging',
      '',
      'def get_logger(name):',
      '    logger = logging.getLogger(name)',
      '    logger.addHandler(logging.StreamHandler())',
      '    return logger',
      '',
      '@app.get("/orders")',
      'def orders():',
      '    get_logger("orders").info("listing")',
    ].join('\n'),
    knownProblems:
      'A function that runs once in practice but is called from another module (a `configure_logging()` ' +
      "called by the app factory) is reported; its name or the module's own calls only lower the " +
      'confidence. Guards the rule does not recognise (a flag kept on another object, a check in the ' +
      'caller) lead to reports, and handlers added through `logging.config` or by libraries are not ' +
      'looked at.',
    fixedExample: [
      'import logging',
      '',
      'def get_logger(name):',
      '    logger = logging.getLogger(name)',
      '    if not logger.handlers:',
      '        logger.addHandler(logging.StreamHandler())',
      '    return logger',
    ].join('\n'),
    fix:
      'Configure handlers once, at import or start-up (the app factory, `logging.config.dictConfig`), ' +
      'or guard the call so that a second call adds nothing (`if not logger.handlers:`).',
    references: [
      {
        title: 'paddle-python-sdk #144: a new NullHandler on every Client',
        url: 'https://github.com/PaddleHQ/paddle-python-sdk/issues/144',
      },
      {
        title: 'flask-react-template #670: handlers stack on every mount',
        url: 'https://github.com/jalantechnologies/flask-react-template/issues/670',
      },
      {
        title:
          'Python docs, logging.config: dictConfig() removes the handlers of the root logger and of each ' +
          'logger it configures (a service that reloads its logging config per request does not stack them)',
        url: 'https://docs.python.org/3/library/logging.config.html#dictionary-schema-details',
      },
      {
        title: 'truenas middleware #3628: ensure we do not add duplicate log handlers',
        url: 'https://github.com/truenas/middleware/pull/3628',
      },
    ],
  },
  dynamic: { metrics: ['handlers'], reproduce: 'repeated-calls' },
};

/**
 * What R4 asks of the function around an `addHandler` call, worked out once per function however many
 * calls it holds.
 */
interface ScopeFacts {
  /** `removeHandler` anywhere in the body: a temporary handler, added and removed again. */
  removes: boolean;
  /** Where the body first looks at `.handlers` / `.hasHandlers` (Infinity: never). */
  firstInspection: number;
  /** What the function records about having run (markers()). */
  marks: Set<string>;
  /** Where the first `if <guard>: return` (or raise) of the function ends (Infinity: none). */
  firstGuardExit: number;
  /** Names bound to a brand-new `logging.Logger(...)`. */
  freshLoggers: Set<string>;
  /** Names bound to the root logger (`root = logging.getLogger()`). */
  rootLoggers: Set<string>;
  /** Where the body first calls `logging.config.dictConfig`/`fileConfig` (Infinity: never). */
  firstReconfigure: number;
}

/** Calls that remove the root logger's handlers (and those of every logger they configure) first. */
const RECONFIGURE = new Set(['logging.config.dictConfig', 'logging.config.fileConfig']);

function scopeFacts(scope: Node, context: RuleContext): ScopeFacts {
  const facts: ScopeFacts = {
    removes: false,
    firstInspection: Infinity,
    marks: markers(scope),
    firstGuardExit: Infinity,
    freshLoggers: new Set(),
    rootLoggers: new Set(),
    firstReconfigure: Infinity,
  };
  const body = field(scope, 'body');
  for (const attribute of body ? descendants(body, 'attribute') : []) {
    const name = field(attribute, 'attribute')?.text;
    if (name === 'removeHandler') facts.removes = true;
    else if (name === 'handlers' || name === 'hasHandlers') {
      facts.firstInspection = Math.min(facts.firstInspection, attribute.startIndex);
    }
  }
  walkOwnScope(scope, (node) => {
    if (node.type === 'if_statement' && node.endIndex < facts.firstGuardExit) {
      const consequence = field(node, 'consequence');
      const exits =
        consequence !== null &&
        namedChildren(consequence).some((s) => s.type === 'return_statement' || s.type === 'raise_statement');
      if (exits && conditionGuards(field(node, 'condition'), facts.marks, false)) {
        facts.firstGuardExit = node.endIndex;
      }
    } else if (node.type === 'assignment') {
      const right = unparenthesize(field(node, 'right'));
      if (right?.type !== 'call') return;
      if (context.imports.resolve(field(right, 'function')) === 'logging.Logger') {
        facts.freshLoggers.add(field(node, 'left')?.text ?? '');
      } else if (isRootLogger(right, context)) {
        facts.rootLoggers.add(field(node, 'left')?.text ?? '');
      }
    } else if (node.type === 'call' && node.startIndex < facts.firstReconfigure) {
      if (RECONFIGURE.has(context.imports.resolve(field(node, 'function')) ?? '')) {
        facts.firstReconfigure = node.startIndex;
      }
    }
  });
  return facts;
}

/**
 * The call inspects or resets the logger's handlers earlier in the same function:
 * `if not logger.handlers:`, `if logger.hasHandlers(): return`, `logger.handlers.clear()`,
 * `for h in list(logger.handlers): logger.removeHandler(h)`.
 */
function handlersInspected(facts: ScopeFacts, call: Node): boolean {
  return facts.removes || facts.firstInspection < call.startIndex;
}

/**
 * What the function records about having run: globals it assigns, attributes it sets
 * (`self._configured = True`, `logger._ours = True`) and containers it adds to
 * (`_configured[name] = logger`, `_seen.add(name)`). A condition on one of these is a run-once guard.
 */
function markers(scope: Node): Set<string> {
  const found = new Set<string>();
  const globals = new Set<string>();
  walkOwnScope(scope, (node) => {
    if (node.type === 'global_statement') {
      for (const id of namedChildren(node)) if (id.type === 'identifier') globals.add(id.text);
    } else if (node.type === 'assignment' || node.type === 'augmented_assignment') {
      const left = field(node, 'left');
      if (left?.type === 'attribute') found.add(left.text);
      else if (left?.type === 'subscript') found.add(field(left, 'value')?.text ?? '');
      else if (left?.type === 'identifier' && globals.has(left.text)) found.add(left.text);
    } else if (node.type === 'call') {
      const fn = field(node, 'function');
      const method = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : null;
      if (method === 'add' || method === 'append' || method === 'setdefault') {
        found.add(field(fn, 'object')?.text ?? '');
      } else if (fn?.type === 'identifier' && fn.text === 'setattr') {
        found.add('setattr');
      }
    }
  });
  for (const name of globals) found.add(name);
  found.delete('');
  return found;
}

const GUARD_WORDS = /configured|initiali[sz]ed|_setup|setup_done|_installed|_done\b|_once\b/i;

/**
 * An existence test on a handler: `if not has_level_handler(logger)`, `if self._handler is None`,
 * `if handler not in root.handlers`. A plain comparison (`if handler_type == "file"`) is not one.
 */
function handlerAbsent(condition: Node): boolean {
  if (!/handler/i.test(condition.text)) return false;
  const node = unparenthesize(condition);
  if (node?.type === 'not_operator') return true;
  return /\bis\s+None\b|\bnot\s+in\b|==\s*0\b|<\s*1\b/.test(condition.text);
}

function conditionGuards(condition: Node | null, marks: Set<string>, enclosing: boolean): boolean {
  if (!condition) return false;
  if (GUARD_WORDS.test(condition.text) || (enclosing && handlerAbsent(condition))) return true;
  const names = [
    ...descendants(condition, 'identifier').map((n) => n.text),
    ...descendants(condition, 'attribute').map((n) => n.text),
  ];
  if (names.some((n) => marks.has(n))) return true;
  // `getattr(logger, "_configured", False)` pairs with a setattr (or an attribute set) below.
  return /\b(?:getattr|hasattr)\s*\(/.test(condition.text) && marks.size > 0;
}

/**
 * A run-once guard: the call sits under `if <guard>:` or follows `if <guard>: return`, where the
 * guard tests something the function itself records (a global flag, an attribute, a registry).
 */
function onceGuarded(scope: Node, facts: ScopeFacts, call: Node): boolean {
  for (let p = call.parent; p && p.id !== scope.id; p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      if (conditionGuards(field(p, 'condition'), facts.marks, true)) return true;
    }
  }
  return facts.firstGuardExit <= call.startIndex;
}

/** `logging.getLogger()`, `logging.getLogger(None)`, `logging.getLogger("")`, `logging.root`. */
function isRootLogger(node: Node | null, context: RuleContext): boolean {
  const n = unparenthesize(node);
  if (!n) return false;
  if (n.type === 'attribute') return context.imports.resolve(n) === 'logging.root';
  if (n.type !== 'call' || context.imports.resolve(field(n, 'function')) !== 'logging.getLogger')
    return false;
  const args = namedChildren(field(n, 'arguments')!);
  return args.length === 0 || /^(?:None|""|'')$/.test(args[0].text);
}

/**
 * `logging.config.dictConfig(cfg)` earlier in the function removes the root logger's handlers (and
 * those of each logger the config names) before this call adds one again: the root logger does not
 * accumulate (skipped); a named logger only if the config does not name it (low confidence).
 */
function reconfigured(
  facts: ScopeFacts,
  call: Node,
  receiver: Node | null,
  context: RuleContext,
): 'root' | 'named' | null {
  if (facts.firstReconfigure > call.startIndex) return null;
  const root =
    isRootLogger(receiver, context) ||
    (receiver?.type === 'identifier' && facts.rootLoggers.has(receiver.text));
  return root ? 'root' : 'named';
}

/** `logger = logging.Logger(name)`: a fresh, unregistered logger that dies with the call. */
function freshLogger(facts: ScopeFacts, receiver: Node | null): boolean {
  return receiver?.type === 'identifier' && facts.freshLoggers.has(receiver.text);
}

/** `self.addHandler(...)` inside a Logger subclass configures each new logger once. */
function ownLoggerSetup(scope: Node, receiver: Node | null): boolean {
  if (receiver?.text !== 'self' || scope.type !== 'function_definition') return false;
  const cls = methodClass(scope);
  return /\b(?:Logger|LoggerAdapter)\b/.test(field(cls, 'superclasses')?.text ?? '');
}

function check(context: RuleContext): void {
  const factsByScope = new Map<number, ScopeFacts>();
  for (const call of descendants(context.root, 'call')) {
    const fn = field(call, 'function');
    if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'addHandler') continue;
    const scope = nearestFunction(call);
    if (!scope) continue;
    const receiver = field(fn, 'object');
    let facts = factsByScope.get(scope.id);
    if (!facts) factsByScope.set(scope.id, (facts = scopeFacts(scope, context)));
    if (handlersInspected(facts, call) || onceGuarded(scope, facts, call)) continue;
    if (freshLogger(facts, receiver) || ownLoggerSetup(scope, receiver)) continue;

    const reset = reconfigured(facts, call, receiver, context);
    if (reset === 'root') continue;
    let confidence: Confidence | undefined = reset === 'named' ? 'low' : undefined;
    const def = scope.type === 'function_definition' ? scope : null;
    if (def) {
      if (isMemoized(def, context.imports) || isStartupHook(def)) continue;
      const name = field(def, 'name')?.text ?? '';
      // After a reconfiguration the finding is low already.
      if (reset) confidence = 'low';
      else if (!methodClass(def) && lexicalUsage(context.source, def) === 'import-time') {
        confidence = 'low';
      } else if (ONCE_NAMES.test(name)) {
        confidence = 'medium';
      }
    }
    const outer = def ? null : enclosingDef(scope);
    const where = def
      ? `${qualifiedName(def)}()`
      : outer
        ? `a lambda in ${qualifiedName(outer)}()`
        : 'a lambda';
    const handler = namedChildren(field(call, 'arguments')!)[0]?.text ?? 'a handler';
    context.report(call, {
      message:
        `${receiver?.text ?? 'logger'}.addHandler(${handler}) in ${where} attaches another handler on ` +
        'every call: log lines repeat once per call so far and each handler (with its stream or file) ' +
        'stays alive.' +
        (reset
          ? ' A logging.config call earlier in the function resets the loggers its configuration names: ' +
            'if it names this one, nothing accumulates.'
          : ''),
      confidence,
    });
  }
}

export const loggingHandlerDup: Rule = {
  meta,
  trigger: { words: ['addHandler'] },
  check,
};
