/**
 * Which project class an expression's value is an instance of, as far as the source says it plainly, so
 * the call graph can follow `client = Client(...); client.fetch()` to `Client.fetch`. It knows:
 * constructor calls of project classes (their own, imported ones, through module attributes), locals
 * assigned in the same function (also `with Client() as c`, annotated `c: Client = …`, `await factory()`),
 * `self.attr` set anywhere in the class (or its project bases), module-level singletons (own or imported),
 * and what a factory function returns. Anything else is unknown: the graph drops the call rather than
 * invent an edge. See docs/architecture.md (select/).
 */
import { descendants, dottedName, field, namedChildren, qualifiedName, type Node } from '../static/pyast.js';

/** A project class: its module (dotted) and its qualified name in that module. */
export interface ClassRef {
  module: string;
  name: string;
}

/** What the type resolver needs of each module. */
export interface TypedModule {
  file: string;
  module: string;
  /** local name → absolute dotted target. */
  imports: ReadonlyMap<string, string>;
  /** Qualified names of functions and methods → their def nodes. */
  defs: ReadonlyMap<string, Node>;
  /** Qualified class names → class nodes. */
  classes: ReadonlyMap<string, Node>;
  /** Module-level names → the value last assigned to them at module level. */
  globals: ReadonlyMap<string, Node>;
}

/** What a dotted name refers to from inside a module. */
type Target =
  | { kind: 'class'; ref: ClassRef }
  | { kind: 'function'; module: string; name: string }
  | { kind: 'global'; module: string; name: string }
  | { kind: 'module'; module: string };

/** A function's locals: the values assigned to each name, and the annotation it was declared with. */
interface Locals {
  values: Map<string, Node[]>;
  annotations: Map<string, Node>;
}

/** How deep type questions may recurse (factories returning factories, attribute chains). */
const MAX_DEPTH = 8;

export class InstanceTypes {
  private readonly locals = new Map<Node, Locals>();
  private readonly memo = new Map<string, ClassRef | null>();
  private readonly attributes = new Map<string, Map<string, { assignment: Node; scope: Node | null }[]>>();
  private readonly methodsByModule = new Map<string, Map<string, Node[]>>();

  constructor(private readonly modules: ReadonlyMap<string, TypedModule>) {}

  /** The file of a project module (dotted name). */
  moduleFile(module: string): string {
    return this.modules.get(module)?.file ?? module;
  }

  /** What `dotted` names inside `module`: a class, a function, a module-level variable or a module. */
  resolve(module: string, dotted: string): Target | null {
    const own = this.modules.get(module);
    if (!own) return null;
    const parts = dotted.split('.');
    const head = parts[0];
    const local = this.inModule(own, parts);
    if (local) return local;
    const bound = own.imports.get(head);
    if (!bound) return null;
    return this.absolute([bound, ...parts.slice(1)].join('.'));
  }

  /** An absolute dotted name (`pkg.mod.Class.method`) split at the longest project module. */
  absolute(dotted: string): Target | null {
    const pieces = dotted.split('.');
    for (let cut = pieces.length; cut >= 1; cut--) {
      const module = this.modules.get(pieces.slice(0, cut).join('.'));
      if (!module) continue;
      if (cut === pieces.length) return { kind: 'module', module: module.module };
      return this.inModule(module, pieces.slice(cut));
    }
    return null;
  }

  private inModule(module: TypedModule, parts: readonly string[]): Target | null {
    const name = parts.join('.');
    if (module.classes.has(name)) return { kind: 'class', ref: { module: module.module, name } };
    if (module.defs.has(name)) return { kind: 'function', module: module.module, name };
    if (parts.length === 1 && module.globals.has(name)) {
      return { kind: 'global', module: module.module, name };
    }
    // A name bound by `from x import y` inside this module (a re-export), followed once more.
    if (parts.length >= 1 && module.imports.has(parts[0]) && !module.defs.has(parts[0])) {
      const bound = module.imports.get(parts[0])!;
      if (bound !== `${module.module}.${parts[0]}`) {
        const target = [bound, ...parts.slice(1)].join('.');
        if (target !== name) return this.absoluteOnce(target);
      }
    }
    return null;
  }

  private absoluteOnce(dotted: string): Target | null {
    const pieces = dotted.split('.');
    for (let cut = pieces.length; cut >= 1; cut--) {
      const module = this.modules.get(pieces.slice(0, cut).join('.'));
      if (!module) continue;
      if (cut === pieces.length) return { kind: 'module', module: module.module };
      const name = pieces.slice(cut).join('.');
      if (module.classes.has(name)) return { kind: 'class', ref: { module: module.module, name } };
      if (module.defs.has(name)) return { kind: 'function', module: module.module, name };
      if (module.globals.has(name)) return { kind: 'global', module: module.module, name };
      return null;
    }
    return null;
  }

  /**
   * The project class `expr`'s value is an instance of, in `scope` (the function holding it, or null at
   * module level) of `module`; `className` is the class `self` stands for.
   */
  typeOf(
    expr: Node | null,
    module: string,
    scope: Node | null,
    className: string | null,
    depth = 0,
  ): ClassRef | null {
    if (!expr || depth > MAX_DEPTH) return null;
    switch (expr.type) {
      case 'parenthesized_expression':
        return this.typeOf(namedChildren(expr)[0] ?? null, module, scope, className, depth + 1);
      case 'await':
        return this.typeOf(namedChildren(expr)[0] ?? null, module, scope, className, depth + 1);
      case 'call':
        return this.callResult(expr, module, scope, className, depth + 1);
      case 'identifier':
        return this.nameType(expr.text, module, scope, className, depth + 1);
      case 'attribute': {
        const object = field(expr, 'object');
        const attr = field(expr, 'attribute')?.text;
        if (!object || !attr) return null;
        if (object.type === 'identifier' && (object.text === 'self' || object.text === 'cls') && className) {
          return this.attributeType({ module, name: className }, attr, depth + 1);
        }
        const dotted = dottedName(expr);
        if (dotted) {
          const target = this.resolveInScope(dotted, module, scope);
          if (target?.kind === 'global') return this.globalType(target.module, target.name, depth + 1);
        }
        const owner = this.typeOf(object, module, scope, className, depth + 1);
        return owner ? this.attributeType(owner, attr, depth + 1) : null;
      }
      default:
        return null;
    }
  }

  /** A dotted name unless a local of the scope shadows its first part. */
  private resolveInScope(dotted: string, module: string, scope: Node | null): Target | null {
    const head = dotted.split('.')[0];
    if (scope && this.localsOf(scope).values.has(head)) return null;
    return this.resolve(module, dotted);
  }

  /** What calling `call` gives: a new instance of a project class, or a factory's return value. */
  private callResult(
    call: Node,
    module: string,
    scope: Node | null,
    className: string | null,
    depth: number,
  ): ClassRef | null {
    const fn = field(call, 'function');
    const dotted = dottedName(fn);
    if (dotted) {
      const target = this.resolveInScope(dotted, module, scope);
      if (target?.kind === 'class') return target.ref;
      if (target?.kind === 'function') return this.returnType(target.module, target.name, depth + 1);
    }
    // obj.factory(): a method of a typed object that returns an instance.
    if (fn?.type === 'attribute') {
      const owner = this.typeOf(field(fn, 'object'), module, scope, className, depth + 1);
      const method = field(fn, 'attribute')?.text;
      if (owner && method) {
        const found = this.methodOf(owner, method);
        if (found) return this.returnType(found.module, found.name, depth + 1);
      }
    }
    return null;
  }

  private nameType(
    name: string,
    module: string,
    scope: Node | null,
    className: string | null,
    depth: number,
  ): ClassRef | null {
    if (scope) {
      const locals = this.localsOf(scope);
      const annotation = locals.annotations.get(name);
      const declared = annotation ? this.namedClass(annotation, module) : null;
      if (declared) return declared;
      const values = locals.values.get(name);
      if (values) {
        for (const value of values) {
          const type = this.typeOf(value, module, scope, className, depth + 1);
          if (type) return type;
        }
        return null;
      }
    }
    const target = this.resolve(module, name);
    if (target?.kind === 'global') return this.globalType(target.module, target.name, depth + 1);
    return null;
  }

  /** The type of a module-level variable (a singleton such as `client = Client()`). */
  private globalType(module: string, name: string, depth: number): ClassRef | null {
    return this.memoized(`g:${module}:${name}`, () => {
      const value = this.modules.get(module)?.globals.get(name) ?? null;
      return this.typeOf(value, module, null, null, depth + 1);
    });
  }

  /** What a function returns, when one of its `return` statements plainly builds a project instance. */
  returnType(module: string, name: string, depth = 0): ClassRef | null {
    return this.memoized(`r:${module}:${name}`, () => {
      const def = this.modules.get(module)?.defs.get(name);
      if (!def || depth > MAX_DEPTH) return null;
      const className = classOfMethod(this.modules.get(module)!, name);
      for (const ret of bodyIndex(def).returns) {
        const type = this.typeOf(namedChildren(ret)[0] ?? null, module, def, className, depth + 1);
        if (type) return type;
      }
      return null;
    });
  }

  /** The type of `self.attr` for instances of `ref` (set in any method, or at class level; bases too). */
  attributeType(ref: ClassRef, attr: string, depth = 0): ClassRef | null {
    return this.memoized(`a:${ref.module}:${ref.name}:${attr}`, () => {
      for (const owner of this.lineage(ref)) {
        for (const { assignment, scope } of this.attributesOf(owner).get(attr) ?? []) {
          const type =
            this.annotated(assignment, owner.module) ??
            this.typeOf(field(assignment, 'right'), owner.module, scope, owner.name, depth + 1);
          if (type) return type;
        }
      }
      return null;
    });
  }

  /** A class's attributes → their assignments: `self.x = …` in its methods, `x = …` in its body. */
  private attributesOf(ref: ClassRef): Map<string, { assignment: Node; scope: Node | null }[]> {
    const key = `${ref.module}:${ref.name}`;
    let table = this.attributes.get(key);
    if (table) return table;
    table = new Map();
    const add = (name: string, assignment: Node, scope: Node | null) => {
      const list = table!.get(name);
      if (list) list.push({ assignment, scope });
      else table!.set(name, [{ assignment, scope }]);
    };
    const mod = this.modules.get(ref.module)!;
    for (const method of this.methods(mod).get(ref.name) ?? []) {
      for (const assignment of bodyIndex(method).assignments) {
        const left = field(assignment, 'left');
        if (left?.type !== 'attribute') continue;
        const object = field(left, 'object');
        const name = field(left, 'attribute')?.text;
        if (object?.type === 'identifier' && object.text === 'self' && name) add(name, assignment, method);
      }
    }
    const body = field(mod.classes.get(ref.name)!, 'body');
    for (const stmt of body ? namedChildren(body) : []) {
      const assignment = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
      const left = assignment?.type === 'assignment' ? field(assignment, 'left') : null;
      if (left?.type === 'identifier') add(left.text, assignment!, null);
    }
    this.attributes.set(key, table);
    return table;
  }

  /** A module's classes → the def nodes of their own methods. */
  private methods(module: TypedModule): Map<string, Node[]> {
    let byClass = this.methodsByModule.get(module.module);
    if (byClass) return byClass;
    byClass = new Map();
    for (const [name, def] of module.defs) {
      const owner = classOfMethod(module, name);
      if (!owner) continue;
      const list = byClass.get(owner);
      if (list) list.push(def);
      else byClass.set(owner, [def]);
    }
    this.methodsByModule.set(module.module, byClass);
    return byClass;
  }

  /** `name` as a method of `ref` or of one of its project bases: the function's module and name. */
  methodOf(ref: ClassRef, name: string): { module: string; name: string } | null {
    for (const owner of this.lineage(ref)) {
      const qualified = `${owner.name}.${name}`;
      if (this.modules.get(owner.module)?.defs.has(qualified))
        return { module: owner.module, name: qualified };
    }
    return null;
  }

  /** The class and its project bases, nearest first (a cycle or an unknown base ends the walk). */
  private lineage(ref: ClassRef): ClassRef[] {
    const out: ClassRef[] = [];
    const seen = new Set<string>();
    const queue = [ref];
    while (queue.length && out.length < 16) {
      const next = queue.shift()!;
      const key = `${next.module}:${next.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const cls = this.modules.get(next.module)?.classes.get(next.name);
      if (!cls) continue;
      out.push(next);
      const bases = field(cls, 'superclasses');
      for (const base of bases ? namedChildren(bases) : []) {
        const dotted = dottedName(base);
        const target = dotted ? this.resolve(next.module, dotted) : null;
        if (target?.kind === 'class') queue.push(target.ref);
      }
    }
    return out;
  }

  /** `x: Client = …`: the annotation, when it names a project class. */
  private annotated(assignment: Node, module: string): ClassRef | null {
    const type = field(assignment, 'type');
    return type ? this.namedClass(type, module) : null;
  }

  /** The project class a type annotation names (`Client`, `clients.Client`; not `list[Client]`). */
  private namedClass(type: Node, module: string): ClassRef | null {
    const inner = type.type === 'type' ? (namedChildren(type)[0] ?? null) : type;
    const dotted = dottedName(inner);
    const target = dotted ? this.resolve(module, dotted) : null;
    return target?.kind === 'class' ? target.ref : null;
  }

  /** A function's local names → the values assigned to them (assignments, `with … as x`) and annotations. */
  private localsOf(def: Node): Locals {
    const known = this.locals.get(def);
    if (known) return known;
    const locals: Locals = { values: new Map(), annotations: new Map() };
    const add = (name: string, value: Node | null) => {
      if (!value) return;
      const list = locals.values.get(name);
      if (list) list.push(value);
      else locals.values.set(name, [value]);
    };
    for (const assignment of bodyIndex(def).assignments) {
      const left = field(assignment, 'left');
      if (left?.type !== 'identifier') continue;
      const type = field(assignment, 'type');
      if (type) locals.annotations.set(left.text, type);
      add(left.text, field(assignment, 'right'));
    }
    const parameters = field(def, 'parameters');
    for (const param of parameters ? namedChildren(parameters) : []) {
      // `def handle(client: Client)`: a parameter typed with a project class.
      if (param.type !== 'typed_parameter' && param.type !== 'typed_default_parameter') continue;
      const name = param.type === 'typed_parameter' ? namedChildren(param)[0] : field(param, 'name');
      const type = field(param, 'type');
      if (name?.type === 'identifier' && type) {
        locals.annotations.set(name.text, type);
        if (!locals.values.has(name.text)) locals.values.set(name.text, []);
      }
    }
    for (const item of bodyIndex(def).withItems) {
      const value = field(item, 'value');
      if (value?.type === 'as_pattern') {
        const target = field(value, 'alias') ?? namedChildren(value).at(-1) ?? null;
        const name = target?.type === 'as_pattern_target' ? namedChildren(target)[0] : target;
        if (name?.type === 'identifier') add(name.text, namedChildren(value)[0] ?? null);
      }
    }
    this.locals.set(def, locals);
    return locals;
  }

  private memoized(key: string, compute: () => ClassRef | null): ClassRef | null {
    if (this.memo.has(key)) return this.memo.get(key)!;
    this.memo.set(key, null); // a cycle (a factory calling itself) resolves to unknown
    const value = compute();
    this.memo.set(key, value);
    return value;
  }
}

/** The class a method belongs to (`Client.fetch` → `Client`), when its parent name is a class. */
export function classOfMethod(module: TypedModule, name: string): string | null {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return null;
  const owner = name.slice(0, dot);
  return module.classes.has(owner) ? owner : null;
}

/** What the call graph and the type questions read of a def's own body, gathered in one walk. */
export interface BodyIndex {
  calls: Node[];
  assignments: Node[];
  withItems: Node[];
  returns: Node[];
}

const INDEXED: Record<string, keyof BodyIndex> = {
  call: 'calls',
  assignment: 'assignments',
  with_item: 'withItems',
  return_statement: 'returns',
};

const bodyIndexes = new WeakMap<Node, BodyIndex>();

/**
 * The calls, assignments, `with` items and returns of a def's own body (not of nested defs, lambdas or
 * classes: those are functions of their own). One walk per def: tree-sitter's nodes cost a trip into
 * wasm each, so the body is read once and the lists kept.
 */
export function bodyIndex(def: Node): BodyIndex {
  const known = bodyIndexes.get(def);
  if (known) return known;
  const index: BodyIndex = { calls: [], assignments: [], withItems: [], returns: [] };
  const body = field(def, 'body');
  const stack: Node[] = body ? [body] : [];
  while (stack.length) {
    const node = stack.pop()!;
    const list = INDEXED[node.type];
    if (list) index[list].push(node);
    for (const child of namedChildren(node)) {
      const type = child.type;
      if (type === 'function_definition' || type === 'class_definition' || type === 'lambda') continue;
      stack.push(child);
    }
  }
  bodyIndexes.set(def, index);
  return index;
}

/**
 * A module's functions and classes by qualified name (the first of each name), and its module-level
 * assignments (the last value of each name): one walk over the tree.
 */
export function definitionsOf(root: Node): {
  defs: Map<string, Node>;
  classes: Map<string, Node>;
  globals: Map<string, Node>;
} {
  const defs = new Map<string, Node>();
  const classes = new Map<string, Node>();
  for (const node of descendants(root, ['function_definition', 'class_definition'])) {
    const name = qualifiedName(node);
    const table = node.type === 'function_definition' ? defs : classes;
    if (name && !table.has(name)) table.set(name, node);
  }
  const globals = new Map<string, Node>();
  for (const stmt of namedChildren(root)) {
    const assignment = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
    if (assignment?.type !== 'assignment') continue;
    const left = field(assignment, 'left');
    const right = field(assignment, 'right');
    if (left?.type === 'identifier' && right) globals.set(left.text, right);
  }
  return { defs, classes, globals };
}
