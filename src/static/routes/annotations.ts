/**
 * The request value a type annotation or a default stands for (`Optional[list[str]]` → a list, `Item`
 * → the model the file context knows, `0` → an int), as request-shape reading needs it for FastAPI
 * parameters and pydantic model fields. Annotations are read as text, so a model class need not be
 * parsed.
 */
import type { ValueShape } from '../../model/static.js';
import { splitTopLevel } from '../lexical.js';
import { field, unparenthesize, type Node } from '../pyast.js';

/** What shape extraction needs from the file around a handler. */
export interface ShapeContext {
  /** A dotted name qualified through the module's imports (`Body` → `fastapi.Body`). */
  qualify(dotted: string): string;
  /**
   * The request value of a class an annotation names at `line`: a same-file model's object, a
   * reference to another module's class, or null when it is nothing a client sends.
   */
  classValue(name: string, line: number): ValueShape | null;
}

const SCALARS = new Map<string, ValueShape['kind']>([
  ...[
    'str',
    'bytes',
    'constr',
    'conbytes',
    'SecretStr',
    'StrictStr',
    'StrictBytes',
    'AnyStr',
    'Any',
    'object',
  ].map((n): [string, ValueShape['kind']] => [n, 'str']),
  ...['int', 'conint', 'PositiveInt', 'NonNegativeInt', 'StrictInt'].map(
    (n): [string, ValueShape['kind']] => [n, 'int'],
  ),
  ...['float', 'confloat', 'Decimal', 'condecimal', 'PositiveFloat', 'NonNegativeFloat', 'StrictFloat'].map(
    (n): [string, ValueShape['kind']] => [n, 'float'],
  ),
  ['bool', 'bool'],
  ['StrictBool', 'bool'],
  ['EmailStr', 'email'],
  ['NameEmail', 'email'],
  ...['HttpUrl', 'AnyUrl', 'AnyHttpUrl', 'Url'].map((n): [string, ValueShape['kind']] => [n, 'url']),
  ...['UUID', 'UUID1', 'UUID3', 'UUID4', 'UUID5'].map((n): [string, ValueShape['kind']] => [n, 'uuid']),
  ['date', 'date'],
  ['datetime', 'datetime'],
]);
const LISTS = new Set([
  'list',
  'List',
  'set',
  'Set',
  'frozenset',
  'FrozenSet',
  'tuple',
  'Tuple',
  'Sequence',
  'Iterable',
  'conlist',
  'conset',
]);
const DICTS = new Set(['dict', 'Dict', 'Mapping', 'MutableMapping', 'Json']);
/** Modules whose names are never a client-sent class (typing constructs, the standard library). */
const NOT_A_MODEL = /^(?:typing|typing_extensions|collections|datetime|decimal|uuid|pydantic)(?:\.|$)/;

/** Top-level comma-separated parts of a subscript's or call's argument text (`str, Query(max_length=3)`). */
export function splitArguments(text: string): string[] {
  return splitTopLevel(text, ',');
}

/** A Python literal's value (`"a"`, `3`, `1.5`, `True`), or undefined for anything else. */
function literalValue(text: string): string | number | boolean | undefined {
  const t = text.trim();
  const quoted = /^[rRuUbB]?(['"])(.*)\1$/s.exec(t);
  if (quoted) return quoted[2];
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?\d*\.\d+(?:[eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === 'True' || t === 'False') return t === 'True';
  return undefined;
}

/**
 * The request value of a type annotation as written (`Optional[list[str]]`, `Item | None`, `"Item"`);
 * null when it names nothing a client sends (an unknown class, `None`).
 */
export function valueOfAnnotation(
  annotation: string,
  context: ShapeContext,
  line: number,
  depth = 0,
): ValueShape | null {
  let text = annotation.trim();
  if (depth > 8 || !text) return null;
  // A forward reference: `"Item"`.
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) text = quoted[2].trim();
  const union = splitTopLevel(text, '|').filter((p) => p !== 'None');
  if (union.length !== 1 || union[0] !== text) {
    return union.length ? valueOfAnnotation(union[0], context, line, depth + 1) : null;
  }
  // `list[str]`, `conint(gt=0)` (a constrained type: what it constrains is all that matters here).
  const match = /^([A-Za-z_][\w.]*)\s*(?:\[(.*)\]|\((.*)\))?$/s.exec(text);
  if (!match) return null;
  const written = match[1];
  const args = match[2] !== undefined ? splitArguments(match[2]) : [];
  const qualified = context.qualify(written);
  const tail = qualified.slice(qualified.lastIndexOf('.') + 1);
  const library = NOT_A_MODEL.test(qualified) || !qualified.includes('.');
  if (library || written === tail) {
    if (tail === 'Annotated' || tail === 'Optional' || tail === 'Required' || tail === 'NotRequired') {
      return args.length ? valueOfAnnotation(args[0], context, line, depth + 1) : null;
    }
    if (tail === 'Union') {
      const first = args.find((a) => a !== 'None');
      return first ? valueOfAnnotation(first, context, line, depth + 1) : null;
    }
    if (tail === 'Literal') {
      const value = args.length ? literalValue(args[0]) : undefined;
      return value === undefined ? null : { kind: 'literal', value };
    }
    if (LISTS.has(tail)) return { kind: 'list' };
    if (DICTS.has(tail)) return { kind: 'dict' };
    const scalar = SCALARS.get(tail);
    if (scalar) return { kind: scalar } as ValueShape;
  }
  if (NOT_A_MODEL.test(qualified) || tail === 'None') return null;
  return context.classValue(written, line);
}

/** The value of a literal default (`0`, `""`, `[]`, `{}`, `False`), or null for anything else. */
export function valueOfDefault(node: Node | null): ValueShape | null {
  const n = unparenthesize(node);
  if (!n) return null;
  switch (n.type) {
    case 'integer':
      return { kind: 'int' };
    case 'float':
      return { kind: 'float' };
    case 'true':
    case 'false':
      return { kind: 'bool' };
    case 'string':
    case 'concatenated_string':
      return { kind: 'str' };
    case 'list':
    case 'tuple':
    case 'set':
      return { kind: 'list' };
    case 'dictionary':
      return { kind: 'dict' };
    case 'unary_operator':
      return valueOfDefault(field(n, 'argument'));
    default:
      return null;
  }
}
