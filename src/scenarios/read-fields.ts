/**
 * Reading an object declared in fields.ts: opening it (an object, with no unknown fields), reading one
 * of its fields with the field's value type, and settling a choice between two fields. The readers of
 * scenarios, requests and calls are written with these, in the order their messages are reported.
 */
import type { Choice, Field, ObjectSpec } from './fields.js';
import type { ValueType } from './field-types.js';
import { checkFields, describe, isPlainObject, joinPath, type Issues } from './issues.js';

/** The value as an object, unknown fields reported; undefined after reporting that it is not an object. */
export function openObject(
  spec: ObjectSpec,
  value: unknown,
  at: string,
  issues: Issues,
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    issues.add(at, `expected ${spec.expected}, got ${describe(value)}`);
    return undefined;
  }
  checkFields(value, Object.keys(spec.fields), at, issues);
  return value;
}

/**
 * A field's value read with its type: undefined when it is absent (reported when the field says it must
 * be given) or invalid (reported by the type).
 */
export function readField<T>(
  object: Record<string, unknown>,
  name: string,
  field: Field<T> & { type: ValueType<T> },
  at: string,
  issues: Issues,
): T | undefined {
  const here = joinPath(at, name);
  const value = object[name];
  if (value === undefined) {
    if (field.missing) issues.add(here, field.missing);
    return undefined;
  }
  return field.type.read(value, here, issues);
}

/**
 * Which of a choice's fields is given: reports two given (at the second), and none when the choice
 * requires one; null when several or none are given.
 */
export function choose(
  choice: Choice,
  object: Record<string, unknown>,
  at: string,
  issues: Issues,
): string | null {
  const given = choice.fields.filter((field) => object[field] !== undefined);
  if (given.length > 1) {
    const [first, second] = given;
    const message = typeof choice.both === 'string' ? choice.both : choice.both(first, second);
    issues.add(joinPath(at, second), message);
  } else if (given.length === 0) {
    const where = choice.neither?.at;
    if (where !== undefined) issues.add(where ? joinPath(at, where) : at, choice.neither!.message);
  } else return given[0];
  return null;
}
