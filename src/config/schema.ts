/**
 * The JSON Schema of `[tool.heapgate]` (issue 16, item 5), written to docs/pyproject.schema.json by
 * `npm run docs` for editors and linters of pyproject.toml (taplo, Even Better TOML). Every key the
 * configuration readers accept (options.ts CONFIG_KEYS) has a property here, with its hyphenated and
 * underscored spelling; values are described as far as JSON Schema can say what the readers check
 * (docs/configuration-schema.md lists what only the readers check).
 */
import { SEVERITIES } from '../model/static.js';
import { BUDGET_SPELLINGS } from './budget.js';
import { HEAP_COUNTERS } from './dynamic.js';
import { FORMATS } from './formats.js';
import { CONFIG_KEYS } from './options.js';

type Schema = Record<string, unknown>;

/** `high` matches HIGH, High, high: fail-on is read in any case. */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
}

const DURATION = '^\\s*(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?([mM][sS]|[sShHmM]))+)\\s*$';
const SIZE = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*[a-zA-Z]*\\s*$';
const LIST_OF_FORMATS = `^\\s*(${FORMATS.join('|')})(\\s*,\\s*(${FORMATS.join('|')}))*\\s*$`;

const stringOrList: Schema = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
};
const duration = (example: string): Schema => ({
  type: 'string',
  pattern: DURATION,
  description: `A duration such as "${example}" ("500ms", "90s", "10m", "1h30m"; a bare number is seconds).`,
});

const PROPERTIES: Record<string, Schema> = {
  'fail-on': {
    type: 'string',
    pattern: `^(${SEVERITIES.map(anyCase).join('|')})$`,
    description: `Exit 1 when a finding at or above this severity remains (${SEVERITIES.join(', ')}).`,
  },
  select: {
    ...stringOrList,
    description: 'Only these rules: ids or short ids, a list or one comma-separated string.',
  },
  ignore: { ...stringOrList, description: 'Leave out these rules: ids or short ids.' },
  exclude: { ...stringOrList, description: 'Glob patterns of files and folders to skip.' },
  format: {
    type: 'string',
    pattern: LIST_OF_FORMATS,
    description: `Report format(s), comma-separated: ${FORMATS.join(', ')}.`,
  },
  'output-dir': {
    type: 'string',
    description: 'Write every format to DIR/heapgate.<ext> (inside the project).',
  },
  cache: { type: 'boolean', description: 'Keep the static phase cache (default true).' },
  'cache-dir': { type: 'string', description: 'Where the cache lives (default .heapgate_cache).' },
  'max-file-size': {
    type: 'string',
    pattern: SIZE,
    description: 'Skip (and report) files larger than this, such as "10MB".',
  },
  'file-timeout': duration('60s'),
  target: {
    type: 'string',
    minLength: 1,
    description:
      'How to start the service; {port} is a free loopback port, also exported as PORT. Absent: heapgate finds the app.',
  },
  python: { type: 'string', description: 'Interpreter for call scenarios (default python3).' },
  scenarios: { ...stringOrList, description: 'Scenario files or folders, inside the project.' },
  iterations: {
    anyOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', pattern: '^\\s*\\d+\\s*$' },
    ],
    description: "Override every scenario's measured iterations.",
  },
  duration: duration('10m'),
  budget: {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(BUDGET_SPELLINGS.map((k) => [k, { type: ['string', 'number'] }])),
    description:
      'Budgets under the scenarios\' own and the --budget-* flags ({ growth = "64B", threads = 0 }).',
  },
  'ready-path': {
    type: 'string',
    pattern: '^/',
    description: 'Readiness: GET this path instead of a TCP connect.',
  },
  'ready-timeout': duration('60s'),
  port: {
    anyOf: [
      { type: 'integer', minimum: 1, maximum: 65535 },
      { type: 'string', pattern: '^\\s*\\d+\\s*$' },
    ],
    description: 'The port a service of its own choosing listens on (default: heapgate finds it).',
  },
  'allow-remote': {
    type: 'boolean',
    description: 'Let scenarios with absolute URLs reach hosts other than loopback.',
  },
  'trace-depth': {
    anyOf: [
      { type: 'integer', minimum: 1, maximum: 100 },
      { type: 'string', pattern: '^\\s*\\d+\\s*$' },
    ],
    description: 'Frames per allocation in the leak-site pass (default 16).',
  },
  'heap-counter': {
    enum: [...HEAP_COUNTERS],
    description: 'What the heap series counts (default allocator).',
  },
  grace: duration('5s'),
  'gate-time': duration('5m'),
  'fail-on-unreached': { type: 'boolean', description: 'A finding no request reached fails the gate.' },
  'include-tests': {
    type: 'boolean',
    description:
      'Report findings in tests, test helpers, scripts, benchmarks and examples too (hidden by default).',
  },
};

/** The schema of the `[tool.heapgate]` table. */
export function pyprojectSchema(): Schema {
  const missing = CONFIG_KEYS.filter((k) => !(k in PROPERTIES));
  if (missing.length) throw new Error(`config/schema.ts: no schema for ${missing.join(', ')}`);
  const properties: Record<string, Schema> = {};
  for (const key of CONFIG_KEYS) {
    properties[key] = PROPERTIES[key];
    if (key.includes('-')) properties[key.replace(/-/g, '_')] = { $ref: `#/properties/${key}` };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'heapgate [tool.heapgate]',
    description: "heapgate's settings in pyproject.toml; command-line flags win over them.",
    type: 'object',
    additionalProperties: false,
    properties,
  };
}
