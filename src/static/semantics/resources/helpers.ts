/**
 * Functions defined in the same file that a resource is handed to: found in the text (so it works
 * whether or not the pre-scan chose to parse them), and what each does with the parameter it gets.
 */
import { calleeTail, field, namedChildren, type Node } from '../../pyast.js';
import { closingBracket, splitTopLevel } from '../../lexical.js';
import { defHeaders, indentedBody } from '../lexical-defs.js';
import { perSource } from '../source-index.js';
import { same } from './own-scope.js';

/**
 * What a function defined in the same file does with the parameter the resource is passed as: closes
 * it (`_iter_open_tar(tarobj)` doing `with closing(tar_obj):`) or keeps it on its object (`escape`).
 * Read from the text, so it works whether or not the pre-scan chose to parse the helper.
 */
export function helperEffect(source: string, call: Node, arg: Node): HelperEffect {
  const tail = calleeTail(call);
  const args = field(call, 'arguments');
  if (!tail || !args) return null;
  let key: string | number;
  if (arg.type === 'keyword_argument') {
    key = field(arg, 'name')?.text ?? '';
  } else {
    let index = 0;
    for (const a of namedChildren(args)) {
      if (same(a, arg)) break;
      if (a.type === 'keyword_argument' || a.type === 'comment') continue;
      if (a.type === 'list_splat' || a.type === 'dictionary_splat') return null;
      index++;
    }
    key = index;
  }
  const method = field(call, 'function')?.type === 'attribute';
  // The answer depends only on the helper's name and the parameter: worked out once per file.
  const effects = perSource(source, EFFECTS, () => new Map<string, HelperEffect>());
  const memoKey = `${tail}\u0000${typeof key}\u0000${key}\u0000${method}`;
  let effect = effects.get(memoKey);
  if (effect === undefined) effects.set(memoKey, (effect = effectOnParameter(source, tail, key, method)));
  return effect;
}

type HelperEffect = 'close' | 'escape' | 'data' | null;
const EFFECTS = Symbol('helper effects');

function effectOnParameter(
  source: string,
  tail: string,
  key: string | number,
  method: boolean,
): HelperEffect {
  const effects = new Set<string>();
  for (const def of helperDefinitions(source, tail)) {
    let params = def.params;
    if (method && (params[0] === 'self' || params[0] === 'cls')) params = params.slice(1);
    const param = typeof key === 'number' ? params[key] : params.find((p) => p === key);
    if (!param || !/^[A-Za-z_]\w*$/.test(param)) return null;
    const p = param;
    const closes = new RegExp(
      `\\b${p}\\.(?:close|aclose|dispose|shutdown|__exit__)\\s*\\(|\\b(?:a?closing|enter_context|enter_async_context)\\(\\s*${p}\\b|\\bwith\\s+${p}\\b`,
    );
    if (closes.test(def.body)) effects.add('close');
    // `def _prepare_conn(self, conn): self.sock = conn` keeps it on the object.
    else if (new RegExp(`\\bself\\.\\w+\\s*=\\s*${p}\\b`).test(def.body)) effects.add('escape');
    // Only methods called on it (`conn.execute(q)`): the helper returns what it read, not the resource.
    else if (
      new RegExp(`\\b${p}\\s*\\.`).test(stripComments(def.body)) &&
      !new RegExp(`\\b${p}\\b(?!\\s*\\.)`).test(stripComments(def.body))
    ) {
      effects.add('data');
    } else return null;
  }
  return effects.size === 1 ? ([...effects][0] as 'close' | 'escape' | 'data') : null;
}

function stripComments(text: string): string {
  return text.replace(/#[^\n]*/g, '');
}

interface HelperDefinition {
  params: string[];
  body: string;
}

const DEFINITIONS = Symbol('helper definitions');

/** The file's defs called `name` (any depth): parameter names and up to 401 lines of body text. */
function helperDefinitions(source: string, name: string): HelperDefinition[] {
  const byName = perSource(source, DEFINITIONS, () => new Map<string, HelperDefinition[]>());
  let found = byName.get(name);
  if (!found) {
    found = defHeaders(source, name).map(({ indent, open }) => {
      const close = closingBracket(source, open);
      const i = close === -1 ? source.length : close + 1;
      const params = splitTopLevel(source.slice(open + 1, i - 1), ',').map((p) =>
        p
          .replace(/^\s*\**/, '')
          .split(/[:=]/)[0]
          .trim(),
      );
      const lineEnd = source.indexOf('\n', i);
      const body = indentedBody(source, lineEnd === -1 ? source.length : lineEnd + 1, indent, 400);
      return { params, body };
    });
    byName.set(name, found);
  }
  return found;
}
