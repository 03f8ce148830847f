/**
 * M1 circular-reference: an object stored in a collection of its owner that also gets a strong reference
 * back to the owner, within one function (or through a constructor of a class of the same file).
 */
import {
  calleeTail,
  descendants,
  dottedName,
  field,
  namedChildren,
  positionalArguments,
  type Node,
} from '../pyast.js';
import { escapeRegExp, scanCode } from '../lexical.js';
import type { Rule, RuleMeta } from '../rule.js';
import { classHeader, indentedBody } from '../semantics/lexical-defs.js';
import { perSource } from '../semantics/source-index.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'MEMORY_CIRCULAR_REFERENCE',
  shortId: 'M1',
  name: 'circular-reference',
  severity: 'LOW',
  confidence: 'medium',
  summary: 'A child gets a strong back-reference to the parent whose collection holds it.',
  fix: 'Hold the back-reference weakly (weakref.ref/proxy) or the children in a WeakSet/WeakValueDictionary.',
  docs: {
    what:
      'A function that stores an object in a collection of another (`self.children.append(child)`, ' +
      '`self.nodes[key] = node`, `.add`, `.insert`…) and also gives the stored object a plain ' +
      'reference back (`child.parent = self`), or the mirror form in a constructor ' +
      '(`self.parent = parent; parent.children.append(self)`). Back-references made with ' +
      '`weakref.ref`/`weakref.proxy`, collections that are a WeakSet/WeakValueDictionary/' +
      'WeakKeyDictionary, and a plain `self.x = other` with no collection are not reported.',
    why:
      'CPython frees most objects the moment their reference count drops to zero; objects in a cycle ' +
      'never reach zero and wait for the cyclic garbage collector. Python does collect them, but only ' +
      'when a collection of the right generation runs: whole trees (and every buffer, response or ' +
      'socket they reference) stay in memory long after the request that built them, survive into ' +
      'the oldest generation, and are freed in full collections whose pause grows with the heap. ' +
      'Objects with `__del__` in a cycle are finalized late and in no useful order, and code that ' +
      'disables or tunes the GC (common in latency-sensitive services) turns the delay into a leak.',
    example: [
      'class Node:',
      '    def __init__(self, name):',
      '        self.name = name',
      '        self.parent = None',
      '        self.children = []',
      '',
      '    def add_child(self, child):',
      '        child.parent = self',
      '        self.children.append(child)',
    ].join('\n'),
    knownProblems:
      'Only cycles made within one function are found (both halves in one body, or the constructor form ' +
      'with the class in the same file); cycles built across functions or modules are missed. A tree ' +
      'that lives as long as the process (a configuration tree, a registry) is reported although its ' +
      'cycle costs nothing.',
    fixedExample: [
      'import weakref',
      '',
      'class Node:',
      '    def __init__(self, name):',
      '        self.name = name',
      '        self._parent = None',
      '        self.children = []',
      '',
      '    @property',
      '    def parent(self):',
      '        return self._parent() if self._parent else None',
      '',
      '    def add_child(self, child):',
      '        child._parent = weakref.ref(self)',
      '        self.children.append(child)',
    ].join('\n'),
    fix:
      'Make the back-reference weak (`weakref.ref`, `weakref.proxy`, or a property over a weak ' +
      'reference), or keep the children in a `WeakSet`/`WeakValueDictionary`, so that dropping the root ' +
      'frees the whole tree at once.',
    references: [
      {
        title: 'astropy #6277: change DataInfo._parent to a weakref',
        url: 'https://github.com/astropy/astropy/pull/6277',
      },
      {
        title: 'caput #13: remove cyclic references in memh5',
        url: 'https://github.com/radiocosmology/caput/pull/13',
      },
      {
        title: 'addict #86: link to parent causes reference cycles',
        url: 'https://github.com/mewwts/addict/issues/86',
      },
    ],
  },
  dynamic: { metrics: ['heap'], reproduce: 'unique-keys' },
};

/** Methods that put an item into a collection, and which argument is the item. */
const ADDERS: Record<string, number> = {
  append: 0,
  appendleft: 0,
  add: 0,
  insert: 1,
  setdefault: 1,
  put: 0,
};

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

interface BackReference {
  /** The `child.parent = self` assignment (or `child = Node(parent=self)`). */
  node: Node;
  /** `Node` when the constructor stores the reference: `child = Node(name, parent=self)`. */
  via?: string;
  /** `child` */
  holder: string;
  /** `parent` */
  attribute: string;
  /** `self` */
  target: string;
}

interface Insertion {
  /** `self.children` */
  collection: string;
  /** `child` */
  item: string;
}

/** Statements and expressions of one function, not those of nested defs, lambdas or classes. */
function ownNodes(fn: Node, visit: (node: Node) => void): void {
  const body = field(fn, 'body');
  if (!body) return;
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    visit(node);
    // One call for all children (`namedChild(i)` walks from the first child each time).
    const children = namedChildren(node);
    for (let i = children.length - 1; i >= 0; i--) if (!SCOPES.has(children[i].type)) stack.push(children[i]);
  }
}

function backReference(node: Node): BackReference | null {
  if (node.type !== 'assignment') return null;
  const left = field(node, 'left');
  const right = field(node, 'right');
  if (left?.type !== 'attribute' || !right) return null;
  // Only a plain name on the right is a strong reference: weakref.ref(self)/proxy(self) are calls.
  const target = right.type === 'identifier' || right.type === 'attribute' ? dottedName(right) : null;
  const holder = dottedName(field(left, 'object'));
  const attribute = field(left, 'attribute')?.text;
  if (!target || !holder || !attribute) return null;
  if (holder === target || holder.startsWith(`${target}.`) || target.startsWith(`${holder}.`)) return null;
  return { node, holder, attribute, target };
}

/**
 * `child = Node(name, parent=self)` where the file's `class Node` stores that argument plainly
 * (`self.parent = parent` in `__init__`, or a dataclass field): the same back-reference, made by
 * the constructor.
 */
function constructedBackReferences(node: Node, source: string): BackReference[] {
  if (node.type !== 'assignment') return [];
  const left = field(node, 'left');
  const call = field(node, 'right');
  if (left?.type !== 'identifier' || call?.type !== 'call') return [];
  const className = calleeTail(call);
  if (!className || !/^[A-Z]/.test(className)) return [];
  const args = field(call, 'arguments');
  if (!args) return [];
  const out: BackReference[] = [];
  let index = 0;
  for (const arg of namedChildren(args)) {
    if (arg.type === 'comment') continue;
    let key: string | number;
    let value: Node | null;
    if (arg.type === 'keyword_argument') {
      key = field(arg, 'name')?.text ?? '';
      value = field(arg, 'value');
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      break;
    } else {
      key = index++;
      value = arg;
    }
    const target =
      value && (value.type === 'identifier' || value.type === 'attribute') ? dottedName(value) : null;
    if (!target || target === left.text) continue;
    const attribute = storedAttribute(source, className, key);
    if (attribute) out.push({ node, holder: left.text, attribute, target, via: className });
  }
  return out;
}

const STORED = Symbol('stored attributes');
const CLASS_BODIES = Symbol('class bodies');

/** The attribute `class <name>` in this file keeps a constructor argument in, when it keeps it plainly. */
function storedAttribute(source: string, className: string, key: string | number): string | null {
  const cache = perSource(source, STORED, () => new Map<string, string | null>());
  const cacheKey = `${className}\u0000${key}`;
  if (cache.has(cacheKey)) return cache.get(cacheKey) ?? null;
  const found = findStoredAttribute(source, className, key);
  cache.set(cacheKey, found);
  return found;
}

/** The header and body text of the file's first `class <name>`, worked out once per class. */
function classBody(source: string, className: string): { index: number; body: string } | null {
  const bodies = perSource(
    source,
    CLASS_BODIES,
    () => new Map<string, { index: number; body: string } | null>(),
  );
  let found = bodies.get(className);
  if (found === undefined) {
    const head = classHeader(source, className);
    found = head && { index: head.index, body: indentedBody(source, head.end + 1, head.indent) };
    bodies.set(className, found);
  }
  return found;
}

function findStoredAttribute(source: string, className: string, key: string | number): string | null {
  const head = classBody(source, className);
  if (!head) return null;
  const body = head.body;
  const init = /\bdef[ \t]+__init__[ \t]*\(([^)]*)\)/.exec(body);
  let params: string[];
  let store: string;
  if (init) {
    params = init[1]
      .split(',')
      .map((p) =>
        p
          .replace(/^\s*\**/, '')
          .split(/[:=]/)[0]
          .trim(),
      )
      .filter(Boolean)
      .slice(1);
    store = body.slice(init.index);
  } else if (
    /^[ \t]*@(?:dataclasses\.)?dataclass\b/m.test(source.slice(Math.max(0, head.index - 200), head.index))
  ) {
    // Dataclass fields, in order, up to the first method.
    const fields = body.split(/\n[ \t]*(?:@|def\b)/)[0];
    params = [...fields.matchAll(/^[ \t]+([A-Za-z_]\w*)[ \t]*:/gm)].map((m) => m[1]);
    const param = typeof key === 'number' ? params[key] : params.find((p) => p === key);
    if (!param) return null;
    const declared = new RegExp(`^[ \\t]+${param}[ \\t]*:[^\\n]*$`, 'm').exec(fields)?.[0] ?? '';
    return /weakref|ReferenceType/.test(declared) ? null : param;
  } else {
    return null;
  }
  const param = typeof key === 'number' ? params[key] : params.find((p) => p === key);
  if (!param) return null;
  const stored = new RegExp(`^[ \\t]*self\\.(\\w+)[ \\t]*=[ \\t]*${param}[ \\t]*(?:#[^\\n]*)?$`, 'm').exec(
    store,
  );
  return stored ? stored[1] : null;
}

function insertion(node: Node): Insertion | null {
  if (node.type === 'call') {
    const fn = field(node, 'function');
    const tail = calleeTail(node);
    if (fn?.type !== 'attribute' || !tail || !(tail in ADDERS || tail === 'extend')) return null;
    const collection = dottedName(field(fn, 'object'));
    if (!collection?.includes('.')) return null;
    const args = positionalArguments(node);
    if (tail === 'extend') {
      const list = args[0];
      if (list?.type !== 'list' && list?.type !== 'tuple') return null;
      const item = list.namedChild(0);
      const name = item ? dottedName(item) : null;
      return name ? { collection, item: name } : null;
    }
    const item = dottedName(args[ADDERS[tail]] ?? null);
    return item ? { collection, item } : null;
  }
  if (node.type === 'assignment') {
    const left = field(node, 'left');
    if (left?.type !== 'subscript') return null;
    const collection = dottedName(field(left, 'value'));
    const item = dottedName(field(node, 'right'));
    return collection?.includes('.') && item ? { collection, item } : null;
  }
  if (node.type === 'augmented_assignment') {
    const collection = dottedName(field(node, 'left'));
    const right = field(node, 'right');
    if (!collection?.includes('.') || right?.type !== 'list') return null;
    const item = dottedName(right.namedChild(0));
    return item ? { collection, item } : null;
  }
  return null;
}

const NAME = '[A-Za-z_][\\w.]*';
/** `.attr = target` with a plain name on the right; the holder is read backwards from the dot. */
const BACK_REFERENCE = new RegExp(`\\.[ \\t]*\\w+[ \\t]*=[ \\t]*(${NAME})[ \\t]*(?:[#;)]|$)`, 'gm');
/** `holder = Capitalized(`: the constructor form, target unknown until parsed. */
const CONSTRUCTION = new RegExp(`\\b(\\w+)[ \\t]*=[ \\t]*(?:${NAME}\\.)?[A-Z]\\w*[ \\t]*\\(`, 'gm');
/** Insertions, anchored at the operation; the collection is read backwards from `at`. */
const INSERTIONS: { pattern: RegExp; at: (m: RegExpMatchArray) => number }[] = [
  {
    pattern: new RegExp(`\\.(?:append|appendleft|add|put)\\(\\s*(${NAME})\\s*[,)]`, 'g'),
    at: (m) => m.index!,
  },
  {
    pattern: new RegExp(
      `\\.(?:insert|setdefault)\\([^,()]*(?:\\([^()]*\\)[^,()]*)*,\\s*(${NAME})\\s*[,)]`,
      'g',
    ),
    at: (m) => m.index!,
  },
  { pattern: new RegExp(`\\.extend\\(\\s*[[(]\\s*(${NAME})\\s*[,\\])]`, 'g'), at: (m) => m.index! },
  { pattern: new RegExp(`\\][ \\t]*=[ \\t]*(${NAME})[ \\t]*(?:[#;]|$)`, 'gm'), at: (m) => -1 - m.index! },
  { pattern: new RegExp(`\\+=[ \\t]*\\[\\s*(${NAME})\\s*[,\\]]`, 'g'), at: (m) => m.index! },
];
const QUICK_INSERTION =
  /\.(?:append|appendleft|add|put|insert|setdefault|extend)\(|\][ \t]*=[^=]|\+=[ \t]*\[/;

/** The dotted name that ends just before `end` (spaces skipped): `self.children` before `.append(`. */
function nameBefore(text: string, end: number): string {
  let stop = end;
  while (stop > 0 && (text[stop - 1] === ' ' || text[stop - 1] === '\t')) stop--;
  let start = stop;
  while (start > 0 && /[\w.]/.test(text[start - 1])) start--;
  return text.slice(start, stop);
}

/**
 * For `x[k] = item` (given the `]`): the name before the matching `[`, looked for on the same line and
 * at most 400 characters back, outside strings.
 */
function subscriptedName(text: string, close: number): string {
  const from = Math.max(text.lastIndexOf('\n', close) + 1, close - 399);
  const opens: number[] = [];
  let open = -1;
  scanCode(
    text,
    (ch, _depth, at) => {
      if (at > close) return true;
      if (ch === '[') opens.push(at);
      else if (ch === ']') {
        const matching = opens.pop();
        if (at === close) {
          open = matching ?? -1;
          return true;
        }
      }
    },
    from,
  );
  return open === -1 ? '' : nameBefore(text, open);
}

/**
 * Both halves in one piece of text, read from the text alone: an object put in a collection of
 * `target` that also gets `object.attr = target` (or is built by `object = Capitalized(…)`).
 * Used as the trigger and to skip functions before walking their trees.
 */
function mayHoldCycle(text: string): boolean {
  if (!QUICK_INSERTION.test(text)) return false;
  const items = new Map<string, string[]>();
  for (const { pattern, at } of INSERTIONS) {
    for (const m of text.matchAll(pattern)) {
      const where = at(m);
      const collection = where >= 0 ? nameBefore(text, where) : subscriptedName(text, -1 - where);
      if (!collection.includes('.')) continue;
      const list = items.get(m[1]) ?? [];
      list.push(collection);
      items.set(m[1], list);
    }
  }
  if (!items.size) return false;
  for (const m of text.matchAll(CONSTRUCTION)) if (items.has(m[1])) return true;
  for (const m of text.matchAll(BACK_REFERENCE)) {
    const collections = items.get(nameBefore(text, m.index!));
    if (collections?.some((c) => c.startsWith(`${m[1]}.`))) return true;
  }
  return false;
}

const WEAK = Symbol('weak collections and properties');
/** Names the indexes below hold (others, such as `café`, are looked up in the text directly). */
const WORD = /^\w+$/;
/** `name = WeakSet()` (annotated or not, through a module prefix): the name of a weak collection. */
const WEAK_COLLECTION =
  /\b(\w+)\s*(?::[^=\n]*)?=\s*(?:[\w.]*\.)?Weak(?:Set|ValueDictionary|KeyDictionary)\b/g;

/** Which names the file makes weak collections and which properties have setters, read once per file. */
function weakNames(source: string): { collections: Set<string>; setters: Set<string>; weakref: boolean } {
  return perSource(source, WEAK, () => {
    const collections = new Set<string>();
    if (source.includes('Weak')) {
      WEAK_COLLECTION.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = WEAK_COLLECTION.exec(source))) {
        collections.add(match[1]);
        WEAK_COLLECTION.lastIndex = match.index + 1;
      }
    }
    const setters = new Set([...source.matchAll(/@(\w+)\.setter\b/g)].map((m) => m[1]));
    return { collections, setters, weakref: /\bweakref\b/.test(source) };
  });
}

/** The collection is created as a WeakSet/WeakValueDictionary/WeakKeyDictionary somewhere in the file. */
function weakCollection(source: string, attribute: string): boolean {
  if (!WORD.test(attribute)) {
    const weak = `\\s*(?::[^=\\n]*)?=\\s*(?:[\\w.]*\\.)?Weak(?:Set|ValueDictionary|KeyDictionary)\\b`;
    return new RegExp(`\\b${escapeRegExp(attribute)}${weak}`).test(source);
  }
  return weakNames(source).collections.has(attribute);
}

/** `@parent.setter` in a file that uses weakref: the attribute stores a weak reference behind a property. */
function weakProperty(source: string, attribute: string): boolean {
  const { setters, weakref } = weakNames(source);
  if (!WORD.test(attribute))
    return weakref && new RegExp(`@${escapeRegExp(attribute)}\\.setter\\b`).test(source);
  return weakref && setters.has(attribute);
}

export const circularReference: Rule = {
  meta,
  trigger: {
    // Both halves live in one function: an insertion and an attribute assignment.
    test: (text) => mayHoldCycle(text),
  },
  check(context) {
    for (const fn of descendants(context.root, 'function_definition')) {
      // Most functions cannot hold both halves: skip them without walking their tree.
      if (!mayHoldCycle(fn.text)) continue;
      const nodes: Node[] = [];
      ownNodes(fn, (node) => {
        if (node.type === 'assignment' || node.type === 'call' || node.type === 'augmented_assignment') {
          nodes.push(node);
        }
      });
      const inserts = nodes.map(insertion).filter((i): i is Insertion => i !== null);
      if (!inserts.length) continue;
      // Insertions by the item they insert (a function can hold thousands of both halves).
      const byItem = new Map<string, Insertion[]>();
      for (const ins of inserts) {
        const list = byItem.get(ins.item);
        if (list) list.push(ins);
        else byItem.set(ins.item, [ins]);
      }
      const refs: BackReference[] = [];
      for (const node of nodes) {
        const ref = backReference(node);
        if (ref) refs.push(ref);
        else if (node.type === 'assignment' && byItem.has(field(node, 'left')?.text ?? '')) {
          refs.push(...constructedBackReferences(node, context.source));
        }
      }
      if (!refs.length) continue;
      for (const ref of refs) {
        const match = byItem.get(ref.holder)?.find((ins) => ins.collection.startsWith(`${ref.target}.`));
        if (!match) continue;
        const collectionAttr = match.collection.slice(match.collection.lastIndexOf('.') + 1);
        if (weakCollection(context.source, collectionAttr)) continue;
        if (weakProperty(context.source, ref.attribute)) continue;
        const made = ref.via
          ? `'${ref.holder} = ${ref.via}(…${ref.target}…)' stores '${ref.target}' as ${ref.holder}.${ref.attribute} and`
          : `'${ref.holder}.${ref.attribute} = ${ref.target}'`;
        context.report(ref.node, {
          message:
            `${made} points back at the owner of '${match.collection}', which holds '${ref.holder}': ` +
            'a reference cycle only the cyclic GC can free.',
        });
      }
    }
  },
};
