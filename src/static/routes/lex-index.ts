/**
 * A file's top-level definitions read lexically, without parsing: defs, classes (bases, own methods, a
 * `methods = [...]` attribute, annotated fields, literal members), `name = Callee(...)` instances,
 * string constants and the module-level imports. The pre-scan parses only the statements that pass
 * ROUTE_TRIGGER, so anything a route merely *refers* to (a handler `def`, a view class, `handler =
 * Handler()`) may be missing from the tree; it is always looked up here instead, in both modes, so a
 * partial parse and a full parse give the same routes.
 */
import type { Reexport } from '../../model/static.js';
import { bracketBalance, scanCode, stripComment } from '../lexical.js';
import { splitTopLevel, type SourceBlock } from '../prescan.js';

/** A model field as written in the class body: `name: annotation [= default]`. */
export interface WrittenField {
  name: string;
  annotation: string;
  /** The default's text, or null when there is none. */
  default: string | null;
  line: number;
}

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
