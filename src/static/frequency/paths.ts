/**
 * What a file is for, read from its path relative to the analysed folder: test code (tests, test
 * helpers, conftest), scripts, benchmarks, examples and docs — code a long-running service never runs,
 * whose findings are not reported by default — and files that only ever run once (migrations, the
 * settings module, `manage.py`, a WSGI/ASGI entry module).
 */

export type CodeKind = 'test' | 'script' | 'benchmark' | 'example' | 'docs';

/** Folders whose contents are tests or test helpers. */
const TEST_DIRS =
  /^(?:tests?|testing|testutils?|test_?utils|test_?helpers|testsuite|unittests?|functional_tests|integration_tests|e2e|idle_test)$/i;
const SCRIPT_DIRS = /^(?:scripts?|bin|devtools|\.github|\.circleci)$/i;
const BENCH_DIRS = /^(?:bench|benchmarks?|perf|asv_bench|load_?tests?|locust)$/i;
const EXAMPLE_DIRS = /^(?:examples?|samples?|demos?|tutorials?|cookbook|sandbox|playground)$/i;
const DOC_DIRS = /^(?:docs?|documentation|doc_src|sphinx)$/i;

const TEST_FILES =
  /^(?:conftest\.py|test\.py|tests\.py|testing\.py|.*_tests?\.py|tests?_.*\.py|pytest_plugin\.py)$/i;
const SCRIPT_FILES =
  /^(?:setup\.py|noxfile\.py|fabfile\.py|toxfile\.py|dodo\.py|release\.py|bootstrap\.py)$/i;
const BENCH_FILES = /^(?:bench_.*|.*_bench|benchmark_.*|.*_benchmark|locustfile)\.py$/i;
const EXAMPLE_FILES = /^(?:example_.*|.*_example|demo_.*)\.py$/i;
const DOC_FILES = /^conf\.py$/;

/** Test/script/benchmark/example/docs code by its path, or null for code a service may run. */
export function codeKind(rel: string): CodeKind | null {
  const parts = rel.split('/');
  const name = parts[parts.length - 1];
  const dirs = parts.slice(0, -1);
  if (dirs.some((d) => TEST_DIRS.test(d)) || TEST_FILES.test(name)) return 'test';
  if (dirs.some((d) => BENCH_DIRS.test(d)) || BENCH_FILES.test(name)) return 'benchmark';
  if (dirs.some((d) => EXAMPLE_DIRS.test(d)) || EXAMPLE_FILES.test(name)) return 'example';
  if (dirs.some((d) => DOC_DIRS.test(d)) || (DOC_FILES.test(name) && dirs.some((d) => /doc/i.test(d)))) {
    return 'docs';
  }
  if (dirs.some((d) => SCRIPT_DIRS.test(d)) || SCRIPT_FILES.test(name)) return 'script';
  return null;
}

const ONCE_DIRS = /^(?:migrations|alembic|versions|migrate|south_migrations)$/;
const ONCE_FILES = /^(?:manage\.py|settings\.py|wsgi\.py|asgi\.py|gunicorn(?:_conf|\.conf)?\.py)$/;

/** Why every function of this file runs once per process (or per deployment), or null. */
export function onceFile(rel: string): string | null {
  const parts = rel.split('/');
  const name = parts[parts.length - 1];
  const dirs = parts.slice(0, -1);
  if (dirs.some((d) => ONCE_DIRS.test(d)) && !/^__init__\.py$/.test(name)) {
    return 'a database migration, run once per deployment';
  }
  if (dirs.includes('settings') || /^settings(?:_\w+)?\.py$/.test(name))
    return 'the settings module, read at start-up';
  if (ONCE_FILES.test(name)) return `${name}, run once at start-up`;
  return null;
}

/** How a report names the kind of code. */
export const CODE_KIND_WORDS: Record<CodeKind, string> = {
  test: 'test code',
  script: 'a script',
  benchmark: 'a benchmark',
  example: 'an example',
  docs: 'documentation code',
};
