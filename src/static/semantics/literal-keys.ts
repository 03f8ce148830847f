/**
 * A container keyed by a parameter of the function that grows it, whose every caller in the module
 * passes a literal: `def bump(name): _counters[name] += 1`, called only as `bump("hits")` and
 * `bump("misses")`, holds one entry per literal however often it runs (issue 12: a false positive real
 * code showed). The lexical half names the defs that key a container by a bare name, so the trigger can
 * have their callers parsed; the tree half checks every call. The check asks the lexical half too, so
 * it never relies on callers the pre-scan did not parse.
 */
import { escapeRegExp } from '../lexical.js';
import {
  descendants,
  field,
  keywordArgument,
  namedChildren,
  parameterNames,
  positionalArguments,
  type Node,
} from '../pyast.js';
import { isFixedKey } from './container-mutation.js';
import { defSegments } from './resources/triggers.js';

/** `name[key] …` or `name.add(key)` / `name.setdefault(key, …)` with a bare name as the key. */
function keyedGrowth(containers: readonly string[]): RegExp {
  const names = containers.map(escapeRegExp).join('|');
  return new RegExp(
    `\\b(?:${names})\\s*(?:\\[\\s*[A-Za-z_]\\w*\\s*\\]|\\.\\s*(?:add|setdefault)\\s*\\(\\s*[A-Za-z_]\\w*\\s*[,)])`,
  );
}

/** The defs in `text` whose own lines key one of the containers by a bare name. */
export function keyedDefNames(text: string, containers: readonly string[]): string[] {
  if (containers.length === 0) return [];
  const pattern = keyedGrowth(containers);
  if (!pattern.test(text)) return [];
  return defSegments(text)
    .filter((def) => pattern.test(def.body))
    .map((def) => def.name);
}

const REBOUND = (name: string): RegExp =>
  new RegExp(
    `(?:^|[^\\w.])${escapeRegExp(name)}\\s*(?:[-+*/%|&^@]|//|<<|>>|\\*\\*)?=(?!=)|\\bfor\\s+${escapeRegExp(name)}\\b|\\b${escapeRegExp(name)}\\s*:=`,
  );

/** The key a growing statement uses: `x[k] = v`, `x[k] += v`, `x[k].append(v)`, `x.add(k)`. */
function keyOf(site: Node): Node | null {
  let node: Node | null = site;
  if (node.type === 'augmented_assignment') node = field(node, 'left');
  if (node?.type === 'call') {
    const fn = field(node, 'function');
    const object = fn?.type === 'attribute' ? field(fn, 'object') : null;
    if (object?.type === 'subscript') node = object;
    else return positionalArguments(node)[0] ?? null;
  }
  if (node?.type !== 'subscript') return null;
  const keys = node.childrenForFieldName('subscript').filter((n): n is Node => n !== null);
  return keys.length === 1 ? keys[0] : null;
}

/** The value a caller gives the parameter at `index` named `name`, or undefined when it cannot tell. */
function argumentFor(call: Node, name: string, index: number, def: Node): Node | null | undefined {
  const args = field(call, 'arguments');
  if (!args || namedChildren(args).some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) {
    return undefined;
  }
  const keyword = keywordArgument(call, name);
  if (keyword) return keyword;
  const positional = positionalArguments(call)[index];
  if (positional) return positional;
  // Not passed: the parameter's default.
  for (const p of namedChildren(field(def, 'parameters')!)) {
    if (
      (p.type === 'default_parameter' || p.type === 'typed_default_parameter') &&
      field(p, 'name')?.text === name
    ) {
      return field(p, 'value');
    }
  }
  return undefined;
}

/**
 * True when `site` (a growth of `container` in `def`) is keyed by a parameter of the def that is never
 * rebound, and every call of the def in the file passes a literal for it (at least one call, and the
 * def's name used for nothing but calls).
 */
export function keyedByLiteralCallers(def: Node, site: Node, container: string, root: Node): boolean {
  if (def.type !== 'function_definition') return false;
  const defName = field(def, 'name')?.text;
  const key = keyOf(site);
  if (!defName || key?.type !== 'identifier') return false;
  const params = parameterNames(def);
  let index = params.indexOf(key.text);
  if (index < 0) return false;
  const body = field(def, 'body');
  if (!body || REBOUND(key.text).test(body.text)) return false;
  // The check must not rely on callers the pre-scan did not parse: the trigger added the same defs.
  if (!keyedDefNames(def.text, [container]).includes(defName)) return false;
  const method =
    def.parent?.parent?.type === 'class_definition' ||
    def.parent?.parent?.parent?.type === 'class_definition';
  if (method && /^(?:self|cls)$/.test(params[0] ?? '')) index--;
  let calls = 0;
  for (const id of [...descendants(root, 'identifier'), ...descendants(root, 'attribute')]) {
    const named = id.type === 'identifier' ? id : field(id, 'attribute');
    if (named?.text !== defName) continue;
    if (id.parent?.id === def.id) continue;
    // `obj.name` is looked at as the attribute node, below.
    if (
      id.type === 'identifier' &&
      id.parent?.type === 'attribute' &&
      field(id.parent, 'attribute')?.id === id.id
    ) {
      continue;
    }
    const parent = id.parent;
    const isCallee = parent?.type === 'call' && field(parent, 'function')?.id === id.id;
    if (!isCallee) return false;
    // A module function is called by its name, a method through an attribute.
    if (method !== (id.type === 'attribute')) return false;
    const value = argumentFor(parent, key.text, index, def);
    if (value === undefined || !isFixedKey(value)) return false;
    calls++;
  }
  return calls > 0;
}
