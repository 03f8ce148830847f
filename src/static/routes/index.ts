/**
 * Route extraction: which HTTP routes a service declares and which function each one runs. One file per
 * framework; this module only combines them.
 */
import type { ImportTable } from '../imports.js';
import type { Route } from '../model.js';
import type { Node } from '../pyast.js';

export interface RouteContext {
  file: string;
  source: string;
  root: Node;
  imports: ImportTable;
}

/** Statements holding any of these words, or passing the test, may declare routes. */
export const ROUTE_TRIGGER = {
  words: [] as string[],
  test: (_text: string): boolean => false,
};

export function extractRoutes(_context: RouteContext): Route[] {
  return [];
}
