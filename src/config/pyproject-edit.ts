/**
 * Adding keys to `[tool.heapgate]` in a pyproject.toml's text without clobbering anything (`heapgate init`,
 * issue 16): a key the table already has keeps its value; new keys go right under the table's header (so
 * they belong to it, before any sub-table), or in a new table at the end of the file. Comments, order and
 * formatting of everything else stay byte for byte. The result is parsed back before it is used.
 */
import { parse } from 'smol-toml';
import { UsageError } from '../errors.js';

/** A TOML value init writes: a string or a list of strings. */
export type TomlValue = string | readonly string[];

export interface PyprojectEdit {
  /** The new text of the file. */
  text: string;
  /** The keys written. */
  added: string[];
  /** The keys the table already had, left as they were. */
  kept: string[];
}

const HEADER = /^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*heapgate[ \t]*\][ \t]*(?:#.*)?$/m;

/** A TOML basic string (JSON's escapes are TOML's, for the characters JSON escapes). */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

export function tomlValue(value: TomlValue): string {
  return typeof value === 'string' ? tomlString(value) : `[${value.map(tomlString).join(', ')}]`;
}

function parseOrExplain(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${file}: not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * `text` (null: no file yet) with `keys` added to its [tool.heapgate] table where missing. Throws a
 * UsageError (exit 2) when the file is not valid TOML or defines the table in a form this does not edit
 * (dotted keys under [tool], an inline table).
 */
export function addHeapgateKeys(
  text: string | null,
  keys: ReadonlyArray<readonly [string, TomlValue]>,
  file = 'pyproject.toml',
): PyprojectEdit {
  const before = text ?? '';
  const document = parseOrExplain(before, file);
  const tool = document.tool as Record<string, unknown> | undefined;
  const table = tool?.heapgate as Record<string, unknown> | undefined;
  const has = (key: string) => table !== undefined && (key in table || key.replace(/-/g, '_') in table);
  const added = keys.filter(([key]) => !has(key));
  const kept = keys.filter(([key]) => has(key)).map(([key]) => key);
  if (!added.length) return { text: before, added: [], kept };
  const lines = added.map(([key, value]) => `${key} = ${tomlValue(value)}\n`).join('');

  let after: string;
  const header = HEADER.exec(before);
  if (header) {
    const end = header.index + header[0].length;
    after = `${before.slice(0, end)}\n${lines}${before.slice(end + 1)}`;
  } else if (table !== undefined) {
    throw new UsageError(
      `${file}: [tool.heapgate] is written in a form heapgate init does not edit (dotted keys or an inline ` +
        `table): add ${added.map(([key, value]) => `${key} = ${tomlValue(value)}`).join(', ')} yourself`,
    );
  } else {
    const separator = !before ? '' : before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
    after = `${before}${separator}[tool.heapgate]\n${lines}`;
  }

  const check = (parseOrExplain(after, file).tool as Record<string, unknown> | undefined)?.heapgate as
    | Record<string, unknown>
    | undefined;
  for (const [key, value] of added) {
    if (JSON.stringify(check?.[key]) !== JSON.stringify(value)) {
      throw new UsageError(`${file}: heapgate init could not add ${key} to [tool.heapgate]; add it yourself`);
    }
  }
  return { text: after, added: added.map(([key]) => key), kept };
}
