/**
 * Code that bounds a container's growth although no eviction is visible: the function compares
 * `len(x)`, fills the container only while it is empty, or tests membership before a lookup.
 */
import {
  descendants,
  field,
  namedChildren,
  positionalArguments,
  unparenthesize,
  type Node,
} from '../pyast.js';

/** `len(name)` compared with something in the def's own code: the function caps the size itself. */
export function sizeChecked(scope: Node, name: string): boolean {
  const body = field(scope, 'body');
  if (!body) return false;
  return descendants(body, 'call').some((call) => {
    if (field(call, 'function')?.text !== 'len') return false;
    const arg = positionalArguments(call)[0];
    if (arg?.type !== 'identifier' || arg.text !== name) return false;
    for (let p = call.parent; p && p.id !== scope.id; p = p.parent) {
      if (p.type === 'comparison_operator') return true;
    }
    return false;
  });
}

/** `if not name: name.update(...)` or an earlier `if name: return`: filled once, then only read. */
export function filledOnce(site: Node, scope: Node, name: string): boolean {
  for (let p = site.parent; p && p.id !== scope.id; p = p.parent) {
    if (p.type === 'if_statement') {
      const condition = unparenthesize(field(p, 'condition'));
      const consequence = field(p, 'consequence');
      if (
        condition?.type === 'not_operator' &&
        unparenthesize(field(condition, 'argument'))?.text === name &&
        consequence &&
        site.startIndex >= consequence.startIndex &&
        site.endIndex <= consequence.endIndex
      ) {
        return true;
      }
    }
  }
  const body = field(scope, 'body');
  if (!body || body.type !== 'block') return false;
  for (const statement of namedChildren(body)) {
    if (statement.startIndex >= site.startIndex) break;
    if (statement.type !== 'if_statement') continue;
    const condition = unparenthesize(field(statement, 'condition'));
    if (condition?.type !== 'identifier' || condition.text !== name) continue;
    const consequence = field(statement, 'consequence');
    if (consequence && descendants(consequence, 'return_statement').length > 0) return true;
  }
  return false;
}

/** `key in name` / `key not in name` anywhere in the scope's own body. */
export function membershipTested(scope: Node, name: string): boolean {
  const body = field(scope, 'body');
  if (!body) return false;
  return descendants(body, 'comparison_operator').some((comparison) => {
    const operands = namedChildren(comparison);
    return /\bin\b/.test(comparison.text) && operands[operands.length - 1]?.text === name;
  });
}
