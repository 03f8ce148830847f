/**
 * Request-body classes of one file, from its lexical index (no parse needed): pydantic models (a
 * same-file base chain reaching `pydantic.BaseModel` or `sqlmodel.SQLModel`), classes that may be models
 * because they derive from a class of another module (decided when linking), and Enums (whose first
 * member stands for the type). Used two ways: a handler's annotation names a class (`classValue`), and a
 * file exports its models (FileResult.models) for the handlers of other files. A model's fields are
 * read from their written annotations and defaults (modelFields, fieldRequired).
 */
import type { FieldShape, ModelShape, ValueShape } from '../../model/static.js';
import { splitArguments, valueOfAnnotation, type ShapeContext } from './annotations.js';
import { pickLast, type LexClass, type LexIndex, type WrittenField } from './lex-index.js';

const MODEL_BASES = new Set([
  'pydantic.BaseModel',
  'pydantic.main.BaseModel',
  'pydantic.v1.BaseModel',
  'sqlmodel.SQLModel',
  'sqlmodel.main.SQLModel',
]);
const ENUM_BASES = /^enum\.(?:Enum|StrEnum|IntEnum)$/;

/** What a class is, as far as a request goes. */
interface ClassInfo {
  cls: LexClass;
  model: boolean;
  enumValue: string | number | boolean | null;
  importedBases: { module: string; name: string }[];
  /** Same-file bases, nearest first. */
  localBases: LexClass[];
}

export class ModelIndex {
  private readonly infos = new Map<LexClass, ClassInfo>();

  /**
   * @param moduleName how the file names itself in a relative import (`.items` for items.py, `.` for a
   *   package `__init__.py`), for references to its own classes that linking must finish.
   */
  constructor(
    private readonly lex: LexIndex,
    private readonly bindings: ReadonlyMap<string, string>,
    private readonly moduleName: string,
  ) {}

  qualify(dotted: string): string {
    const dot = dotted.indexOf('.');
    const head = dot < 0 ? dotted : dotted.slice(0, dot);
    const bound = this.bindings.get(head);
    if (bound === undefined) return dotted;
    return dot < 0 ? bound : bound + dotted.slice(dot);
  }

  /** The module and name an imported dotted name refers to, or null when it is not imported. */
  private importedRef(dotted: string): { module: string; name: string } | null {
    const head = dotted.split('.')[0];
    if (!this.bindings.has(head)) return null;
    const full = this.qualify(dotted);
    const dots = /^\.*/.exec(full)![0];
    const rest = full.slice(dots.length);
    const at = rest.lastIndexOf('.');
    if (at < 0) return dots ? { module: dots, name: rest } : null;
    return { module: dots + rest.slice(0, at), name: rest.slice(at + 1) };
  }

  private info(cls: LexClass, seen: Set<LexClass> = new Set()): ClassInfo {
    const known = this.infos.get(cls);
    if (known) return known;
    const info: ClassInfo = { cls, model: false, enumValue: null, importedBases: [], localBases: [] };
    seen.add(cls);
    for (const base of cls.bases) {
      const local = !this.bindings.has(base.split('.')[0])
        ? pickLast(this.lex.classes.get(base), cls.line - 1)
        : undefined;
      if (local && local.line < cls.line && !seen.has(local)) {
        const parent = this.info(local, seen);
        info.localBases.push(local);
        info.model ||= parent.model;
        info.importedBases.push(...parent.importedBases);
        if (parent.enumValue !== null) info.enumValue = parent.enumValue;
        continue;
      }
      const qualified = this.qualify(base);
      if (MODEL_BASES.has(qualified)) info.model = true;
      else if (ENUM_BASES.test(qualified)) info.enumValue = cls.members[0]?.value ?? null;
      else {
        const ref = this.importedRef(base);
        if (ref && !/^(?:pydantic|enum|typing|abc)(?:\.|$)/.test(ref.module)) info.importedBases.push(ref);
      }
    }
    this.infos.set(cls, info);
    return info;
  }

  /**
   * Own fields after those of same-file bases, as pydantic orders them (a redefined field keeps its
   * first place and takes the new value).
   */
  private fieldsOf(info: ClassInfo, context: ShapeContext): ModelShape['fields'] {
    const out = new Map<string, ModelShape['fields'][number]>();
    for (const base of [...info.localBases].reverse()) {
      for (const f of this.fieldsOf(this.info(base), context)) out.set(f.name, f);
    }
    for (const f of modelFields(info.cls.fields, context)) out.set(f.name, f);
    return [...out.values()];
  }

  /**
   * A ShapeContext resolving class names through this index: a same-file model becomes its object (or a
   * reference to itself when an imported base's fields must be added when linking), an Enum its first
   * member, an imported name a reference; anything else null.
   */
  context(qualify: (dotted: string) => string = (d) => this.qualify(d)): ShapeContext {
    const inProgress = new Set<LexClass>();
    const context: ShapeContext = {
      qualify,
      classValue: (name, line): ValueShape | null => {
        const local = !this.bindings.has(name.split('.')[0])
          ? pickLast(this.lex.classes.get(name), line)
          : undefined;
        if (local) {
          const info = this.info(local);
          if (info.enumValue !== null) return { kind: 'literal', value: info.enumValue };
          if (info.importedBases.length) return { kind: 'model', module: this.moduleName, name };
          if (!info.model) return null;
          // A model that refers to itself (a tree of nodes): the inner one is left empty.
          if (inProgress.has(local)) return { kind: 'dict' };
          inProgress.add(local);
          try {
            return { kind: 'object', fields: this.fieldsOf(info, context) };
          } finally {
            inProgress.delete(local);
          }
        }
        const ref = this.importedRef(name);
        return ref ? { kind: 'model', ...ref } : null;
      },
    };
    return context;
  }

  /**
   * The classes other files may name as request bodies: models, and classes that may be models through
   * an imported base (those declaring fields, or nothing but `pass`/a docstring).
   */
  exported(): ModelShape[] {
    const context = this.context();
    const out: ModelShape[] = [];
    for (const [name, list] of this.lex.classes) {
      const cls = list[list.length - 1];
      const info = this.info(cls);
      const candidate = info.importedBases.length > 0 && (cls.fields.length > 0 || cls.methods.size === 0);
      if (!info.model && !candidate) continue;
      out.push({
        name,
        fields: this.fieldsOf(info, context),
        importedBases: info.importedBases,
        model: info.model,
      });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** How a file names itself in a relative import from its own package. */
export function ownModuleName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base === '__init__.py' ? '.' : `.${base.replace(/\.py$/, '')}`;
}

/** Whether a field with this default must be sent: none, `...`, or `Field(...)` / `Field()` without one. */
export function fieldRequired(defaultText: string | null): boolean {
  if (defaultText === null) return true;
  const text = defaultText.trim();
  if (text === '...' || text === 'Ellipsis') return true;
  const call = /^(?:[\w.]*\.)?Field\s*\((.*)\)\s*$/s.exec(text);
  if (!call) return false;
  const args = splitArguments(call[1]);
  if (args.some((a) => /^default(?:_factory)?\s*=/.test(a) && !/^default\s*=\s*\.\.\.$/.test(a)))
    return false;
  const first = args[0];
  return first === undefined || first === '...' || /^\w+\s*=/.test(first);
}

/** The fields of a model class as request fields (ClassVars, private names and `model_config` left out). */
export function modelFields(fields: readonly WrittenField[], context: ShapeContext): FieldShape[] {
  const out: FieldShape[] = [];
  for (const f of fields) {
    if (f.name.startsWith('_') || f.name === 'model_config') continue;
    if (/^(?:typing\.)?ClassVar\b/.test(f.annotation)) continue;
    const value = valueOfAnnotation(f.annotation, context, f.line) ?? { kind: 'dict' };
    out.push({ name: f.name, value, required: fieldRequired(f.default) });
  }
  return out;
}
