/**
 * The JSON Schema (draft-07) of scenario files, written from the declarations the validator reads
 * (fields.ts, field-types.ts), so docs/scenario.schema.json cannot say anything the validator does not.
 * `npm run schema` (scripts/scenario-schema.mjs) writes it; a test checks the committed file is current.
 * Editors use it through a file's `"$schema"`.
 *
 * What JSON Schema cannot say stays with the validator alone (docs/scenarios.md lists it): unique names,
 * a sampleEvery that leaves too few samples, header names repeated in another case, a template in a
 * URL's host, unknown rule ids, and values only a JS module can hold.
 */
import { isObjectSpec, SCENARIO, SCENARIO_LIST, type Field, type ObjectSpec } from './fields.js';
import type { JsonSchema } from './field-types.js';
import type { JsonValue } from './model.js';

export const SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

function ref(spec: ObjectSpec): JsonSchema {
  return { $ref: `#/definitions/${spec.name}` };
}

function fieldSchema(field: Field<unknown>, definitions: Record<string, JsonSchema>): JsonSchema {
  // draft-07 ignores keywords beside $ref: the definition carries the description.
  if (isObjectSpec(field.type)) return define(field.type, definitions);
  const out: JsonSchema = { description: field.description, ...field.type.schema };
  if (field.default !== undefined) out.default = field.default;
  return out;
}

/** Every two of the fields. */
function pairs(fields: readonly string[]): string[][] {
  return fields.flatMap((a, i) => fields.slice(i + 1).map((b) => [a, b]));
}

/** The object's schema under `definitions` (once), and a reference to it. */
function define(spec: ObjectSpec, definitions: Record<string, JsonSchema>): JsonSchema {
  if (definitions[spec.name]) return ref(spec);
  const properties: Record<string, JsonSchema> = {};
  definitions[spec.name] = {}; // taken before the fields, so a field referring back finds it
  for (const [name, field] of Object.entries(spec.fields)) properties[name] = fieldSchema(field, definitions);
  const required = Object.entries(spec.fields)
    .filter(([, field]) => field.missing !== undefined)
    .map(([name]) => name);
  const rules: JsonSchema[] = [];
  for (const choice of spec.choices ?? []) {
    const { fields } = choice;
    if (choice.neither) rules.push({ oneOf: fields.map((field) => ({ required: [field] })) });
    else if (fields.length === 2) rules.push({ not: { required: [...fields] } });
    else rules.push({ not: { anyOf: pairs(fields).map((pair) => ({ required: pair })) } });
  }
  for (const rule of spec.requires ?? []) {
    rules.push({
      if: { required: [rule.when] },
      then: { properties: { [rule.field]: { const: rule.value } } },
    });
  }
  const schema: JsonSchema = { description: spec.description, type: 'object', properties };
  if (required.length) schema.required = required;
  schema.additionalProperties = false;
  if (rules.length) schema.allOf = rules;
  definitions[spec.name] = schema;
  return ref(spec);
}

/** The schema of a scenario file: one scenario, a non-empty array of them, or `{ "scenarios": [...] }`. */
export function scenarioFileSchema(): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const scenario = define(SCENARIO, definitions);
  const list = define(SCENARIO_LIST, definitions);
  return {
    $schema: SCHEMA_DRAFT,
    title: 'heapgate scenario file',
    description:
      'One scenario, an array of scenarios, or { "scenarios": [...] }. Every field but "name" and one of "request"/"call"/"websocket" has a default. See docs/scenarios.md.',
    oneOf: [scenario, { type: 'array', minItems: 1, items: scenario }, list],
    definitions: definitions as Record<string, JsonValue>,
  };
}
