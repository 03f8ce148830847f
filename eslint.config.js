import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The import boundaries of src/ as lint (docs/architecture.md), from the same table the import-graph test
 * reads: a file of a layer may import only the kernel and the layers the table lists for it, and a rule
 * file never imports another rule file.
 */
const importFlow = JSON.parse(readFileSync(new URL('./scripts/import-flow.json', import.meta.url), 'utf8'));
const LAYERS = Object.keys(importFlow.flow).filter((layer) => layer !== 'kernel');
const KERNEL_FILES = importFlow.kernel.map((entry) =>
  entry.endsWith('.ts') ? `src/${entry}` : `src/${entry}/**`,
);

function boundary(layer) {
  const allowed = new Set(importFlow.flow[layer]);
  const forbidden = LAYERS.filter((other) => other !== layer && !allowed.has(other));
  return {
    files: layer === 'kernel' ? KERNEL_FILES : [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((other) => ({
            group: [`**/${other}/**`, `../${other}/*`],
            message: `${layer} may not import ${other}: see scripts/import-flow.json and docs/architecture.md`,
          })),
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', '**/.heapgate_cache/', 'test/fixtures/', 'examples/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...['kernel', ...LAYERS].map(boundary),
  {
    files: ['src/static/rules/[rm][0-9]-*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./*'],
              message: 'a rule never imports another rule: share code through src/static/semantics/',
            },
          ],
        },
      ],
    },
  },
);
