/**
 * Who uses a function: every place in the project that calls it, hands it to a framework or a thread,
 * decorates with it, or calls it at import time — found by name in the files whose word filter says
 * they may mention it, and kept only when the file can mean this function (it is the same module, it
 * imports the function or its module, `self.x()` inside its class or a subclass, `obj.x()` for a method
 * whose name is not a common one). Tests, scripts and examples are never searched: they do not make
 * code run in a service.
 */
import { basesOf, registrationOf, serviceLoop } from './entries.js';
import {
  ancestors,
  blockEnd,
  codeOf,
  decoratedBy,
  inQuiet,
  lineAt,
  qualifiedNameOf,
  rowOf,
  type Outline,
} from './outline.js';
import { moduleOf, packageOfModule, sameModule, type ProjectView } from './project.js';

/** A def (or class) of the project: its file and the index of its line in the file's outline. */
export interface FunctionRef {
  file: string;
  line: number;
  qual: string;
}

export type Use =
  /** Called (or handed on to be called) from inside `caller`; `returned`: `return fn` hands it out. */
  | { kind: 'caller'; caller: FunctionRef; file: string; line: number; returned: boolean; timer: boolean }
  /** Called inside a loop that keeps a service running. */
  | { kind: 'loop'; caller: FunctionRef | null; file: string; line: number; loop: string }
  /** Registered with a framework that calls it again and again (or once, for a start-up hook). */
  | { kind: 'registration'; frequency: 'repeated' | 'once'; label: string; file: string; line: number }
  /** Called at import time: module level, a class body, `if __name__ == "__main__":`. */
  | { kind: 'import'; label: string; file: string; line: number }
  /** Used as a decorator: `decorated` is the def or class under it. */
  | { kind: 'decorates'; decorated: FunctionRef; file: string; line: number };

/** Method names too common to follow by name alone (`obj.get()` could be any object's). */
const COMMON_METHODS = new Set([
  'get',
  'set',
  'run',
  'start',
  'stop',
  'close',
  'open',
  'read',
  'write',
  'update',
  'save',
  'delete',
  'load',
  'dump',
  'dumps',
  'loads',
  'send',
  'call',
  'handle',
  'process',
  'execute',
  'put',
  'post',
  'add',
  'remove',
  'clear',
  'copy',
  'keys',
  'values',
  'items',
  'append',
  'extend',
  'pop',
  'format',
  'parse',
  'validate',
  'render',
  'connect',
  'reset',
  'setup',
  'init',
  'main',
  'create',
  'build',
  'flush',
  'emit',
  'join',
  'wait',
  'cancel',
  'result',
  'submit',
  'apply',
  'filter',
  'first',
  'count',
  'exists',
  'all',
  'list',
  'fetch',
  'refresh',
  'check',
  'init_app',
  'to_dict',
  'from_dict',
  'serialize',
  'encode',
  'decode',
  'info',
  'debug',
  'warning',
  'error',
  'log',
  'register',
  'next',
  'name',
  'id',
  'data',
  'value',
]);

/** How many files one function's uses may read before the search gives up on it. */
const MAX_FILES_PER_TARGET = 120;

interface Target {
  ref: FunctionRef;
  kind: 'function' | 'method' | 'nested' | 'class';
  /** The name people write to use it (the class's, for a constructor). */
  name: string;
  module: string;
  className: string | null;
  /** For a method: the class line; for nested code: the enclosing def's line range. */
  classLine: number;
  /** For a method: its class's bases as written (`(AbstractBot)`), '' otherwise. */
  bases: string;
  span: [number, number] | null;
}

function nearestScope(outline: Outline, index: number): number {
  for (const p of ancestors(outline, index)) {
    const head = outline.lines[p].head;
    if (head === 'def' || head === 'class') return p;
  }
  return -1;
}

function targetOf(outline: Outline, ref: FunctionRef): Target | null {
  const line = outline.lines[ref.line];
  if (!line.name) return null;
  const module = moduleOf(ref.file);
  const scope = nearestScope(outline, ref.line);
  if (
    line.head === 'class' ||
    (scope !== -1 && outline.lines[scope].head === 'class' && isConstructorLike(outline, ref.line, scope))
  ) {
    // A constructor (or a method Python calls for the instance): its uses are the class's.
    const classLine = line.head === 'class' ? ref.line : scope;
    const cls = outline.lines[classLine];
    const outer = nearestScope(outline, classLine);
    const span: [number, number] | null = outer === -1 ? null : [outer, blockEnd(outline, outer)];
    return {
      ref,
      kind: outer === -1 ? 'class' : outline.lines[outer].head === 'def' ? 'nested' : 'class',
      name: cls.name ?? '',
      module,
      className: null,
      classLine,
      bases: '',
      span,
    };
  }
  if (scope === -1)
    return {
      ref,
      kind: 'function',
      name: line.name,
      module,
      className: null,
      classLine: -1,
      bases: '',
      span: null,
    };
  const holder = outline.lines[scope];
  if (holder.head === 'class') {
    return {
      ref,
      kind: 'method',
      name: line.name,
      module,
      className: holder.name,
      classLine: scope,
      bases: basesOf(outline, scope),
      span: null,
    };
  }
  return {
    ref,
    kind: 'nested',
    name: line.name,
    module,
    className: null,
    classLine: -1,
    bases: '',
    span: [scope, blockEnd(outline, scope)],
  };
}

/** Dunder methods run for an instance, and a thread's `run()` runs when it is started after construction. */
function isConstructorLike(outline: Outline, defLine: number, classLine: number): boolean {
  const name = outline.lines[defLine].name ?? '';
  if (/^__\w+__$/.test(name)) return true;
  return name === 'run' && /\b(?:Thread|Process)\b/.test(basesOf(outline, classLine));
}

/**
 * The files that may use the target. A function or class is used where it or its module is imported,
 * so the file also names its module (`from .metrics import collect`, `metrics.collect()`); a method by
 * any object, so by its name alone — unless the name is common, or so widespread that a bare
 * `obj.name()` says nothing, and then the file must also name the class.
 */
function candidateFiles(view: ProjectView, target: Target): string[] {
  if (target.kind === 'nested') return [target.ref.file];
  if (target.kind !== 'method') {
    const last = target.module.split('.').pop() ?? '';
    return view.mentioning(last && last !== target.name ? [target.name, last] : [target.name]);
  }
  const className = target.className ?? '';
  if (COMMON_METHODS.has(target.name) && className) return view.mentioning([target.name, className]);
  const files = view.mentioning([target.name]);
  return files.length > WIDESPREAD && className ? view.mentioning([target.name, className]) : files;
}

/** More files than this naming a method makes `obj.name()` too ambiguous to follow by name alone. */
const WIDESPREAD = 40;

/** Every use of the function `ref` in the project's service code. */
export function usesOf(view: ProjectView, ref: FunctionRef): Use[] {
  const outline = view.outline(ref.file);
  if (!outline) return [];
  const target = targetOf(outline, ref);
  if (!target || !target.name) return [];
  const files = candidateFiles(view, target);
  if (!files.includes(ref.file) && !view.kind(ref.file)) files.unshift(ref.file);
  const uses: Use[] = [];
  let read = 0;
  for (const file of files) {
    if (++read > MAX_FILES_PER_TARGET) break;
    const other = view.outline(file);
    if (!other) continue;
    usesInFile(view, target, file, other, uses);
  }
  return uses;
}

function usesInFile(view: ProjectView, target: Target, file: string, outline: Outline, uses: Use[]): void {
  const own = file === target.ref.file;
  const imports = view.imports(file);
  // Names this file binds to the target (`from .metrics import collect as gather`), and to its module.
  const direct = new Set<string>();
  const moduleNames = new Set<string>();
  if (target.kind === 'function' || target.kind === 'class') {
    if (own) direct.add(target.name);
    for (const [local, binding] of imports) {
      if (
        binding.name === target.name &&
        (sameModule(binding.module, target.module) || packageOfModule(binding.module, target.module))
      ) {
        direct.add(local);
      } else if (
        binding.name === null
          ? sameModule(binding.module, target.module)
          : sameModule(`${binding.module}.${binding.name}`, target.module)
      ) {
        moduleNames.add(local);
      }
    }
    if (!direct.size && !moduleNames.size && !own) return;
  } else if (target.kind === 'nested') {
    if (!own) return;
    direct.add(target.name);
  }
  const words = new Set([...direct, target.name]);
  const source = outline.source;
  for (const word of words) {
    const pattern = new RegExp(`(?<!\\w)${word}(?!\\w)`, 'g');
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(source))) {
      const at = match.index;
      if (inQuiet(outline, at)) continue;
      const index = lineAt(outline, at);
      if (index === -1) continue;
      if (target.span && (index < target.span[0] || index > target.span[1])) continue;
      const line = outline.lines[index];
      if (line.head === 'import' || line.head === 'class') continue;
      const before = source.slice(line.start, at);
      const after = source.slice(at + word.length, at + word.length + 3);
      if (/(?:def|class)\s+$/.test(before)) continue;
      // An assignment to the name or a keyword argument of that name is not a use of the function.
      if (/^\s*(?:[-+*/%&|^@]|\/\/|\*\*|>>|<<)?=(?!=)/.test(after)) continue;
      const dotted = /\.\s*$/.test(before);
      if (!accepts(target, file, outline, index, before, dotted, direct, moduleNames, word)) continue;
      const use = classify(view, target, file, outline, index, at, word.length);
      if (use) uses.push(use);
    }
  }
}

function accepts(
  target: Target,
  file: string,
  outline: Outline,
  index: number,
  before: string,
  dotted: boolean,
  direct: ReadonlySet<string>,
  moduleNames: ReadonlySet<string>,
  word: string,
): boolean {
  const own = file === target.ref.file;
  const qualifier = dotted ? (/((?:[\w.]|\(\s*\))+)\.\s*$/.exec(before)?.[1] ?? '') : '';
  const head = qualifier.split('.')[0];
  switch (target.kind) {
    case 'function':
    case 'class':
    case 'nested':
      if (!dotted) return direct.has(word);
      if (word !== target.name) return false;
      return (
        moduleNames.has(head) ||
        (qualifier.includes('.') && sameModule(qualifier.replace(/\(\s*\)/g, ''), target.module))
      );
    case 'method': {
      if (!dotted) return false;
      if (head === 'self' || head === 'cls' || /^super\(/.test(qualifier)) {
        if (qualifier.includes('.') && !/^super\(/.test(qualifier)) {
          // `self.client.fetch()`: another object's method, by name as for any object.
          return !COMMON_METHODS.has(target.name) || own || mentionsWord(outline, target.className ?? '');
        }
        return related(outline, index, target, own);
      }
      if (head === target.className) return true;
      if (!COMMON_METHODS.has(target.name)) return true;
      return own || mentionsWord(outline, target.className ?? '');
    }
  }
}

/** `self.x()` inside the target's class, a subclass of it, or a base class it overrides a method of. */
function related(outline: Outline, index: number, target: Target, own: boolean): boolean {
  const cls = [index, ...ancestors(outline, index)].find((p) => outline.lines[p].head === 'class');
  if (cls === undefined) return false;
  const name = outline.lines[cls].name ?? '';
  if (own && cls === target.classLine) return true;
  const className = target.className ?? '';
  if (new RegExp(`\\b${className}\\b`).test(basesOf(outline, cls))) return true;
  // A base class calling `self.hook()` reaches the override in the target's class (in any file: the
  // base is often a framework-like class of its own module, `AbstractBot.on_message` → `self.dispatch`).
  return !!name && new RegExp(`\\b${name}\\b`).test(target.bases);
}

function mentionsWord(outline: Outline, word: string): boolean {
  return !!word && new RegExp(`\\b${word}\\b`).test(outline.source);
}

const MAIN_GUARD = /^if\s+__name__\s*==\s*["']__main__["']|^if\s+["']__main__["']\s*==\s*__name__/;

function classify(
  view: ProjectView,
  target: Target,
  file: string,
  outline: Outline,
  index: number,
  at: number,
  length: number,
): Use | null {
  const line = outline.lines[index];
  const row = rowOf(outline, at);
  const code = codeOf(outline, index);
  const offset = at - line.start;
  const called = /^\s*\(/.test(code.slice(offset + length));
  const ref = (i: number): FunctionRef => ({ file, line: i, qual: qualifiedNameOf(outline, i) });
  if (line.head === 'decorator') {
    const decorated = decoratedBy(outline, index);
    if (decorated === -1) return null;
    const paren = code.indexOf('(');
    if (paren === -1 || offset < paren)
      return { kind: 'decorates', decorated: ref(decorated), file, line: row };
    // Inside the decorator's arguments (`dependencies=[Depends(verify)]`): used by the decorated def.
    if (outline.lines[decorated].head !== 'def') return null;
    return { kind: 'caller', caller: ref(decorated), file, line: row, returned: false, timer: false };
  }
  if (line.head === 'def') {
    // A default or an annotation (`db = Depends(get_db)`): evaluated for the def's calls.
    return { kind: 'caller', caller: ref(index), file, line: row, returned: false, timer: false };
  }
  const call = called ? null : enclosingCall(code, offset);
  if (call) {
    const registration = registrationOf(call.callee, call.keyword, call.args);
    if (registration && registration.kind !== 'timer') {
      return {
        kind: 'registration',
        frequency: registration.kind,
        label: registration.label,
        file,
        line: row,
      };
    }
  }
  const timer = !!call && registrationOf(call.callee, call.keyword, call.args)?.kind === 'timer';
  let loop: string | null = line.head === 'while' ? serviceLoop(outline, index) : null;
  let main = false;
  for (const p of ancestors(outline, index)) {
    const head = outline.lines[p].head;
    if (!loop && (head === 'while' || head === 'for' || head === 'async for')) {
      const described = serviceLoop(outline, p);
      if (described) loop = `the ${described} loop at line ${rowOf(outline, outline.lines[p].start)}`;
    }
    if (head === 'def') {
      const caller = ref(p);
      if (loop) return { kind: 'loop', caller, file, line: row, loop: `${loop} of ${caller.qual}()` };
      const returned = line.head === 'return' && !called && /^return\s+(?:self\.)?\w+\s*$/.test(code.trim());
      return { kind: 'caller', caller, file, line: row, returned, timer };
    }
    if (head === 'class') {
      return {
        kind: 'import',
        label: `the body of class ${outline.lines[p].name}, run at import`,
        file,
        line: row,
      };
    }
    if (head === 'if' && MAIN_GUARD.test(codeOf(outline, p).trim())) main = true;
  }
  if (loop) return { kind: 'loop', caller: null, file, line: row, loop: `${loop} of ${file}` };
  void view;
  void target;
  return {
    kind: 'import',
    label: main ? `${file} under if __name__ == "__main__"` : `${file} at import time`,
    file,
    line: row,
  };
}

/** The call whose arguments hold offset `pos` of a line's code: its callee, the argument's keyword, its text. */
function enclosingCall(
  code: string,
  pos: number,
): { callee: string; keyword: string | null; args: string } | null {
  let depth = 0;
  for (let i = pos - 1; i >= 0; i--) {
    const c = code[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (c !== '(') continue; // a list or dict inside the call's arguments
      const callee = /((?:[\w.]|\([^()]*\))+)\s*$/.exec(code.slice(0, i))?.[1] ?? '';
      if (!callee || /^(?:if|while|for|in|and|or|not|return|yield|await|lambda|print)$/.test(callee))
        return null;
      const inside = code.slice(i + 1, pos);
      let cut = 0;
      let d = 0;
      for (let k = 0; k < inside.length; k++) {
        const ch = inside[k];
        if ('([{'.includes(ch)) d++;
        else if (')]}'.includes(ch)) d--;
        else if (ch === ',' && d === 0) cut = k + 1;
      }
      const keyword = /^\s*(\w+)\s*=(?!=)/.exec(inside.slice(cut))?.[1] ?? null;
      return { callee: callee.replace(/\s+/g, ''), keyword, args: code.slice(i + 1, i + 1 + 200) };
    }
  }
  return null;
}
