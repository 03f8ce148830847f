/**
 * Registries that live as long as the service but are not module-level names: collections in
 * application state (`request.app["websockets"]`, `app.state.events`, `request.config_dict[...]`) and
 * collection attributes of long-lived instances (`self.active` of a class the module instantiates at
 * module level or stores on the app). What grows them, what shrinks them, and whether the shrink is
 * guaranteed to run (inside `finally`) or only reached when nothing raises first.
 */
import type { ImportTable } from '../imports.js';
import {
  descendants,
  field,
  functionScope,
  namedChildren,
  nearestFunction,
  stringValue,
  unparenthesize,
  type Node,
} from '../pyast.js';
import { effectOf } from './container-mutation.js';
import { containerKind } from './module-containers.js';

/** Where a registry is grown or shrunk: the function and the statement's node. */
export interface RegistryUse {
  scope: Node;
  site: Node;
  what?: string;
}

export interface Registry {
  /** How a message names it: `app["websockets"]`, `app.state.events`, `ConnectionManager.active`. */
  label: string;
  grows: RegistryUse[];
  shrinks: RegistryUse[];
}

/** `app`, `request.app`, `self.app`, `self.request.app`, `websocket.app`, `request.config_dict`. */
function isAppRoot(n: Node | null): boolean {
  // Not unparenthesized: the trigger looks for `app[` and `app.state` as written.
  if (!n) return false;
  if (n.type === 'identifier') return n.text === 'app';
  if (n.type !== 'attribute') return false;
  const attribute = field(n, 'attribute')?.text;
  return attribute === 'app' || attribute === 'config_dict';
}

/**
 * The label of the registry `node` is, or null: `app["name"]` (a fixed string key on the app),
 * `app[ws_key]` (a module-level key: aiohttp's `web.AppKey`, as aiohttp-demos' chat keeps its sockets
 * under `ws_key`; a name the function binds itself is a varying key, not a registry) or `app.state.name`.
 */
function appRegistry(node: Node): string | null {
  if (node.type === 'subscript') {
    if (!isAppRoot(field(node, 'value'))) return null;
    const keys = node.childrenForFieldName('subscript').filter((k): k is Node => k !== null);
    if (keys.length !== 1) return null;
    const key = stringValue(keys[0]);
    if (key !== null) return `app[${JSON.stringify(key)}]`;
    return keys[0].type === 'identifier' && isModuleName(keys[0]) ? `app[${keys[0].text}]` : null;
  }
  if (node.type === 'attribute') {
    const object = field(node, 'object');
    if (object?.type !== 'attribute' || field(object, 'attribute')?.text !== 'state') return null;
    if (!isAppRoot(field(object, 'object'))) return null;
    return `app.state.${field(node, 'attribute')?.text ?? ''}`;
  }
  return null;
}

/** A name no enclosing function binds (a parameter, an assignment, a loop target): a module-level one. */
function isModuleName(id: Node): boolean {
  for (let fn = nearestFunction(id); fn; fn = nearestFunction(fn)) {
    if (functionScope(fn).locals.has(id.text)) return false;
  }
  return true;
}

const SHUTDOWN_NAMES = /(?:shutdown|cleanup|clean_up|close|stop|teardown|on_exit|dispose)/i;

/** What a use of a registry does: effectOf's answer, with the rebinding and counter cases left out. */
function registryEffect(node: Node, kind: string, imports: ImportTable): ReturnType<typeof effectOf> {
  const parent = node.parent;
  // `app["websockets"] = set()` creates it; `app["hits"] += 1` counts.
  if (parent?.type === 'assignment' || parent?.type === 'augmented_assignment') return null;
  return effectOf(node, kind, imports);
}

function record(
  registries: Map<string, Registry>,
  label: string,
  node: Node,
  kind: string,
  imports: ImportTable,
): void {
  const scope = nearestFunction(node);
  if (!scope) return;
  const effect = registryEffect(node, kind, imports);
  if (!effect) return;
  let registry = registries.get(label);
  if (!registry) registries.set(label, (registry = { label, grows: [], shrinks: [] }));
  if (effect.kind === 'shrink') registry.shrinks.push({ scope, site: node });
  else if (effect.kind === 'grow') {
    registry.grows.push({ scope, site: effect.site, what: effect.what });
  }
}

/** Kinds of the app registries the file creates (`app["websockets"] = set()`); dict otherwise. */
function appKinds(root: Node, imports: ImportTable): Map<string, string> {
  const kinds = new Map<string, string>();
  for (const assignment of descendants(root, 'assignment')) {
    const left = field(assignment, 'left');
    const label = left ? appRegistry(left) : null;
    const kind = label ? containerKind(field(assignment, 'right'), imports) : null;
    if (label && kind) kinds.set(label, kind);
  }
  return kinds;
}

/** Every registry in application state the file grows or shrinks. */
export function appRegistries(root: Node, imports: ImportTable): Registry[] {
  const kinds = appKinds(root, imports);
  const registries = new Map<string, Registry>();
  for (const node of descendants(root, ['subscript', 'attribute'])) {
    const label = appRegistry(node);
    if (label) record(registries, label, node, kinds.get(label) ?? 'dict', imports);
  }
  return [...registries.values()];
}

// --- long-lived instances ------------------------------------------------------------------------

/**
 * Classes the module instantiates once, with how the instance is reached: `manager` for `manager =
 * ConnectionManager()` at module level, `app["hub"]` for `app["hub"] = Hub()`.
 */
function longLivedClasses(root: Node): Map<string, string> {
  const found = new Map<string, string>();
  for (const assignment of descendants(root, 'assignment')) {
    const right = unparenthesize(field(assignment, 'right'));
    const callee = right?.type === 'call' ? field(right, 'function') : null;
    if (callee?.type !== 'identifier') continue;
    const left = field(assignment, 'left');
    if (!left) continue;
    if (left.type === 'identifier') {
      if (nearestFunction(assignment) === null) found.set(callee.text, left.text);
      continue;
    }
    const onApp = appRegistry(left);
    if (onApp) found.set(callee.text, onApp);
  }
  return found;
}

/** `self.name = <container>` in `__init__`: the collection attributes of a class, with their kinds. */
function collectionAttributes(cls: Node, imports: ImportTable): Map<string, string> {
  const attributes = new Map<string, string>();
  const body = field(cls, 'body');
  for (const def of body ? namedChildren(body) : []) {
    const fn = def.type === 'decorated_definition' ? field(def, 'definition') : def;
    if (fn?.type !== 'function_definition' || field(fn, 'name')?.text !== '__init__') continue;
    for (const assignment of descendants(fn, 'assignment')) {
      const left = field(assignment, 'left');
      if (left?.type !== 'attribute' || field(left, 'object')?.text !== 'self') continue;
      const kind = containerKind(field(assignment, 'right'), imports);
      if (kind) attributes.set(field(left, 'attribute')?.text ?? '', kind);
    }
  }
  return attributes;
}

/**
 * The collection attributes of classes the module keeps one long-lived instance of, as registries:
 * grown and shrunk through `self.<name>` in the class's methods (`__init__` aside) or through
 * `<instance>.<name>` anywhere in the file.
 */
export function instanceRegistries(root: Node, imports: ImportTable): Registry[] {
  const instances = longLivedClasses(root);
  if (instances.size === 0) return [];
  const out: Registry[] = [];
  for (const cls of descendants(root, 'class_definition')) {
    const className = field(cls, 'name')?.text ?? '';
    const instance = instances.get(className);
    if (!instance) continue;
    const attributes = collectionAttributes(cls, imports);
    if (attributes.size === 0) continue;
    const registries = new Map<string, Registry>();
    for (const node of descendants(root, 'attribute')) {
      const name = field(node, 'attribute')?.text ?? '';
      const kind = attributes.get(name);
      if (!kind) continue;
      const object = field(node, 'object');
      const own = object?.text === 'self' && within(cls, node);
      const through = object !== null && (object.text === instance || appRegistry(object) === instance);
      if (!own && !through) continue;
      const scope = nearestFunction(node);
      if (own && scope?.type === 'function_definition' && field(scope, 'name')?.text === '__init__') continue;
      record(registries, `${className}.${name}`, node, kind, imports);
    }
    out.push(...registries.values());
  }
  return out;
}

function within(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

// --- is the shrink guaranteed? ---------------------------------------------------------------------

/** Inside the `finally` block of a try in the same function. */
function inFinally(node: Node, scope: Node): boolean {
  for (let p = node.parent; p && p.id !== scope.id; p = p.parent) {
    if (p.type === 'finally_clause') return true;
  }
  return false;
}

/** A function that runs at shutdown: clearing a registry there bounds nothing while the service runs. */
function shutdownOnly(scope: Node): boolean {
  const name = scope.type === 'function_definition' ? (field(scope, 'name')?.text ?? '') : '';
  return SHUTDOWN_NAMES.test(name);
}

/** An `await`, a loop or a `yield` between two points of a function: where a connection waits. */
function waitsBetween(scope: Node, from: number, to: number): boolean {
  for (const node of descendants(scope, ['await', 'for_statement', 'while_statement', 'yield'])) {
    if (node.startIndex > from && node.startIndex < to && nearestFunction(node)?.id === scope.id) return true;
  }
  return false;
}

export type Verdict = { kind: 'never' } | { kind: 'unguarded'; shrink: Node } | null;

/**
 * Whether a growth of the registry at `grow` is undone: `never` (nothing shrinks it but shutdown
 * code), `unguarded` (only a shrink later in the same function, outside `finally`, after the function
 * waits — an exception or a cancellation while it waits skips it), or null (bounded as far as the file
 * shows: a shrink in `finally`, or in another function).
 */
export function growthVerdict(registry: Registry, grow: RegistryUse): Verdict {
  const shrinks = registry.shrinks.filter((s) => !shutdownOnly(s.scope));
  if (shrinks.length === 0) return { kind: 'never' };
  const same = shrinks.filter((s) => s.scope.id === grow.scope.id);
  if (same.length === 0 || shrinks.length > same.length) return null;
  if (same.some((s) => inFinally(s.site, grow.scope))) return null;
  const after = same.filter((s) => s.site.startIndex > grow.site.endIndex);
  if (after.length === 0) return null;
  const first = after[0];
  return waitsBetween(grow.scope, grow.site.endIndex, first.site.startIndex)
    ? { kind: 'unguarded', shrink: first.site }
    : null;
}
