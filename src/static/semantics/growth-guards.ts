/**
 * Code that bounds a container's growth although no eviction is visible: the function compares
 * `len(x)`, fills the container only while it is empty, or tests membership before a lookup. What a
 * function's body says is read once per function (a function can grow many containers).
 */
import {
  descendants,
  field,
  namedChildren,
  positionalArguments,
  unparenthesize,
  type Node,
} from '../pyast.js';
import { within } from './resources/own-scope.js';

interface BodyFacts {
  /** Names whose `len(name)` the function compares with something. */
  sizeChecked: Set<string>;
  /** Per name, where the first top-level `if name: … return` of the body starts. */
  returnsWhenFilled: Map<string, number>;
  /** Names that are the container of some `key in name` / `key not in name` test. */
  membershipTested: Set<string>;
}

/** The guards of one rule run; `facts` keeps what each function's body says. */
export class GrowthGuards {
  private readonly facts = new Map<number, BodyFacts>();

  /** `len(name)` compared with something in the def's own code: the function caps the size itself. */
  sizeChecked(scope: Node, name: string): boolean {
    return this.of(scope).sizeChecked.has(name);
  }

  /** `if not name: name.update(...)` or an earlier `if name: return`: filled once, then only read. */
  filledOnce(site: Node, scope: Node, name: string): boolean {
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
    return (this.of(scope).returnsWhenFilled.get(name) ?? Infinity) < site.startIndex;
  }

  /**
   * `name[key] = v` that can only replace an entry already there: under `if key in name:`, or after
   * `if key not in name: raise …` (healthchecks caches a class in place of its dotted name this way).
   */
  replacesExisting(site: Node, scope: Node, name: string): boolean {
    const key = site.type === 'subscript' ? keyOf(site) : null;
    if (key === null) return false;
    const present = `${key} in ${name}`;
    const absent = `${key} not in ${name}`;
    for (let p = site.parent; p && p.id !== scope.id; p = p.parent) {
      if (p.type !== 'if_statement') continue;
      const consequence = field(p, 'consequence');
      const condition = field(p, 'condition')?.text.replace(/\s+/g, ' ');
      if (condition === present && consequence && site.startIndex >= consequence.startIndex) return true;
    }
    const body = field(scope, 'body');
    for (const statement of body ? namedChildren(body) : []) {
      if (statement.startIndex >= site.startIndex) break;
      if (
        statement.type !== 'if_statement' ||
        field(statement, 'condition')?.text.replace(/\s+/g, ' ') !== absent
      ) {
        continue;
      }
      const last = namedChildren(field(statement, 'consequence') ?? statement).at(-1);
      if (last?.type === 'raise_statement' || last?.type === 'return_statement') return true;
    }
    return false;
  }

  /**
   * A warn-once set: `name.add(key)` (or `name[key] = …`) in the branch of `if key not in name:` whose
   * other statements only log or warn. It holds one entry per distinct key warned about, usually names from
   * configuration or data (python-discord's `_already_warned`: unknown setting names from its database).
   */
  warnsOnce(site: Node, scope: Node, name: string): boolean {
    const key = keyOf(site);
    if (key === null) return false;
    for (let p = site.parent; p && p.id !== scope.id; p = p.parent) {
      if (p.type !== 'if_statement' && p.type !== 'elif_clause') continue;
      const condition = field(p, 'condition')?.text.replace(/\s+/g, ' ');
      if (condition !== `${key} not in ${name}`) return false;
      const consequence = field(p, 'consequence');
      if (!consequence) return false;
      const others = namedChildren(consequence).filter((s) => !within(s, site));
      return others.length > 0 && others.every(isLogCall);
    }
    return false;
  }

  /** `key in name` / `key not in name` anywhere in the scope's own body. */
  membershipTested(scope: Node, name: string): boolean {
    return this.of(scope).membershipTested.has(name);
  }

  private of(scope: Node): BodyFacts {
    let facts = this.facts.get(scope.id);
    if (!facts) this.facts.set(scope.id, (facts = bodyFacts(scope)));
    return facts;
  }
}

function bodyFacts(scope: Node): BodyFacts {
  const facts: BodyFacts = {
    sizeChecked: new Set(),
    returnsWhenFilled: new Map(),
    membershipTested: new Set(),
  };
  const body = field(scope, 'body');
  if (!body) return facts;
  for (const call of descendants(body, 'call')) {
    if (field(call, 'function')?.text !== 'len') continue;
    const arg = positionalArguments(call)[0];
    if (arg?.type !== 'identifier' || facts.sizeChecked.has(arg.text)) continue;
    for (let p = call.parent; p && p.id !== scope.id; p = p.parent) {
      if (p.type === 'comparison_operator') {
        facts.sizeChecked.add(arg.text);
        break;
      }
    }
  }
  if (body.type === 'block') {
    for (const statement of namedChildren(body)) {
      if (statement.type !== 'if_statement') continue;
      const condition = unparenthesize(field(statement, 'condition'));
      if (condition?.type !== 'identifier' || facts.returnsWhenFilled.has(condition.text)) continue;
      const consequence = field(statement, 'consequence');
      if (consequence && descendants(consequence, 'return_statement').length > 0) {
        facts.returnsWhenFilled.set(condition.text, statement.startIndex);
      }
    }
  }
  for (const comparison of descendants(body, 'comparison_operator')) {
    const operands = namedChildren(comparison);
    const last = operands[operands.length - 1];
    if (last && /\bin\b/.test(comparison.text)) facts.membershipTested.add(last.text);
  }
  return facts;
}

/** The key a growing statement adds: the argument of `name.add(key)`, the subscript of `name[key] = …`. */
function keyOf(site: Node): string | null {
  if (site.type === 'call') {
    const args = positionalArguments(site);
    return args.length === 1 ? args[0].text.replace(/\s+/g, ' ') : null;
  }
  if (site.type === 'subscript') {
    const keys = site.childrenForFieldName('subscript').filter((k): k is Node => k !== null);
    return keys.length === 1 ? keys[0].text.replace(/\s+/g, ' ') : null;
  }
  return null;
}

/** Loggers and warnings as services name them: `log.warning(…)`, `self.logger.info(…)`, `warnings.warn(…)`. */
const LOG_CALL =
  /^(?:(?:[\w.]*\.)?(?:log|logger|_log|_logger|LOG|LOGGER|logging)\.(?:debug|info|warning|warn|error|exception|critical|log)|warnings\.warn|warn|print)$/;

function isLogCall(statement: Node): boolean {
  if (statement.type !== 'expression_statement') return false;
  const call = unparenthesize(namedChildren(statement)[0] ?? null);
  return call?.type === 'call' && LOG_CALL.test(field(call, 'function')?.text ?? '');
}
