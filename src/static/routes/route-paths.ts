/**
 * Route paths and their order: how Flask joins blueprint prefixes and rules (single slashes, unlike the
 * plain concatenation of FastAPI and aiohttp), the HTTP methods a route may name, and the one order
 * (file, line, method, path, handler) routes are reported in, duplicates removed.
 */
import type { Route } from '../../model/static.js';

/** Flask's nested blueprint prefix: `parent.rstrip('/') + '/' + child.lstrip('/')`. */
export function joinFlaskPrefix(parent: string, child: string | null): string {
  if (parent && child) return `${parent.replace(/\/+$/, '')}/${child.replace(/^\/+/, '')}`;
  return child ?? parent;
}

/** Flask's blueprint rule: the prefix alone for an empty rule, else joined on exactly one slash. */
export function joinFlaskRule(prefix: string, rule: string): string {
  if (!prefix) return rule;
  if (!rule) return prefix;
  return `${prefix.replace(/\/+$/, '')}/${rule.replace(/^\/+/, '')}`;
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];

/** Sorts and removes duplicate routes. */
export function sortRoutes(routes: Route[]): Route[] {
  const seen = new Set<string>();
  const unique: Route[] = [];
  for (const r of routes) {
    const key = JSON.stringify([r.file, r.line, r.method, r.path, r.framework, r.handler, r.owner ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(r);
  }
  return unique.sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      compareText(a.method, b.method) ||
      compareText(a.path, b.path) ||
      compareText(a.handler.function, b.handler.function),
  );
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
