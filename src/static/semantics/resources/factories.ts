/**
 * The file's own resource factories: `def get_db_connection(): conn = sqlite3.connect(...); return conn`
 * makes `conn = get_db_connection()` a creation too.
 */
import type { ImportTable } from '../../imports.js';
import { field, functionScope, type Node } from '../../pyast.js';
import { bindingsIn, creationCall, wordTest, type Creation, type Env, type ResourceKind } from './kind.js';
import { handoff } from './ownership.js';
import { ownDescendants } from './own-scope.js';

/**
 * The resource kind extended with the file's own factories: `def get_db_connection(): conn =
 * sqlite3.connect(...); conn.row_factory = ...; return conn` makes `conn = get_db_connection()` a
 * creation too. A module-level factory is matched by bare calls, a method by `self.name()`.
 * Functions that store the resource elsewhere (Flask's `g._database = ...`) or yield it are not
 * factories: someone else owns what they hand out.
 */
export function factoryAware(
  functions: Node[],
  imports: ImportTable,
  kind: ResourceKind,
  source: string,
  words: Set<string>,
): { kind: ResourceKind; names: string[] } {
  const moduleFactories = new Map<string, Creation>();
  const methodFactories = new Map<string, Creation>();
  const extended: ResourceKind = {
    ...kind,
    creation(call, table, name) {
      const direct = kind.creation(call, table, name);
      if (direct) return direct;
      const fn = field(call, 'function');
      if (fn?.type === 'identifier' && !table.isImported(fn.text))
        return moduleFactories.get(fn.text) ?? null;
      if (fn?.type === 'attribute') {
        const object = field(fn, 'object');
        const attribute = field(fn, 'attribute')?.text ?? '';
        if (object?.type === 'identifier' && (object.text === 'self' || object.text === 'cls')) {
          return methodFactories.get(attribute) ?? null;
        }
      }
      return null;
    },
  };
  // Two rounds, so a factory that returns another factory's result is one too.
  for (let round = 0; round < 2; round++) {
    const mentions = wordTest(
      new Set([...words, ...moduleFactories.keys(), ...methodFactories.keys()]),
      kind.pattern,
    );
    for (const fn of functions) {
      const name = field(fn, 'name')?.text;
      if (!name) continue;
      if (!mentions(field(fn, 'body')?.text ?? '')) continue;
      const inClass = fn.parent?.type === 'block' && fn.parent.parent?.type === 'class_definition';
      const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
      const methodOfClass =
        inClass ||
        (decorated?.parent?.type === 'block' && decorated.parent.parent?.type === 'class_definition');
      const atModule = fn.parent?.type === 'module' || decorated?.parent?.type === 'module';
      if (!methodOfClass && !atModule) continue;
      const table = methodOfClass ? methodFactories : moduleFactories;
      if (table.has(name)) continue;
      const made = factoryCreation(fn, imports, extended, source);
      if (made) table.set(name, { ...made, callee: `${name}() (which returns a new ${made.callee})` });
    }
  }
  return { kind: extended, names: [...moduleFactories.keys(), ...methodFactories.keys()] };
}

function factoryCreation(
  fn: Node,
  imports: ImportTable,
  kind: ResourceKind,
  source: string,
): Creation | null {
  const body = field(fn, 'body');
  if (!body) return null;
  const exits = ownDescendants(body, ['yield', 'return_statement']);
  if (exits.some((n) => n.type === 'yield')) return null;
  const returned = exits.map((n) => n.namedChild(0)).filter((v): v is Node => v !== null);
  if (!returned.length) return null;
  const env: Env = { kind, fn, source };
  for (const value of returned) {
    const call = creationCall(value);
    if (call) {
      const made = kind.creation(call, imports, '');
      if (made) return made;
    }
    // `global pool; if not pool: pool = create_pool(); return pool` hands out the one module-level
    // instance, not a new one per call.
    if (value.type !== 'identifier' || functionScope(fn).declared.has(value.text)) continue;
    for (const binding of bindingsIn(body, imports, kind)) {
      if (binding.name !== value.text) continue;
      const h = handoff(env, body, binding.name);
      if (h.returned && !h.escaped) return binding.creation;
    }
  }
  return null;
}
