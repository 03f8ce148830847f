/**
 * M3 load-all: a whole file read (readlines, read().split…) or a whole queryset loaded only to be walked
 * item by item.
 */
import {
  calleeTail,
  descendants,
  field,
  namedChildren,
  positionalArguments,
  unparenthesize,
  type Node,
} from '../pyast.js';
import type { Rule, RuleMeta } from '../rule.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'MEMORY_LOAD_ALL',
  shortId: 'M3',
  name: 'load-all',
  severity: 'MEDIUM',
  confidence: 'medium',
  summary: 'A whole file or a whole table is loaded into memory only to be walked item by item.',
  fix: 'Stream it: iterate the file object line by line, or the queryset with .iterator().',
  docs: {
    what:
      'Inside functions: `f.readlines()`, or `f.read()`/`path.read_text()`/`path.read_bytes()` followed ' +
      'by `.split()`/`.splitlines()`, whose result is then iterated (for loop, comprehension, ' +
      '`enumerate`/`map`/`sorted`/`list`…, `csv.reader`) or sliced; and a Django `X.objects.all()` ' +
      'queryset (possibly chained with filter/order_by/values…) iterated without `.iterator()`. ' +
      'Bounded reads (`read(4096)`), reads parsed or returned whole (`json.loads(f.read())`, ' +
      '`return f.read()`), sliced querysets (`[:50]`) and `.count()`/`.exists()` are not reported.',
    why:
      'Reading the whole input first makes the peak memory of a request proportional to the size ' +
      'of the file or table instead of one line or one row: a 2 GB log read with readlines() needs ' +
      'several GB of Python strings at once (each line is an object of its own), and a queryset ' +
      'iterated without .iterator() caches every model instance it has produced until the loop ' +
      'ends. In a long-running service those peaks fragment the heap, raise the RSS the allocator ' +
      'keeps, and one large input can take the process past its memory limit.',
    example: [
      'def count_errors(path):',
      '    with open(path) as f:',
      '        lines = f.readlines()',
      '    return sum(1 for line in lines if "ERROR" in line)',
      '',
      'def export_users(writer):',
      '    for user in User.objects.all():',
      '        writer.writerow([user.id, user.email])',
    ].join('\n'),
    knownProblems:
      'The size of the input is not known: a small configuration file read with `readlines()` is ' +
      'reported like a multi-gigabyte log. Only Django-style `X.objects` querysets are recognised; ' +
      'other ORMs (SQLAlchemy `query.all()`) and reads whose lines are walked in another function are ' +
      'not.',
    fixedExample: [
      'def count_errors(path):',
      '    with open(path) as f:',
      '        return sum(1 for line in f if "ERROR" in line)',
      '',
      'def export_users(writer):',
      '    for user in User.objects.all().iterator(chunk_size=2000):',
      '        writer.writerow([user.id, user.email])',
    ].join('\n'),
    fix:
      'Iterate the file object (one line in memory at a time) and the queryset with `.iterator()`; for ' +
      'the last N lines of a file use `collections.deque(f, maxlen=N)`.',
    references: [
      { title: 'ruff FURB129 readlines-in-for', url: 'https://docs.astral.sh/ruff/rules/readlines-in-for/' },
      {
        title: 'Django docs: QuerySet.iterator()',
        url: 'https://docs.djangoproject.com/en/2.1/ref/models/querysets/#iterator',
      },
      {
        title: 'GRASS #4034: fix readlines-in-for (FURB129)',
        url: 'https://github.com/OSGeo/grass/pull/4034',
      },
    ],
  },
  dynamic: { metrics: ['heap'], reproduce: 'unique-keys' },
};

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);
const MENTIONS = /\b(?:readlines|read|read_text|read_bytes|objects)\b/;
// Only the whole-file forms the check flags: read() / read(-1) / read(None), readlines(), read_text(),
// read_bytes(), objects.all() — `read(4096)` is everywhere and never a finding.
const READ_OR_ALL =
  /\.\s*read\s*\(\s*(?:-\s*1|None)?\s*\)|\.\s*(?:readlines|read_text|read_bytes)\s*\(|\.\s*objects\s*\.\s*all\s*\(/;
const WRAPPER_METHODS = new Set(['read', 'readlines', 'read_text', 'read_bytes', '__iter__', '__next__']);

/** Calls that walk their argument to the end: the list they get is consumed as a collection. */
const CONSUMING_CALLS = new Set([
  'enumerate',
  'map',
  'filter',
  'zip',
  'sorted',
  'reversed',
  'list',
  'set',
  'tuple',
  'frozenset',
  'len',
  'sum',
  'max',
  'min',
  'any',
  'all',
  'Counter',
  'reader',
  'DictReader',
  'deque',
]);

/** String methods that keep a whole read whole (`f.read().decode().strip().split()`). */
const PASS_THROUGH = new Set(['decode', 'strip', 'rstrip', 'lstrip', 'lower', 'upper', 'replace', 'encode']);
const SPLITS = new Set(['split', 'splitlines', 'rsplit']);

/** Queryset methods that return another (still unbounded) queryset. */
const QUERYSET_CHAIN = new Set([
  'all',
  'filter',
  'exclude',
  'order_by',
  'select_related',
  'prefetch_related',
  'values',
  'values_list',
  'only',
  'defer',
  'annotate',
  'distinct',
  'using',
  'reverse',
]);

function callMethod(node: Node | null): { name: string; object: Node } | null {
  if (node?.type !== 'call') return null;
  const fn = field(node, 'function');
  if (fn?.type !== 'attribute') return null;
  const name = field(fn, 'attribute')?.text;
  const object = field(fn, 'object');
  return name && object ? { name, object } : null;
}

/** `f.read()`, `f.read(-1)`, `p.read_text()`, `p.read_bytes()`: the whole file in one string. */
function wholeRead(node: Node): Node | null {
  const method = callMethod(node);
  if (!method) return null;
  if (method.name === 'read_text' || method.name === 'read_bytes') return node;
  if (method.name !== 'read') return null;
  const args = positionalArguments(node);
  const size = field(node, 'arguments');
  if (size && size.namedChildCount > args.length) return null; // keyword or splat arguments
  if (args.length === 0) return node;
  const text = args[0].text.replace(/\s+/g, '');
  return args.length === 1 && (text === '-1' || text === 'None') ? node : null;
}

interface Scope {
  /** Local name → the right-hand sides bound to it in this scope. */
  bindings: Map<string, Node[]>;
}

function scopeOf(root: Node): Scope {
  const bindings = new Map<string, Node[]>();
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'assignment' || node.type === 'augmented_assignment') {
      const left = field(node, 'left');
      const right = field(node, 'right');
      if (left?.type === 'identifier' && right) {
        const list = bindings.get(left.text) ?? [];
        list.push(node.type === 'augmented_assignment' ? node : right);
        bindings.set(left.text, list);
      }
    }
    // One call for all children (`namedChild(i)` walks from the first child each time).
    const children = namedChildren(node);
    for (let i = children.length - 1; i >= 0; i--) if (!SCOPES.has(children[i].type)) stack.push(children[i]);
  }
  return { bindings };
}

/** The name's only value in the scope, or null when it is rebound (or bound by anything else). */
function soleValue(scope: Scope, name: string): Node | null {
  const values = scope.bindings.get(name);
  return values && values.length === 1 ? values[0] : null;
}

/** The whole-file read an expression holds the lines of: `f.readlines()`, `data.split("\n")`… */
function linesOf(expr: Node | null, scope: Scope, depth = 0): Node | null {
  const node = unparenthesize(expr);
  if (!node || depth > 4) return null;
  if (node.type === 'identifier') return linesOf(soleValue(scope, node.text), scope, depth + 1);
  const method = callMethod(node);
  if (!method) return null;
  if (method.name === 'readlines') {
    return positionalArguments(node).length === 0 ? node : null;
  }
  if (SPLITS.has(method.name)) return textOf(method.object, scope, depth + 1);
  return null;
}

/** The whole-file read a string expression is: `f.read()`, `f.read().decode()`, or a name bound to one. */
function textOf(expr: Node | null, scope: Scope, depth: number): Node | null {
  const node = unparenthesize(expr);
  if (!node || depth > 6) return null;
  if (node.type === 'identifier') return textOf(soleValue(scope, node.text), scope, depth + 1);
  const read = wholeRead(node);
  if (read) return read;
  const method = callMethod(node);
  if (method && PASS_THROUGH.has(method.name)) return textOf(method.object, scope, depth + 1);
  return null;
}

/** `Model.objects.all()` possibly chained (`.filter(...).order_by(...)`), unsliced and without .iterator(). */
function unboundedQueryset(expr: Node | null, scope: Scope, depth = 0): Node | null {
  const node = unparenthesize(expr);
  if (!node || depth > 4) return null;
  if (node.type === 'identifier') {
    const values = scope.bindings.get(node.text);
    if (!values?.length) return null;
    // Every value the name takes must be an unbounded queryset (`qs = qs.filter(...)` included).
    let origin: Node | null = null;
    for (const value of values) {
      if (value.type === 'augmented_assignment') return null;
      const found = unboundedQueryset(value, scope, depth + 1) ?? selfChain(value, node.text);
      if (!found) return null;
      if (found !== SELF) origin ??= found;
    }
    return origin;
  }
  const method = callMethod(node);
  if (!method || !QUERYSET_CHAIN.has(method.name)) return null;
  if (method.name === 'all') {
    const objects = method.object;
    if (objects.type === 'attribute' && field(objects, 'attribute')?.text === 'objects') return node;
  }
  return unboundedQueryset(method.object, scope, depth + 1);
}

const SELF = {} as Node;

/** `qs.filter(...)` on the name itself: a narrowing of the same queryset, fine as a rebinding. */
function selfChain(value: Node, name: string): Node | null {
  let node: Node | null = unparenthesize(value);
  for (let i = 0; i < 8 && node; i++) {
    if (node.type === 'identifier') return node.text === name ? SELF : null;
    const method = callMethod(node);
    if (!method || !QUERYSET_CHAIN.has(method.name)) return null;
    node = method.object;
  }
  return null;
}

interface Site {
  node: Node;
  /** Sliced rather than walked: a queryset slice is bounded, a file's line list is not. */
  sliced: boolean;
}

/** Expressions whose elements are all walked: for/comprehension iterables and consuming calls' arguments. */
function iteratedExpressions(scopeRoot: Node): Site[] {
  const out: Site[] = [];
  const stack: Node[] = [scopeRoot];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'for_statement' || node.type === 'for_in_clause') {
      const right = field(node, 'right');
      if (right) out.push({ node: right, sliced: false });
    } else if (node.type === 'call') {
      const tail = calleeTail(node);
      const first = positionalArguments(node)[0];
      if (tail && first && CONSUMING_CALLS.has(tail)) out.push({ node: first, sliced: false });
    } else if (node.type === 'subscript') {
      // `lines[-100:]`: the list is built in full just to keep part of it. (An index such as
      // `f.read().split()[1]` is the usual way to pick a field out of a small /proc or config file.)
      const value = field(node, 'value');
      if (value && namedChildren(node).some((c) => c.type === 'slice'))
        out.push({ node: value, sliced: true });
    }
    // One call for all children (`namedChild(i)` walks from the first child each time).
    const children = namedChildren(node);
    for (let i = children.length - 1; i >= 0; i--) if (!SCOPES.has(children[i].type)) stack.push(children[i]);
  }
  return out;
}

function describeRead(read: Node): string {
  const fn = field(read, 'function');
  const text = (fn?.text ?? 'read').replace(/\s+/g, '');
  return `${text.length > 50 ? `…${text.slice(-49)}` : text}()`;
}

export const loadAll: Rule = {
  meta,
  trigger: {
    // A whole read or an objects.all() call; later steps (split, loops) sit in the same function.
    test: (text) => READ_OR_ALL.test(text),
  },
  check(context) {
    for (const fn of descendants(context.root, 'function_definition')) {
      const body = field(fn, 'body');
      // A file-like wrapper implementing readlines()/read() itself has to call the wrapped one.
      if (!body || WRAPPER_METHODS.has(field(fn, 'name')?.text ?? '')) continue;
      if (!MENTIONS.test(body.text)) continue;
      const scope = scopeOf(body);
      for (const site of iteratedExpressions(body)) {
        const iterated = site.node;
        const lines = linesOf(iterated, scope);
        if (lines) {
          const isReadlines = callMethod(lines)?.name === 'readlines';
          const read = lines;
          context.report(read, {
            message: isReadlines
              ? `${describeRead(read)} loads every line of the file into one list before the loop at line ${line(iterated)} uses it; iterate the file object instead.`
              : `${describeRead(read)} reads the whole file into one string that is split and walked at line ${line(iterated)}; iterate the file object line by line instead.`,
          });
          continue;
        }
        if (site.sliced) continue;
        const queryset = unboundedQueryset(iterated, scope);
        if (queryset) {
          const what =
            iterated.text === queryset.text
              ? shorten(queryset.text)
              : `'${shorten(iterated.text)}' (${shorten(queryset.text)})`;
          context.report(iterated, {
            message: `Iterating ${what} without .iterator() loads and caches every row at once.`,
          });
        }
      }
    }
  },
};

function line(node: Node): number {
  return node.startPosition.row + 1;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
