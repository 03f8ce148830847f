/** `[tool.heapgate]` from pyproject.toml. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { UsageError } from '../errors.js';

export interface PyprojectConfig {
  /** The pyproject.toml it came from (for error messages). */
  file: string;
  table: Record<string, unknown>;
}

/** The `[tool.heapgate]` table of `dir/pyproject.toml`, or null when there is none. */
export function readPyprojectConfig(dir: string): PyprojectConfig | null {
  const file = path.join(dir, 'pyproject.toml');
  if (!existsSync(file)) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    throw new UsageError(`${file}: not valid TOML: ${detail}`);
  }
  const tool = document.tool as Record<string, unknown> | undefined;
  const table = tool?.heapgate;
  if (table === undefined) return null;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new UsageError(`${file}: [tool.heapgate] must be a table`);
  }
  return { file, table: table as Record<string, unknown> };
}
