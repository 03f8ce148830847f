/**
 * What one file binds, as the route extractors ask it: its source and tree, the lexical index of its
 * top-level definitions (lex-index.ts), its module-level imports, which scope binds a name seen from a
 * node, the strings it spells out (literals, f-strings of module constants), and defs the pre-scan left
 * out of the tree (parsed on demand). The base of HandlerResolver and RouteCollector.
 */
import type { ImportTable } from '../imports.js';
import type { Framework } from '../../model/static.js';
import type { Parser, Tree } from 'web-tree-sitter';
import { parsePython } from '../parse.js';
import { splitTopLevel, toRanges, type SourceBlock } from '../prescan.js';
import {
  dottedName,
  field,
  functionScope,
  keywordArgument,
  namedChildren,
  positionalArguments,
  stringValue,
  unparenthesize,
  type Node,
} from '../pyast.js';
import { buildLexIndex, pickLast, type LexIndex } from './lex-index.js';
import { importsOf, moduleImports, type Imports } from './module-imports.js';

/** The scope part of the key of a module-level name (`module:app`). */
export const MODULE_SCOPE = 'module';

/** A variable of another module, as imported: `.routers.items` + `router`. */
export interface ImportRef {
  module: string;
  name: string;
}

/** Web frameworks with Flask/FastAPI-shaped decorators whose routes are not extracted. */
const OTHER_FRAMEWORKS = new Set([
  'ninja',
  'sanic',
  'bottle',
  'litestar',
  'starlite',
  'falcon',
  'tornado',
  'robyn',
  'blacksheep',
  'responder',
  'hug',
  'pyramid',
  'cherrypy',
  'masonite',
  'emmett',
]);

/** A plain string literal's value (no f-string interpolation, concatenations allowed). */
export function literal(node: Node | null): string | null {
  return stringValue(unparenthesize(node));
}

/** String values of a literal list/tuple/set of strings, or null when anything is not a literal. */
export function literalList(node: Node | null): string[] | null {
  const n = unparenthesize(node);
  if (!n || (n.type !== 'list' && n.type !== 'tuple' && n.type !== 'set')) return null;
  const out: string[] = [];
  for (const item of namedChildren(n)) {
    if (item.type === 'comment') continue;
    const value = literal(item);
    if (value === null) return null;
    out.push(value);
  }
  return out;
}

/** A path argument worth a route: a literal that is empty or absolute. */
export function isRoutePath(path: string | null): path is string {
  return path !== null && (path === '' || path.startsWith('/'));
}

export function argument(call: Node, index: number, keyword: string | null): Node | null {
  if (keyword) {
    const kw = keywordArgument(call, keyword);
    if (kw) return kw;
  }
  return positionalArguments(call)[index] ?? null;
}

/** The leftmost name of a dotted expression (`a` of `a.b.c`). */
export function leftmost(node: Node): Node {
  let current = node;
  while (current.type === 'attribute') {
    const object = field(current, 'object');
    if (!object) break;
    current = object;
  }
  return current;
}

/** Names bound directly in a class body. */
function classBodyNames(cls: Node): Set<string> {
  const names = new Set<string>();
  const body = field(cls, 'body');
  if (!body) return names;
  for (const stmt of namedChildren(body)) {
    let s = stmt;
    if (s.type === 'decorated_definition') s = field(s, 'definition') ?? s;
    if (s.type === 'function_definition' || s.type === 'class_definition') {
      const name = field(s, 'name');
      if (name) names.add(name.text);
    } else if (s.type === 'expression_statement') {
      const inner = s.namedChild(0);
      if (inner?.type === 'assignment') {
        const left = field(inner, 'left');
        if (left?.type === 'identifier') names.add(left.text);
      }
    }
  }
  return names;
}

export class FileScope {
  readonly file: string;
  readonly root: Node;
  readonly imports: ImportTable;
  /** Local names bound by a module-level `from M import name`. */
  protected readonly fromNames: Set<string>;
  readonly source: string;
  private lexIndex: LexIndex | null = null;
  private readonly scopeNames = new Map<number, Set<string>>();
  private readonly scopeImports = new Map<number, Imports>();
  /** Frameworks the file imports anything from. */
  readonly importedFrameworks = new Set<Framework>();
  /** True when the file imports a web framework routes are not extracted for (Sanic, Django Ninja…). */
  importsOtherFramework = false;

  /** For defs the pre-scan left out of the tree (see functionAt); none in some unit tests. */
  private readonly parser: Parser | null;
  private readonly extraTrees: Tree[] = [];
  private readonly functions = new Map<number, Node | null>();
  private sourceLines: string[] | null = null;
  private blocks: SourceBlock[] | null = null;

  constructor(file: string, source: string, root: Node, parser: Parser | null = null) {
    this.file = file;
    this.source = source;
    this.root = root;
    this.parser = parser;
    // Only module-level imports (`try: import ujson as json` included): the pre-scan always parses
    // them, while imports inside defs are parsed only when their def is, which would make the routes
    // depend on which other rules ran.
    const own = importsOf(moduleImports(root));
    this.imports = own.table;
    this.fromNames = own.fromNames;
    for (const target of this.imports.bindings.values()) {
      const top = target.split('.')[0];
      if (top.startsWith('flask') || top === 'quart') this.importedFrameworks.add('flask');
      else if (top === 'fastapi') this.importedFrameworks.add('fastapi');
      else if (top === 'aiohttp') this.importedFrameworks.add('aiohttp');
      else if (top === 'django') this.importedFrameworks.add('django');
      else if (OTHER_FRAMEWORKS.has(top)) this.importsOtherFramework = true;
    }
  }

  get lex(): LexIndex {
    this.lexIndex ??= buildLexIndex(this.source);
    return this.lexIndex;
  }

  /**
   * The `def` starting at `line` (1-based). The pre-scan may have left it out of the tree (a view
   * registered by `add_url_rule("/x", view_func=f)` is a def of its own that names no route), so its
   * top-level statement is then parsed alone: either way the same text gives the same subtree.
   */
  functionAt(line: number): Node | null {
    if (this.functions.has(line)) return this.functions.get(line)!;
    const row = line - 1;
    this.sourceLines ??= this.source.split('\n');
    const text = this.sourceLines[row] ?? '';
    const find = (root: Node): Node | null => {
      const column = /^[ \t]*/.exec(text)![0].length;
      for (let n: Node | null = root.descendantForPosition({ row, column }); n; n = n.parent) {
        if (n.type === 'function_definition' && n.startPosition.row === row) return n;
      }
      return null;
    };
    let found = find(this.root);
    if (!found && this.parser) {
      // Blocks tile the file: the def's is the last one starting at or before its row.
      this.blocks ??= splitTopLevel(this.source);
      const block = this.blocks.filter((b) => b.startRow <= row).pop();
      if (block) {
        const tree = parsePython(this.parser, this.source, toRanges([block]));
        this.extraTrees.push(tree);
        found = find(tree.rootNode);
      }
    }
    this.functions.set(line, found);
    return found;
  }

  /** Frees the trees functionAt parsed. */
  dispose(): void {
    for (const tree of this.extraTrees) tree.delete();
    this.extraTrees.length = 0;
    this.functions.clear();
  }

  /**
   * A string the file spells out: a literal, an f-string or `+` of literals and module-level string
   * constants (`API_PREFIX = "/api/v1"`), so `f"{API_PREFIX}/items"` is known. Null for anything else.
   */
  stringOf(node: Node | null, depth = 0): string | null {
    const n = unparenthesize(node);
    if (!n || depth > 6) return null;
    switch (n.type) {
      case 'string': {
        let value = '';
        for (const child of namedChildren(n)) {
          if (child.type === 'string_content') value += child.text;
          else if (child.type === 'interpolation') {
            if (namedChildren(child).length !== 1) return null; // !r, :format
            const inner = this.stringOf(field(child, 'expression'), depth + 1);
            if (inner === null) return null;
            value += inner;
          }
        }
        return value;
      }
      case 'concatenated_string':
      case 'binary_operator': {
        if (n.type === 'binary_operator' && field(n, 'operator')?.type !== '+') return null;
        let value = '';
        for (const part of n.type === 'binary_operator'
          ? [field(n, 'left'), field(n, 'right')]
          : namedChildren(n)) {
          const inner = this.stringOf(part, depth + 1);
          if (inner === null) return null;
          value += inner;
        }
        return value;
      }
      case 'identifier': {
        if (this.bindingScope(n, n.text)) return null;
        return pickLast(this.lex.constants.get(n.text), n.startPosition.row + 1)?.value ?? null;
      }
      default:
        return null;
    }
  }

  /**
   * A prefix argument's value; one the file does not spell out (`settings.API_V1_STR`, an imported
   * constant) becomes a path variable named after the expression (`{settings.API_V1_STR}`, Flask
   * `<settings.API_V1_STR>`), so the route keeps its place and shows what is unknown.
   */
  prefixOf(node: Node | null, framework: Framework): string | null {
    if (!node) return null;
    const value = this.stringOf(node);
    if (value !== null) return value;
    const text = node.text.replace(/\s+/g, '');
    return framework === 'flask' ? `<${text}>` : `{${text}}`;
  }

  // --- scopes ---

  private namesOf(scope: Node): Set<string> {
    let names = this.scopeNames.get(scope.id);
    if (!names) {
      names = scope.type === 'class_definition' ? classBodyNames(scope) : functionScope(scope).locals;
      this.scopeNames.set(scope.id, names);
    }
    return names;
  }

  /** The scope (def/class node, or null for the module) that binds `name` as seen from `node`. */
  bindingScope(node: Node, name: string): Node | null {
    let crossedFunction = false;
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'lambda') {
        if (this.namesOf(p).has(name)) return p;
        crossedFunction = true;
      } else if (p.type === 'class_definition' && !crossedFunction) {
        if (this.namesOf(p).has(name)) return p;
      }
    }
    return null;
  }

  /** The imports that bind `name` as seen from `node`: the module's, or those of the def binding it. */
  protected importsAt(node: Node, name: string): Imports {
    const scope = this.bindingScope(node, name);
    if (!scope) return { table: this.imports, fromNames: this.fromNames };
    let imports = this.scopeImports.get(scope.id);
    if (!imports) {
      imports = importsOf([scope]);
      this.scopeImports.set(scope.id, imports);
    }
    return imports;
  }

  /** Identity of the object a name denotes at `node`. */
  keyOf(node: Node, name: string): string {
    const scope = this.bindingScope(node, name);
    return scope ? `${scope.startIndex}:${name}` : `${MODULE_SCOPE}:${name}`;
  }

  /**
   * The module variable an expression names through the imports in effect where it stands (module
   * level, or the enclosing def's own imports, as in `create_app()`): `items.router` after `from
   * .routers import items` → `.routers.items` + `router`; `bp` after `from app.api import bp` →
   * `app.api` + `bp`. Null when the name is not imported, or names a module itself (`import items`).
   */
  importRef(expr: Node | null): ImportRef | null {
    const node = unparenthesize(expr);
    const text = dottedName(node);
    if (!node || !text) return null;
    const head = text.split('.')[0];
    const at = node.type === 'identifier' ? node : leftmost(node);
    const bound = this.importsAt(at, head).table.bindings.get(head);
    if (bound === undefined) return null;
    const full = bound + text.slice(head.length);
    const dots = /^\.*/.exec(full)![0];
    const rest = full.slice(dots.length);
    const dot = rest.lastIndexOf('.');
    if (dot < 0) return dots ? { module: dots, name: rest } : null;
    return { module: dots + rest.slice(0, dot), name: rest.slice(dot + 1) };
  }
}
