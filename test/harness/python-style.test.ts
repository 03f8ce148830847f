/** The Python in harness/ is held to the same bar as the TypeScript: ruff's lints and formatter. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const HARNESS = path.join(REPO, 'harness');
const workspace = new Workspace(
  {
    'line-length': 110,
    'target-version': 'py38',
    lint: {
      select: ['E', 'F', 'W', 'B', 'BLE', 'I', 'UP', 'SIM', 'PL', 'RUF'],
      // Lazy imports keep interpreter start-up cheap; %-formatting keeps the shim loadable on old Pythons.
      ignore: ['PLC0415', 'UP031', 'PLR2004', 'PLR0911', 'PLR0912', 'PLW0603'],
    },
  },
  PositionEncoding.Utf16,
);

interface Diagnostic {
  code: string;
  message: string;
  start_location: { row: number };
}

describe('harness/*.py', () => {
  for (const name of readdirSync(HARNESS).filter((f) => f.endsWith('.py'))) {
    it(`${name} passes ruff and is ruff-formatted`, () => {
      const source = readFileSync(path.join(HARNESS, name), 'utf8');
      const diagnostics = (workspace.check(source) as Diagnostic[]).map(
        (d) => `${name}:${d.start_location.row} ${d.code} ${d.message}`,
      );
      expect(diagnostics).toEqual([]);
      expect(workspace.format(source)).toBe(source);
    });
  }
});
