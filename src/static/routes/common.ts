/**
 * What the per-framework route extractors share: a lexical index of the file's top-level definitions,
 * name → scope resolution, handler resolution through the imports, and the registry of route holders
 * (apps, blueprints, routers, route tables) with the prefixes their registrations apply.
 *
 * The pre-scan parses only the statements that pass ROUTE_TRIGGER, so anything a route merely *refers*
 * to (a handler `def`, a view class, `handler = Handler()`) may be missing from the tree. Those are
 * always looked up in the lexical index instead, in both modes, so a partial parse and a full parse
 * give the same routes.
 */
import { ImportTable } from '../imports.js';
import type { WrittenField } from './request-shape.js';
import type { Framework, Mount, Reexport, Route, RouteHolder, RouteOwner } from '../../model/static.js';
import type { Parser, Tree } from 'web-tree-sitter';
import { parsePython } from '../parse.js';
import { splitTopLevel, toRanges, type SourceBlock } from '../prescan.js';
import {
  descendants,
  dottedName,
  field,
  functionScope,
  keywordArgument,
  namedChildren,
  positionalArguments,
  qualifiedName,
  stringValue,
  unparenthesize,
  walkOwnScope,
  type Node,
} from '../pyast.js';

export type Handler = Route['handler'];

// --- lexical index -------------------------------------------------------------------------------

export interface LexClass {
  name: string;
  line: number;
  /** Base class expressions as written (`MethodView`, `web.View`), keyword arguments dropped. */
  bases: string[];
  /** Own methods (the shallowest `def`s of the body) → line of the `def`. */
  methods: Map<string, number>;
  /** Literal strings of a `methods = [...]` class attribute, or null. */
  methodsAttr: string[] | null;
  /** Annotated class attributes (`name: str = ""`), in order: a pydantic model's fields. */
  fields: WrittenField[];
  /** `NAME = literal` class attributes, in order: an Enum's members. */
  members: { name: string; value: string | number | boolean }[];
}

export interface LexIndex {
  /** Top-level `def name` → lines, in source order. */
  defs: Map<string, { line: number }[]>;
  classes: Map<string, LexClass[]>;
  /** Top-level `name = Callee(...)` → callee text and line. */
  instances: Map<string, { callee: string; line: number }[]>;
  /** Top-level `NAME = "plain string"` → value and line (route prefixes kept in constants). */
  constants: Map<string, { value: string; line: number }[]>;
}

const DEF_LINE = /^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)|^class[ \t]+([A-Za-z_]\w*)/;
const METHOD_LINE = /^([ \t]+)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/;
const CLASS_HEAD = /^class[ \t]+[A-Za-z_]\w*[ \t]*(?:\(([^)]*)\))?/;
const METHODS_ATTR = /^([ \t]+)methods[ \t]*(?::[^=\n]*)?=[ \t]*[[({]([^\])}]*)[\])}]/gm;
const CONSTANT =
  /^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*[rRuU]?(['"])((?:(?!\2)[^\\\n])*)\2[ \t]*(?:#.*)?\s*$/;
const INSTANCE = /^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*([A-Za-z_][\w.]*)[ \t]*\(/;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function buildLexIndex(
  source: string,
  blocks: readonly SourceBlock[] = splitTopLevel(source),
): LexIndex {
  const index: LexIndex = { defs: new Map(), classes: new Map(), instances: new Map(), constants: new Map() };
  for (const block of blocks) {
    const text = source.slice(block.start, block.end);
    if (block.head === 'stmt') {
      const m = INSTANCE.exec(text);
      if (m) push(index.instances, m[1], { callee: m[2], line: block.startRow + 1 });
      const k = CONSTANT.exec(text);
      if (k) push(index.constants, k[1], { value: k[3], line: block.startRow + 1 });
      continue;
    }
    if (block.head !== 'def' && block.head !== 'async def' && block.head !== 'class' && block.head !== '@')
      continue;
    const lines = text.split('\n');
    let at = -1;
    let match: RegExpExecArray | null = null;
    for (let i = 0; i < lines.length; i++) {
      match = DEF_LINE.exec(lines[i]);
      if (match) {
        at = i;
        break;
      }
    }
    if (!match) continue;
    const line = block.startRow + at + 1;
    if (match[1]) {
      push(index.defs, match[1], { line });
      continue;
    }
    const header = CLASS_HEAD.exec(lines.slice(at).join('\n'));
    const bases = (header?.[1] ?? '')
      .replace(/#[^\n]*/g, '')
      .split(',')
      .map((b) => b.trim().replace(/\[.*$/s, ''))
      .filter((b) => b && !b.includes('=') && !b.startsWith('*'));
    const found: { indent: number; name: string; line: number }[] = [];
    for (let i = at + 1; i < lines.length; i++) {
      const m = METHOD_LINE.exec(lines[i]);
      if (m) found.push({ indent: m[1].length, name: m[2], line: block.startRow + i + 1 });
    }
    const shallowest = Math.min(...found.map((f) => f.indent));
    const methods = new Map<string, number>();
    for (const f of found) if (f.indent === shallowest) methods.set(f.name, f.line);
    // A class attribute sits at the methods' indentation; deeper ones are locals of some method.
    const attr = [
      ...lines
        .slice(at + 1)
        .join('\n')
        .matchAll(METHODS_ATTR),
    ].find((m) => !found.length || m[1].length === shallowest);
    const methodsAttr = attr ? [...attr[2].matchAll(/['"]([A-Za-z]+)['"]/g)].map((m) => m[1]) : null;
    const { fields, members } = classAttributes(lines, at, block.startRow);
    push(index.classes, match[2], { name: match[2], line, bases, methods, methodsAttr, fields, members });
  }
  return index;
}

const ATTRIBUTE_HEAD = /^([ \t]*)([A-Za-z_]\w*)[ \t]*(:|=(?!=))(.*)$/;
const TRIPLE_QUOTE = /("""|''')/;

/**
 * The annotated attributes and literal assignments directly in a class body (lines at the body's own
 * indentation, outside docstrings), read lexically so the class need not be parsed. A declaration whose
 * brackets stay open continues on the next lines.
 */
function classAttributes(
  lines: readonly string[],
  classLine: number,
  startRow: number,
): { fields: WrittenField[]; members: LexClass['members'] } {
  const fields: WrittenField[] = [];
  const members: LexClass['members'] = [];
  // The header ends at the first line whose brackets are balanced and which ends with `:`.
  let depth = 0;
  let body = -1;
  for (let i = classLine; i < lines.length; i++) {
    const code = stripComment(lines[i]);
    depth += bracketBalance(code);
    if (depth <= 0 && code.trimEnd().endsWith(':')) {
      body = i + 1;
      break;
    }
  }
  if (body < 0) return { fields, members };
  let indent: string | null = null;
  let inString: string | null = null;
  for (let i = body; i < lines.length; i++) {
    const line = lines[i];
    if (inString) {
      if (countOf(line, inString) % 2 === 1) inString = null;
      continue;
    }
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const lead = /^[ \t]*/.exec(line)![0];
    indent ??= lead;
    const triple = TRIPLE_QUOTE.exec(line)?.[1];
    if (triple && countOf(line, triple) % 2 === 1) {
      inString = triple;
      continue;
    }
    if (lead !== indent) continue;
    const m = ATTRIBUTE_HEAD.exec(line);
    if (!m) continue;
    // Join continuation lines while brackets stay open.
    let rest = stripComment(m[4]);
    let open = bracketBalance(rest);
    let j = i;
    while (open > 0 && j + 1 < lines.length) {
      j++;
      const more = stripComment(lines[j]);
      rest += ` ${more.trim()}`;
      open += bracketBalance(more);
    }
    const declared = startRow + i + 1;
    i = j;
    if (m[3] === '=') {
      const value = literalText(rest.trim());
      if (value !== undefined) members.push({ name: m[2], value });
      continue;
    }
    const at = topLevelEquals(rest);
    const annotation = (at < 0 ? rest : rest.slice(0, at)).trim();
    const value = at < 0 ? null : rest.slice(at + 1).trim();
    if (annotation) fields.push({ name: m[2], annotation, default: value, line: declared });
  }
  return { fields, members };
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * Walks code outside strings, calling `visit` with each character and the bracket depth before it;
 * `visit` returning true stops the walk and gives that index.
 */
function scanCode(code: string, visit: (ch: string, depth: number, at: number) => boolean): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (visit(ch, depth, i)) return i;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
  }
  return -1;
}

/** The text before a `#` that is not inside a string. */
function stripComment(line: string): string {
  const at = scanCode(line, (ch) => ch === '#');
  return at < 0 ? line : line.slice(0, at);
}

/** Opening minus closing brackets outside strings. */
function bracketBalance(code: string): number {
  let balance = 0;
  scanCode(code, (ch) => {
    if ('([{'.includes(ch)) balance++;
    else if (')]}'.includes(ch)) balance--;
    return false;
  });
  return balance;
}

/** The index of the first `=` outside brackets and strings that is not part of `==`, `<=`, `!=`…. */
function topLevelEquals(code: string): number {
  return scanCode(
    code,
    (ch, depth, i) => ch === '=' && depth === 0 && code[i + 1] !== '=' && !'<>!='.includes(code[i - 1] ?? ''),
  );
}

/** A Python literal's value as written (`"a"`, `3`, `True`), or undefined. */
function literalText(text: string): string | number | boolean | undefined {
  const quoted = /^[rRuU]?(['"])((?:(?!\1)[^\\])*)\1$/.exec(text);
  if (quoted) return quoted[2];
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (text === 'True' || text === 'False') return text === 'True';
  return undefined;
}

/**
 * The module-level import bindings, read lexically (local name → qualified name, as ImportTable has
 * them), and the `from M import name [as alias]` ones as re-exports. Only top-level `import`/`from`
 * statements: enough to tell a class's bases and a package's re-exports without parsing the file.
 */
export function lexicalImports(
  source: string,
  blocks: readonly SourceBlock[] = splitTopLevel(source),
): { bindings: Map<string, string>; reexports: Reexport[] } {
  const bindings = new Map<string, string>();
  const reexports: Reexport[] = [];
  for (const block of blocks) {
    if (block.head !== 'import' && block.head !== 'from') continue;
    const text = source
      .slice(block.start, block.end)
      .split('\n')
      .map(stripComment)
      .join(' ')
      .replace(/\\/g, ' ')
      .replace(/[()]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const from = /^from ([.\w]+) import (.+)$/.exec(text);
    const names = (from ? from[2] : text.replace(/^import /, '')).split(',').map((n) => n.trim());
    for (const entry of names) {
      const m = /^([\w.]+|\*)(?: as (\w+))?$/.exec(entry);
      if (!m) continue;
      if (from) {
        const module = from[1];
        const local = m[2] ?? m[1];
        reexports.push({ name: local, module, target: m[1] });
        if (m[1] !== '*') bindings.set(local, module.endsWith('.') ? module + m[1] : `${module}.${m[1]}`);
      } else if (m[2]) bindings.set(m[2], m[1]);
      else bindings.set(m[1].split('.')[0], m[1].split('.')[0]);
    }
  }
  return { bindings, reexports };
}

/** The definition of `name` in effect at `line`: the last one before it, else the last one at all. */
export function pickLast<T extends { line: number }>(list: T[] | undefined, line: number): T | undefined {
  if (!list?.length) return undefined;
  let best: T | undefined;
  for (const item of list) if (item.line <= line) best = item;
  return best ?? list[list.length - 1];
}

// --- modules and files ---------------------------------------------------------------------------

function dirParts(file: string): string[] {
  const parts = file.split('/');
  parts.pop();
  return parts.filter((p) => p && p !== '.');
}

/**
 * Best-guess path (relative to the analysed root) of the file defining a module. Relative imports are
 * exact; an absolute module is anchored at the directory of the current file's path that carries its
 * top package name, else placed beside the current file (`sibling`) or beside its package (`parent`, the
 * Django project layout where apps sit next to the project package). Packages (`__init__.py`) are not
 * told apart from modules: consumers should check the file exists and otherwise match by suffix.
 */
export function moduleFile(
  currentFile: string,
  module: string,
  fallback: 'sibling' | 'parent' = 'sibling',
): string {
  const dirs = dirParts(currentFile);
  const dots = /^\.*/.exec(module)![0].length;
  const rest = module.slice(dots).split('.').filter(Boolean);
  let base: string[];
  if (dots > 0) {
    base = dirs.slice(0, Math.max(0, dirs.length - (dots - 1)));
  } else {
    const anchor = dirs.lastIndexOf(rest[0]);
    if (anchor >= 0) base = dirs.slice(0, anchor);
    else base = fallback === 'parent' ? dirs.slice(0, -1) : dirs;
  }
  if (!rest.length) return [...base, '__init__.py'].join('/');
  return [...base, ...rest].join('/') + '.py';
}

/**
 * Splits a reference through an import into its module and the qualified name inside that module.
 * `bound` is what the reference's first name was imported as; `rest` the attributes after it.
 */
function splitImported(
  bound: string,
  rest: string[],
  fromImport: boolean,
): { module: string; name: string } | null {
  const dot = bound.lastIndexOf('.');
  const last = bound.slice(dot + 1);
  if (fromImport && dot >= 0 && (rest.length === 0 || /^[A-Z]/.test(last))) {
    // `from .views import index` / `from .views import DetailView` (+ `.as_view`, `.get`).
    // `from . import index`: the package itself.
    const module = bound.slice(0, dot) || /^\.*/.exec(bound)![0];
    return { module, name: [last, ...rest].join('.') };
  }
  if (!rest.length) return null;
  // `from . import views` / `import app.views`: the binding is a module; a capitalised segment past
  // it starts a class (`views.DetailView`).
  const upper = rest.findIndex((p) => /^[A-Z]/.test(p));
  const cut = upper >= 0 ? upper : rest.length - 1;
  const module = [bound, ...rest.slice(0, cut)].join('.');
  return { module, name: rest.slice(cut).join('.') };
}

interface Imports {
  table: ImportTable;
  /** Local names bound by `from M import name` (as opposed to `import M`). */
  fromNames: Set<string>;
}

const IMPORTS = new Set(['import_statement', 'import_from_statement']);
const COMPOUND = new Set([
  'if_statement',
  'try_statement',
  'with_statement',
  'block',
  'else_clause',
  'elif_clause',
  'except_clause',
  'finally_clause',
]);

/** Import statements at module level, also inside top-level `if`/`try`/`with`, never inside defs. */
function moduleImports(root: Node): Node[] {
  const out: Node[] = [];
  const stack = namedChildren(root).reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (IMPORTS.has(node.type)) out.push(node);
    else if (COMPOUND.has(node.type)) stack.push(...namedChildren(node).reverse());
  }
  return out;
}

/** The import bindings made by (or inside) the given statements. */
function importsOf(nodes: Node[]): Imports {
  const table = new ImportTable();
  const fromNames = new Set<string>();
  for (const node of nodes) {
    for (const [local, target] of ImportTable.fromTree(node).bindings) table.bindings.set(local, target);
    for (const stmt of descendants(node, 'import_from_statement')) {
      const moduleNode = field(stmt, 'module_name');
      for (const child of namedChildren(stmt)) {
        if (moduleNode && child.equals(moduleNode)) continue;
        if (child.type === 'aliased_import') {
          const alias = field(child, 'alias')?.text;
          if (alias) fromNames.add(alias);
        } else if (child.type === 'dotted_name') fromNames.add(child.text);
      }
    }
  }
  return { table, fromNames };
}

// --- strings -------------------------------------------------------------------------------------

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

// --- scopes --------------------------------------------------------------------------------------

const MODULE_SCOPE = 'module';

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

// --- holders -------------------------------------------------------------------------------------

/** Something routes are registered on: an app, a blueprint/router, an aiohttp route table or list. */
export type HolderKind = 'app' | 'group' | 'table' | 'other' | 'unknown';

export interface Holder {
  key: string;
  name: string;
  kind: HolderKind;
  framework: Framework | null;
  /** The holder's own prefix (Blueprint `url_prefix`, APIRouter `prefix`). */
  prefix: string | null;
  /** For a holder the file imports (`from .routers import items` + `items.router`): where it lives. */
  imported?: ImportRef | null;
}

/** A variable of another module, as imported: `.routers.items` + `router`. */
export interface ImportRef {
  module: string;
  name: string;
}

export interface Registration {
  parent: string;
  child: string;
  /** Prefix given at registration (`register_blueprint(url_prefix=)`, `include_router(prefix=)`). */
  prefix: string | null;
  /** The registration call's framework (how its prefix combines with the child's) and line. */
  framework: Framework;
  line: number;
}

export interface Declaration {
  holder: string | null;
  framework: Framework;
  method: string;
  /** As written at the declaration, before any holder prefix. */
  path: string;
  handler: Handler;
  line: number;
  /** The owner, when the extractor knows it without a holder (Django's URLconf lists). */
  owner?: RouteOwner;
}

/** One registration chain from a holder up to a holder nothing in the file registers. */
interface Chain {
  root: string;
  /** The prefix along the chain, the root's own included (what the file serves the holder under). */
  abs: string;
  /** The same without the root's own prefix: relative to the root. */
  rel: string;
}

/** A class a route refers to: its own methods and those of same-file bases, in MRO-ish order. */
export interface ClassRef {
  name: string;
  /** Null when the class lives in another file. */
  local: LexClass | null;
  handler: Handler;
}

const CONSTRUCTORS: Record<string, { kind: HolderKind; framework: Framework | null }> = {
  Flask: { kind: 'app', framework: 'flask' },
  Quart: { kind: 'app', framework: 'flask' },
  Blueprint: { kind: 'group', framework: 'flask' },
  FastAPI: { kind: 'app', framework: 'fastapi' },
  APIRouter: { kind: 'group', framework: 'fastapi' },
  RouteTableDef: { kind: 'table', framework: 'aiohttp' },
  // Other frameworks with the same decorator shapes: recognised only so their routes are not
  // mislabelled as Flask or FastAPI.
  Sanic: { kind: 'other', framework: null },
  Bottle: { kind: 'other', framework: null },
  Robyn: { kind: 'other', framework: null },
  Starlette: { kind: 'other', framework: null },
  Litestar: { kind: 'other', framework: null },
};

/**
 * Constructor names whose bindings must be parsed (pre-scan words). aiohttp's `web.Application()` is
 * not among them: nothing about an aiohttp app changes its routes, and the word is common. `Api` is
 * Flask-RESTful's / Flask-RESTX's (checked through the imports).
 */
export const CONSTRUCTOR_WORDS = [...Object.keys(CONSTRUCTORS), 'Api'];

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

export class RouteCollector {
  readonly file: string;
  readonly root: Node;
  readonly imports: ImportTable;
  private readonly fromNames: Set<string>;
  readonly source: string;
  private lexIndex: LexIndex | null = null;
  private readonly holders = new Map<string, Holder>();
  readonly registrations: Registration[] = [];
  readonly declarations: Declaration[] = [];
  private readonly explicitMounts: Mount[] = [];
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
  /** Holders a module-level def returns (`def make_router(): r = APIRouter(); …; return r`) → the def. */
  private readonly factories = new Map<string, string>();

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
  private importsAt(node: Node, name: string): Imports {
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

  // --- holders ---

  /** Records every `x = Flask(...)`-style binding in the parsed tree. */
  collectHolders(): void {
    const attached: [Node, string][] = [];
    /** Defs that build a holder: the only candidates for factories. */
    const builtIn = new Set<Node>();
    for (const assign of descendants(this.root, 'assignment')) {
      const left = field(assign, 'left');
      const right = unparenthesize(field(assign, 'right'));
      if (left?.type !== 'identifier' || right?.type !== 'call') continue;
      const callee = this.imports.resolve(field(right, 'function'));
      if (!callee) continue;
      const tail = callee.slice(callee.lastIndexOf('.') + 1);
      let spec = Object.hasOwn(CONSTRUCTORS, tail) ? CONSTRUCTORS[tail] : undefined;
      if (tail === 'Blueprint' && callee.startsWith('sanic')) spec = CONSTRUCTORS.Sanic;
      const restful = tail === 'Api' && /^flask_rest(?:ful|x|plus)\./.test(callee);
      if (restful) spec = { kind: 'group', framework: 'flask' };
      if (!spec) continue;
      let prefix: string | null = null;
      // Blueprint(name, import_name, static_folder, static_url_path, template_folder, url_prefix, …)
      if (tail === 'Blueprint') prefix = this.prefixOf(argument(right, 5, 'url_prefix'), 'flask');
      else if (tail === 'APIRouter') prefix = this.prefixOf(keywordArgument(right, 'prefix'), 'fastapi');
      else if (restful) prefix = this.prefixOf(keywordArgument(right, 'prefix'), 'flask');
      const key = this.keyOf(assign, left.text);
      if (!this.holders.has(key)) {
        this.holders.set(key, { key, name: left.text, ...spec, prefix });
        const scope = this.bindingScope(assign, left.text);
        if (scope?.type === 'function_definition') builtIn.add(scope);
        // Flask-RESTful `Api(app)` / `Api(blueprint)` serves its resources under that app or blueprint.
        const app = restful ? argument(right, 0, 'app') : null;
        if (app && dottedName(app)) attached.push([app, key]);
      }
    }
    for (const [app, key] of attached) {
      const parent = this.holderFor(app);
      if (parent) {
        const line = app.startPosition.row + 1;
        this.registrations.push({ parent: parent.key, child: key, prefix: null, framework: 'flask', line });
      }
    }
    this.collectFactories(builtIn);
  }

  /**
   * Module-level defs that build a holder and return it: the routes declared on it are served wherever
   * the def's result is registered (`app.include_router(make_router(), prefix="/v1")`, here or in a file
   * importing the def). Such defs construct the holder, so the pre-scan parses them.
   */
  private collectFactories(candidates: ReadonlySet<Node>): void {
    for (const def of candidates) {
      const parent = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
      const name = field(def, 'name')?.text;
      if (!name || parent?.type !== 'module') continue;
      walkOwnScope(def, (node) => {
        if (node.type !== 'return_statement') return;
        const value = unparenthesize(node.namedChild(0));
        if (value?.type !== 'identifier') return;
        const holder = this.holders.get(this.keyOf(value, value.text));
        if (holder && holder.kind !== 'unknown' && !this.factories.has(holder.key)) {
          this.factories.set(holder.key, name);
        }
      });
    }
  }

  /** The holder a same-file factory def returns, or null. */
  private factoryHolder(name: string): Holder | null {
    for (const [key, def] of this.factories) if (def === name) return this.holders.get(key) ?? null;
    return null;
  }

  /**
   * The holder an expression denotes (`app`, `app.router`, `bp`), created as `unknown` when the file
   * never binds it to a known constructor (imported apps, `app = create_app()`).
   */
  holderFor(expr: Node | null): Holder | null {
    const node = unparenthesize(expr);
    if (node?.type === 'call') return this.factoryCallHolder(node);
    const found = this.holderKey(expr);
    if (!found) return null;
    let holder = this.holders.get(found.key);
    if (!holder && node?.type === 'identifier' && found.key === `${MODULE_SCOPE}:${found.name}`) {
      // `router = make_router()` at module level (a statement the pre-scan need not parse).
      const instance = pickLast(this.lex.instances.get(found.name), node.startPosition.row + 1);
      const made = instance ? this.factoryHolder(instance.callee) : null;
      if (made) return made;
    }
    if (!holder) {
      holder = { key: found.key, name: found.name, kind: 'unknown', framework: null, prefix: null };
      holder.imported = this.importRef(found.node);
      this.holders.set(found.key, holder);
    }
    return holder;
  }

  /**
   * The holder a factory call returns: a same-file def's (`make_router()`), or an imported def's, named
   * `make_router()` in that module so linking finds the routes declared on it there.
   */
  private factoryCallHolder(call: Node): Holder | null {
    const fn = unparenthesize(field(call, 'function'));
    const text = dottedName(fn);
    if (!fn || !text) return null;
    if (fn.type === 'identifier' && !this.bindingScope(fn, text) && !this.imports.isImported(text)) {
      return this.factoryHolder(text);
    }
    const ref = this.importRef(fn);
    if (!ref) return null;
    const key = `${MODULE_SCOPE}:${text}()`;
    let holder = this.holders.get(key);
    if (!holder) {
      holder = { key, name: `${text}()`, kind: 'unknown', framework: null, prefix: null };
      holder.imported = { module: ref.module, name: `${ref.name}()` };
      this.holders.set(key, holder);
    }
    return holder;
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

  /** The holder an expression denotes when the file binds it to a known constructor, else null. */
  knownHolder(expr: Node | null): Holder | null {
    const found = this.holderKey(expr);
    const holder = found ? this.holders.get(found.key) : undefined;
    return holder && holder.kind !== 'unknown' ? holder : null;
  }

  private holderKey(expr: Node | null): { key: string; name: string; node: Node } | null {
    let node = unparenthesize(expr);
    // `app.router` is the app's router (aiohttp, Starlette), but `users.router` is the `router` of an
    // imported module.
    const object = node?.type === 'attribute' ? field(node, 'object') : null;
    if (
      object &&
      field(node, 'attribute')?.text === 'router' &&
      !(object.type === 'identifier' && this.importsAt(object, object.text).table.isImported(object.text))
    ) {
      node = object;
    }
    const text = dottedName(node);
    if (!node || !text) return null;
    const key = node.type === 'identifier' ? this.keyOf(node, text) : `${MODULE_SCOPE}:${text}`;
    return { key, name: text, node };
  }

  /** A holder for routes collected in a plain list (`routes = [web.get(...)]`). */
  listHolder(key: string, name: string, framework: Framework): Holder {
    let holder = this.holders.get(key);
    if (!holder) {
      holder = { key, name, kind: 'table', framework, prefix: null };
      this.holders.set(key, holder);
    }
    return holder;
  }

  register(parent: Holder, child: Holder, prefix: string | null, framework: Framework, line: number): void {
    this.registrations.push({ parent: parent.key, child: child.key, prefix, framework, line });
  }

  /** A registration of another module's routes the extractor describes itself (Django `include`). */
  addMount(mount: Mount): void {
    this.explicitMounts.push(mount);
  }

  declare(declaration: Declaration): void {
    this.declarations.push(declaration);
  }

  // --- handlers ---

  /** The handler of a decorated `def` (or class). */
  definitionHandler(definition: Node): Handler {
    return {
      file: this.file,
      function: qualifiedName(definition) ?? field(definition, 'name')?.text ?? '<unknown>',
      line: definition.startPosition.row + 1,
    };
  }

  /** Peels call wrappers around a view: `login_required(f)`, `cache_page(60)(f)`, `partial(f, x)`. */
  unwrapView(expr: Node | null): Node | null {
    let node = unparenthesize(expr);
    for (let depth = 0; node?.type === 'call' && depth < 8; depth++) {
      const fn = field(node, 'function');
      if (fn?.type === 'attribute' && field(fn, 'attribute')?.text === 'as_view') return node;
      const args = positionalArguments(node).filter(
        (a) => a.type === 'identifier' || a.type === 'attribute' || a.type === 'call' || a.type === 'lambda',
      );
      if (!args.length) return node;
      node = unparenthesize(args[0]);
    }
    return node;
  }

  /** The class named by `X.as_view(...)` (or by a bare class reference), or null. */
  classOfView(expr: Node | null, fallback: 'sibling' | 'parent' = 'sibling'): ClassRef | null {
    let node = this.unwrapView(expr);
    if (node?.type === 'call') {
      const fn = field(node, 'function');
      if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'as_view') return null;
      node = field(fn, 'object');
    }
    return this.classRef(node, fallback);
  }

  /** A reference to a class: same-file (lexical index) or imported. */
  classRef(node: Node | null, fallback: 'sibling' | 'parent' = 'sibling'): ClassRef | null {
    const text = dottedName(node);
    if (!node || !text) return null;
    const line = node.startPosition.row + 1;
    if (node.type === 'identifier' && !this.bindingScope(node, text)) {
      const local = pickLast(this.lex.classes.get(text), line);
      if (local) {
        return {
          name: text,
          local,
          handler: { file: this.file, function: text, line: local.line },
        };
      }
    }
    const handler = this.resolveHandler(node, fallback);
    if (!handler) return null;
    return { name: handler.function, local: null, handler };
  }

  /** Methods of a same-file class and of its same-file bases: method → owning class and line. */
  classMethods(cls: LexClass): Map<string, { owner: string; line: number }> {
    const out = new Map<string, { owner: string; line: number }>();
    const seen = new Set<LexClass>();
    const visit = (c: LexClass) => {
      if (seen.has(c)) return;
      seen.add(c);
      for (const [name, line] of c.methods) if (!out.has(name)) out.set(name, { owner: c.name, line });
      for (const base of c.bases) {
        const parent = pickLast(this.lex.classes.get(base), c.line - 1);
        if (parent && parent.line < c.line) visit(parent);
      }
    };
    visit(cls);
    return out;
  }

  /** Qualified names of a same-file class's bases, following same-file bases transitively. */
  baseNames(cls: LexClass): string[] {
    const out: string[] = [];
    const seen = new Set<LexClass>();
    const visit = (c: LexClass) => {
      if (seen.has(c)) return;
      seen.add(c);
      for (const base of c.bases) {
        const parent = pickLast(this.lex.classes.get(base), c.line - 1);
        if (parent && parent.line < c.line && !this.imports.isImported(base)) visit(parent);
        else out.push(this.imports.qualify(base));
      }
    };
    visit(cls);
    return out;
  }

  /**
   * The function a view expression runs. Local defs (nested in an enclosing def, or top-level via the
   * lexical index) get their line; imported ones get the module's guessed file and line 0; anything
   * else that is still a dotted name is kept as written with line 0.
   */
  resolveHandler(expr: Node | null, fallback: 'sibling' | 'parent' = 'sibling'): Handler | null {
    const node = this.unwrapView(expr);
    if (!node) return null;
    if (node.type === 'lambda') {
      const enclosing = qualifiedName(node);
      return {
        file: this.file,
        function: enclosing ? `${enclosing}.<lambda>` : '<lambda>',
        line: node.startPosition.row + 1,
      };
    }
    if (node.type === 'call') {
      // `X.as_view(...)`: the class stands for its methods.
      const cls = this.classOfView(node, fallback);
      return cls ? cls.handler : null;
    }
    const text = dottedName(node);
    if (!text) return null;
    const parts = text.split('.');
    const head = parts[0];
    const line = node.startPosition.row + 1;
    const headNode = node.type === 'identifier' ? node : leftmost(node);

    // Bound in an enclosing def/class: the def is in the same (parsed) top-level statement.
    const scope = this.bindingScope(headNode, head);
    if (scope) {
      if (head === 'self' || head === 'cls') {
        const cls = enclosingClassOf(node);
        if (cls && parts.length === 2) {
          const qualified = qualifiedName(cls);
          const method = findMethod(cls, parts[1]);
          return {
            file: this.file,
            function: `${qualified}.${parts[1]}`,
            line: method ? method.startPosition.row + 1 : 0,
          };
        }
      }
      const local = findLocalDefinition(scope, head);
      if (local && parts.length === 1) {
        return { file: this.file, function: qualifiedName(local) ?? head, line: local.startPosition.row + 1 };
      }
      const instanceOf = findLocalInstance(scope, head);
      if (instanceOf && parts.length === 2) {
        return this.methodOf(instanceOf, parts[1], line, fallback);
      }
      const imported = this.throughImports(importsOf([scope]), parts, fallback);
      return imported ?? { file: this.file, function: text, line: 0 };
    }

    // Module level.
    if (parts.length === 1) {
      const def = pickLast(this.lex.defs.get(head), line);
      if (def) return { file: this.file, function: head, line: def.line };
      const cls = pickLast(this.lex.classes.get(head), line);
      if (cls) return { file: this.file, function: head, line: cls.line };
    } else {
      const cls = pickLast(this.lex.classes.get(head), line);
      if (cls && !this.imports.isImported(head)) {
        const rest = parts.slice(1).join('.');
        const method = parts.length === 2 ? this.classMethods(cls).get(parts[1]) : undefined;
        return method
          ? { file: this.file, function: `${method.owner}.${parts[1]}`, line: method.line }
          : { file: this.file, function: `${head}.${rest}`, line: 0 };
      }
      const instance = pickLast(this.lex.instances.get(head), line);
      if (instance && parts.length === 2 && !this.imports.isImported(head)) {
        return this.methodOf(instance.callee, parts[1], line, fallback);
      }
    }
    const imported = this.throughImports({ table: this.imports, fromNames: this.fromNames }, parts, fallback);
    return imported ?? { file: this.file, function: text, line: 0 };
  }

  private throughImports(imports: Imports, parts: string[], fallback: 'sibling' | 'parent'): Handler | null {
    const bound = imports.table.bindings.get(parts[0]);
    if (bound === undefined) return null;
    const split = splitImported(bound, parts.slice(1), imports.fromNames.has(parts[0]));
    if (!split) return null;
    return { file: moduleFile(this.file, split.module, fallback), function: split.name, line: 0 };
  }

  /** `obj.method` where `obj = Cls(...)`: the class's method, same-file or imported. */
  private methodOf(callee: string, method: string, line: number, fallback: 'sibling' | 'parent'): Handler {
    const cls = !this.imports.isImported(callee.split('.')[0])
      ? pickLast(this.lex.classes.get(callee), line)
      : undefined;
    if (cls) {
      const found = this.classMethods(cls).get(method);
      return found
        ? { file: this.file, function: `${found.owner}.${method}`, line: found.line }
        : { file: this.file, function: `${callee}.${method}`, line: 0 };
    }
    const bound = this.imports.bindings.get(callee.split('.')[0]);
    if (bound !== undefined) {
      const full = bound + callee.slice(callee.split('.')[0].length);
      const dot = full.lastIndexOf('.');
      if (dot > 0) {
        return {
          file: moduleFile(this.file, full.slice(0, dot), fallback),
          function: `${full.slice(dot + 1)}.${method}`,
          line: 0,
        };
      }
    }
    return { file: this.file, function: `${callee}.${method}`, line: 0 };
  }

  // --- emission ---

  /**
   * Every registration chain from `key` up to a holder nothing in this file registers, with the prefix
   * a route declared on `key` is served under along it.
   */
  private chains(key: string, seen: Set<string> = new Set()): Chain[] {
    const holder = this.holders.get(key);
    const own = holder?.prefix ?? null;
    const parents = this.registrations.filter((r) => r.child === key && !seen.has(r.parent));
    const framework = holder?.framework ?? null;
    if (!parents.length) return [{ root: key, abs: own ?? '', rel: '' }];
    const next = new Set(seen).add(key);
    const out = new Map<string, Chain>();
    for (const reg of parents) {
      const flask =
        framework === 'flask' || (framework === null && this.holders.get(reg.parent)?.framework === 'flask');
      const join = (above: string) =>
        flask ? joinFlaskPrefix(above, reg.prefix ?? own) : above + (reg.prefix ?? '') + (own ?? '');
      for (const above of this.chains(reg.parent, next)) {
        const chain = { root: above.root, abs: join(above.abs), rel: join(above.rel) };
        out.set(JSON.stringify(chain), chain);
      }
    }
    return [...out.values()];
  }

  /** The owner a chain's root makes for a path relative to it, when the root is a module variable. */
  private ownerOf(root: string, path: string): RouteOwner | undefined {
    const holder = this.holders.get(root);
    if (holder?.imported) return { name: holder.imported.name, module: holder.imported.module, path };
    const factory = this.factories.get(root);
    if (factory) return { name: `${factory}()`, path };
    if (holder && root === `${MODULE_SCOPE}:${holder.name}` && /^[A-Za-z_]\w*$/.test(holder.name)) {
      return { name: holder.name, path };
    }
    return undefined;
  }

  routes(): Route[] {
    const out: Route[] = [];
    for (const d of this.declarations) {
      const route = (path: string, owner: RouteOwner | undefined): Route => ({
        framework: d.framework,
        method: d.method,
        path,
        handler: d.handler,
        file: this.file,
        line: d.line,
        ...(owner ? { owner } : {}),
      });
      if (d.holder === null) {
        out.push(route(d.path, d.owner));
        continue;
      }
      const flask = d.framework === 'flask';
      for (const chain of this.chains(d.holder)) {
        const path = flask ? joinFlaskRule(chain.abs, d.path) : chain.abs + d.path;
        const relative = flask ? joinFlaskRule(chain.rel, d.path) : chain.rel + d.path;
        out.push(route(path, this.ownerOf(chain.root, relative)));
      }
    }
    return out;
  }

  /**
   * Registrations of holders the file imports (`app.include_router(items.router)`), one per chain of
   * the registering holder, and the mounts the extractors added; in line order.
   */
  mounts(): Mount[] {
    const out: Mount[] = [...this.explicitMounts];
    for (const reg of this.registrations) {
      const child = this.holders.get(reg.child);
      if (!child?.imported || child.kind !== 'unknown') continue;
      for (const chain of this.chains(reg.parent)) {
        const owner = this.ownerOf(chain.root, chain.rel);
        out.push({
          framework: reg.framework,
          target: { module: child.imported.module, name: child.imported.name },
          prefix: reg.prefix,
          mode: reg.framework === 'flask' ? 'replace' : 'prepend',
          path: chain.abs,
          ...(owner ? { owner } : {}),
          line: reg.line,
        });
      }
    }
    const keyed = new Map(out.map((m) => [JSON.stringify(m), m]));
    return [...keyed.values()].sort((a, b) => a.line - b.line || cmp(JSON.stringify(a), JSON.stringify(b)));
  }

  /** The module-level apps, blueprints, routers and route tables the file binds. */
  moduleHolders(): RouteHolder[] {
    const out: RouteHolder[] = [];
    for (const h of this.holders.values()) {
      if (h.kind === 'unknown' || h.kind === 'other') continue;
      const factory = this.factories.get(h.key);
      if (factory) {
        out.push({ name: `${factory}()`, framework: h.framework, prefix: h.prefix });
        continue;
      }
      if (h.key !== `${MODULE_SCOPE}:${h.name}` || !/^[A-Za-z_]\w*$/.test(h.name)) continue;
      out.push({ name: h.name, framework: h.framework, prefix: h.prefix });
    }
    return out.sort((a, b) => cmp(a.name, b.name));
  }
}

/** Flask's nested blueprint prefix: `parent.rstrip('/') + '/' + child.lstrip('/')`. */
export function joinFlaskPrefix(parent: string, child: string | null): string {
  if (parent && child) return `${parent.replace(/\/+$/, '')}/${child.replace(/^\/+/, '')}`;
  return child ?? parent;
}

/** Flask's blueprint rule: the prefix alone for an empty rule, else joined on exactly one slash. */
export function joinFlaskRule(prefix: string, rule: string): string {
  if (!prefix) return rule;
  if (!rule) return prefix;
  return `${prefix.replace(/\/+$/, '')}/${rule.replace(/^\/+/, '')}`;
}

function leftmost(node: Node): Node {
  let current = node;
  while (current.type === 'attribute') {
    const object = field(current, 'object');
    if (!object) break;
    current = object;
  }
  return current;
}

function enclosingClassOf(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'class_definition') return p;
  return null;
}

function findMethod(cls: Node, name: string): Node | null {
  const body = field(cls, 'body');
  if (!body) return null;
  let found: Node | null = null;
  for (const stmt of namedChildren(body)) {
    const def = stmt.type === 'decorated_definition' ? field(stmt, 'definition') : stmt;
    if (def?.type === 'function_definition' && field(def, 'name')?.text === name) found = def;
  }
  return found;
}

/** A `def name` among the statements of a def's (or class's) own body, nested blocks included. */
function findLocalDefinition(scope: Node, name: string): Node | null {
  const body = field(scope, 'body');
  if (!body) return null;
  let found: Node | null = null;
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    for (const child of namedChildren(node)) {
      const def = child.type === 'decorated_definition' ? field(child, 'definition') : child;
      if (def?.type === 'function_definition' || def?.type === 'class_definition') {
        if (field(def, 'name')?.text === name && (!found || def.startIndex > found.startIndex)) found = def;
        continue;
      }
      if (child.type === 'lambda') continue;
      stack.push(child);
    }
  }
  return found;
}

/** `name = Callee(...)` in a def's own body: the callee's dotted text. */
function findLocalInstance(scope: Node, name: string): string | null {
  for (const assign of descendants(scope, 'assignment')) {
    const left = field(assign, 'left');
    const right = unparenthesize(field(assign, 'right'));
    if (left?.type === 'identifier' && left.text === name && right?.type === 'call') {
      const callee = dottedName(field(right, 'function'));
      if (callee) return callee;
    }
  }
  return null;
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];

/** Sorts and removes duplicate routes. */
export function sortRoutes(routes: Route[]): Route[] {
  const seen = new Set<string>();
  const unique: Route[] = [];
  for (const r of routes) {
    const key = JSON.stringify([r.file, r.line, r.method, r.path, r.framework, r.handler, r.owner ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(r);
  }
  return unique.sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.line - b.line ||
      cmp(a.method, b.method) ||
      cmp(a.path, b.path) ||
      cmp(a.handler.function, b.handler.function),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
