/**
 * Scenario templates (docs/scenarios.md): in every string of a JSON-like value (object keys included) `{i}` becomes
 * the iteration index, `{uuid}` a fresh random UUID v4 and `{random}` a random integer in [0, 2^31).
 * Each occurrence is drawn afresh: "{uuid}-{uuid}" holds two different ids. Any other text in braces is
 * left alone (`/items/{id}` stays as written). Pure but for the random source, which tests inject.
 */
import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../scenarios/model.js';

export interface TemplateRandom {
  uuid(): string;
  /** An integer in [0, 2^31). */
  integer(): number;
}

const INTEGER_LIMIT = 2 ** 31;
const TOKEN = /\{(i|uuid|random)\}/g;
const HAS_TOKEN = /\{(?:i|uuid|random)\}/;

export const defaultRandom: TemplateRandom = {
  uuid: () => randomUUID(),
  integer: () => Math.floor(Math.random() * INTEGER_LIMIT),
};

/** A TemplateRandom drawing from a uniform [0, 1) generator (e.g. a seeded mulberry32, for tests). */
export function templateRandomFrom(random: () => number): TemplateRandom {
  const byte = () => Math.min(255, Math.floor(random() * 256));
  return {
    integer: () => Math.min(INTEGER_LIMIT - 1, Math.floor(random() * INTEGER_LIMIT)),
    uuid: () => {
      const bytes = Array.from({ length: 16 }, byte);
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

/** Whether any string in the value (or any key) holds a template. */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return HAS_TOKEN.test(value);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => HAS_TOKEN.test(key) || hasTemplate(item));
  }
  return false;
}

export function expandString(text: string, i: number, random: TemplateRandom = defaultRandom): string {
  if (!HAS_TOKEN.test(text)) return text;
  return text.replace(TOKEN, (_, token: string) =>
    token === 'i' ? String(i) : token === 'uuid' ? random.uuid() : String(random.integer()),
  );
}

/**
 * The value with every template expanded for iteration `i`. Parts without templates are shared with the
 * input, not copied: treat both as read-only.
 */
export function expandTemplate<T extends JsonValue>(value: T, i: number, random?: TemplateRandom): T;
export function expandTemplate(
  value: JsonValue,
  i: number,
  random: TemplateRandom = defaultRandom,
): JsonValue {
  if (typeof value === 'string') return expandString(value, i, random);
  if (!hasTemplate(value)) return value;
  if (Array.isArray(value)) return value.map((item) => expandTemplate(item, i, random));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        expandString(key, i, random),
        expandTemplate(item, i, random),
      ]),
    ) as JsonValue;
  }
  return value;
}
