/**
 * What a FastAPI handler's parameters say about the request: a pydantic model (or a list/dict, or a
 * `Body()` default) is the JSON body, one such parameter the body itself and several embedded by name,
 * as FastAPI does; `Form()` parameters a urlencoded form; other parameters that are not path parameters
 * the query. `Depends()`, `Header()`, `Cookie()`, `Path()` and framework types (`Request`,
 * `BackgroundTasks`) are not the client's to fill; a `File()`/`UploadFile` makes the body unknown
 * (multipart is not generated).
 */
import type { FieldShape, RequestShape, ValueShape } from '../../model/static.js';
import { field, namedChildren, type Node } from '../pyast.js';
import { splitArguments, valueOfAnnotation, valueOfDefault, type ShapeContext } from './annotations.js';

const FASTAPI_MARKERS = new Set([
  'Depends',
  'Security',
  'Query',
  'Body',
  'Form',
  'File',
  'Header',
  'Cookie',
  'Path',
]);
/** Parameter annotations the framework fills itself; UploadFile means a multipart body. */
const FRAMEWORK_MODULES = /^(?:fastapi|starlette)\./;

interface Parameter {
  name: string;
  annotation: string | null;
  defaultNode: Node | null;
  line: number;
}

function parametersOf(def: Node): Parameter[] {
  const params = field(def, 'parameters');
  const out: Parameter[] = [];
  for (const p of params ? namedChildren(params) : []) {
    const line = p.startPosition.row + 1;
    if (p.type === 'identifier') out.push({ name: p.text, annotation: null, defaultNode: null, line });
    else if (p.type === 'typed_parameter') {
      const name = p.namedChild(0);
      if (name?.type !== 'identifier') continue; // *args: T, **kw: T
      out.push({ name: name.text, annotation: field(p, 'type')?.text ?? null, defaultNode: null, line });
    } else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const name = field(p, 'name');
      if (name?.type !== 'identifier') continue;
      out.push({
        name: name.text,
        annotation: field(p, 'type')?.text ?? null,
        defaultNode: field(p, 'value'),
        line,
      });
    }
  }
  return out;
}

/** `Query(...)`, `Body(embed=True)`, `Depends(get_db)` as a default or inside `Annotated[...]`. */
interface Marker {
  kind: string;
  /** The marker's own default says the value is optional. */
  optional: boolean;
  embed: boolean;
}

function markerOfCall(text: string, context: ShapeContext): Marker | null {
  const m = /^([A-Za-z_][\w.]*)\s*\((.*)\)$/s.exec(text.trim());
  if (!m) return null;
  const qualified = context.qualify(m[1]);
  const tail = qualified.slice(qualified.lastIndexOf('.') + 1);
  if (!FASTAPI_MARKERS.has(tail) || !/^fastapi(?:\.|$)/.test(qualified)) return null;
  const args = splitArguments(m[2]);
  const first = args[0];
  const positionalDefault = first !== undefined && !/^\w+\s*=/.test(first) ? first : null;
  const keywordDefault = args.find((a) => /^default(?:_factory)?\s*=/.test(a)) ?? null;
  const given = positionalDefault ?? (keywordDefault ? keywordDefault.replace(/^\w+\s*=\s*/, '') : null);
  return {
    kind: tail,
    optional: given !== null && given !== '...',
    embed: args.some((a) => /^embed\s*=\s*True$/.test(a)),
  };
}

interface AnnotationParts {
  type: string | null;
  marker: Marker | null;
}

function annotationParts(annotation: string | null, context: ShapeContext): AnnotationParts {
  if (annotation === null) return { type: null, marker: null };
  const m = /^([A-Za-z_][\w.]*)\s*\[(.*)\]$/s.exec(annotation.trim());
  if (!m || !/(?:^|\.)Annotated$/.test(context.qualify(m[1]))) return { type: annotation, marker: null };
  const [type, ...metadata] = splitArguments(m[2]);
  const marker = metadata.map((t) => markerOfCall(t, context)).find((x) => x !== null) ?? null;
  return { type: type ?? null, marker };
}

/** What a FastAPI handler's parameters say; path parameters (named in the route path) are left out. */
export function fastapiParameterShape(
  def: Node,
  pathParameters: ReadonlySet<string>,
  context: ShapeContext,
): RequestShape | null {
  const query: FieldShape[] = [];
  const form: FieldShape[] = [];
  const body: { field: FieldShape; embed: boolean }[] = [];
  let multipart = false;
  for (const p of parametersOf(def)) {
    if (pathParameters.has(p.name) || p.name === 'self' || p.name === 'cls') continue;
    const parts = annotationParts(p.annotation, context);
    const defaultMarker = p.defaultNode ? markerOfCall(p.defaultNode.text, context) : null;
    const marker = parts.marker ?? defaultMarker;
    // `q: Annotated[str, Query()] = "x"` has its default after `=`; `q: str = Query("x")` inside the marker.
    const required = defaultMarker ? !defaultMarker.optional : !marker?.optional && p.defaultNode === null;
    const qualifiedType = parts.type ? context.qualify(parts.type.replace(/\[.*$/s, '').trim()) : '';
    if (FRAMEWORK_MODULES.test(qualifiedType)) {
      if (/(?:^|\.)UploadFile$/.test(qualifiedType)) multipart = true;
      continue;
    }
    if (marker && ['Depends', 'Security', 'Header', 'Cookie', 'Path'].includes(marker.kind)) continue;
    if (marker?.kind === 'File') {
      multipart = true;
      continue;
    }
    const typed = parts.type !== null ? valueOfAnnotation(parts.type, context, p.line) : null;
    if (parts.type !== null && typed === null) continue; // a class nobody sends (a dependency's type)
    const value = typed ?? valueOfDefault(p.defaultNode) ?? { kind: 'str' };
    const shaped: FieldShape = { name: p.name, value, required };
    if (marker?.kind === 'Form') form.push(shaped);
    else if (marker?.kind === 'Query') query.push(shaped);
    else if (marker?.kind === 'Body' || !isQueryValue(value))
      body.push({ field: shaped, embed: !!marker?.embed });
    else query.push(shaped);
  }
  let shapeBody: RequestShape['body'] = null;
  if (multipart) shapeBody = null;
  else if (body.length === 1 && !body[0].embed) shapeBody = { encoding: 'json', value: body[0].field.value };
  else if (body.length)
    shapeBody = { encoding: 'json', value: { kind: 'object', fields: body.map((b) => b.field) } };
  else if (form.length) shapeBody = { encoding: 'form', value: { kind: 'object', fields: form } };
  if (!shapeBody && !query.length) return null;
  return { body: shapeBody, query };
}

/** FastAPI reads scalars (and literals) from the query string; models, lists and dicts from the body. */
function isQueryValue(value: ValueShape): boolean {
  return value.kind !== 'object' && value.kind !== 'model' && value.kind !== 'list' && value.kind !== 'dict';
}
