/**
 * Issue 16, item 3, the parts of `soak --pytest` that need no Python: collecting tests from source as
 * pytest's defaults would (select/pytest-collect.ts), and picking the ones whose body or fixtures reach a
 * flagged function through the call graph (select/pytest-pick.ts), most severe first, at most N.
 */
import { describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import type { Finding, Severity } from '../../src/model/static.js';
import { callGraphOf } from '../../src/select/callgraph.js';
import { testsOfModule, type CollectedTest, type FixtureDef } from '../../src/select/pytest-collect.js';
import { pickTests } from '../../src/select/pytest-pick.js';
import { parsePython, pythonParser } from '../../src/static/parse.js';

const parser: Parser = await pythonParser();

function collect(file: string, source: string) {
  const tree = parsePython(parser, source);
  try {
    return testsOfModule(file, tree.rootNode);
  } finally {
    tree.delete();
  }
}

function finding(file: string, fn: string, severity: Severity = 'MEDIUM', line = 1): Finding {
  return {
    rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
    shortId: 'R1',
    severity,
    file,
    line,
    column: 1,
    endLine: line,
    endColumn: 2,
    message: 'grows',
    function: fn,
    confidence: 'high',
    fix: 'bound it',
  };
}

describe('collecting tests as pytest would', () => {
  const source = `
import pytest

pytestmark = [pytest.mark.slow]

def helper():
    pass

def test_plain(db, client, limit=3):
    helper()

def testcompact():
    pass

async def test_async():
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    pass

@pytest.mark.skip(reason="later")
def test_skipped():
    pass

@pytest.mark.xfail
def test_expected_to_fail():
    pass

@pytest.mark.usefixtures("cleandir", 'tmp_env')
def test_uses():
    pass

@pytest.fixture(name="db")
def database(settings):
    return {}

@pytest.fixture(params=["a", "b"])
def flavour():
    return 1

class TestUsers:
    @pytest.fixture
    def client(self):
        return 1

    def test_create(self, client):
        pass

    def helper_not_a_test(self):
        pass

    class TestNested:
        def test_inner(self):
            pass

@pytest.mark.skipif(True, reason="x")
class TestSkipped:
    def test_a(self):
        pass

class TestWithInit:
    def __init__(self):
        pass

    def test_never_collected(self):
        pass

class Helpers:
    def test_not_in_a_test_class(self):
        pass
`;
  const { tests, fixtures } = collect('tests/test_users.py', source);
  const byId = new Map(tests.map((t) => [t.nodeId, t]));

  it('finds test functions and the test methods of Test classes (nested too), not helpers', () => {
    expect(tests.map((t) => t.nodeId)).toEqual([
      'tests/test_users.py::test_plain',
      'tests/test_users.py::testcompact',
      'tests/test_users.py::test_async',
      'tests/test_users.py::test_param',
      'tests/test_users.py::test_skipped',
      'tests/test_users.py::test_expected_to_fail',
      'tests/test_users.py::test_uses',
      'tests/test_users.py::TestUsers::test_create',
      'tests/test_users.py::TestUsers::TestNested::test_inner',
      'tests/test_users.py::TestSkipped::test_a',
    ]);
    expect(byId.get('tests/test_users.py::TestUsers::TestNested::test_inner')).toMatchObject({
      qualname: 'TestUsers.TestNested.test_inner',
      line: 54,
    });
  });

  it('the fixtures a test asks for: arguments without a default, not self, and usefixtures', () => {
    expect(byId.get('tests/test_users.py::test_plain')!.fixtures).toEqual(['db', 'client']);
    expect(byId.get('tests/test_users.py::TestUsers::test_create')!.fixtures).toEqual(['client']);
    expect(byId.get('tests/test_users.py::test_uses')!.fixtures).toEqual(['cleandir', 'tmp_env']);
  });

  it('says why a test cannot be soaked by its node id', () => {
    const why = (id: string) => byId.get(`tests/test_users.py::${id}`)!.unsoakable;
    expect(why('test_plain')).toBeNull();
    expect(why('test_async')).toMatch(/^an async test/);
    expect(why('test_param')).toMatch(/^parametrized: its node id selects every case/);
    expect(why('test_skipped')).toBe('marked skip: pytest would not run its body');
    expect(why('TestSkipped::test_a')).toBe('marked skip: pytest would not run its body');
    expect(why('test_expected_to_fail')).toMatch(/^marked xfail/);
  });

  it('a module-level pytestmark skip applies to every test', () => {
    const skipped = collect(
      't_test.py',
      'import pytest\npytestmark = pytest.mark.skip\ndef test_a():\n    pass\n',
    );
    expect(skipped.tests[0].unsoakable).toBe('marked skip: pytest would not run its body');
  });

  it('fixtures: their name (or name=), their class, what they ask for, params=', () => {
    expect(fixtures).toEqual([
      {
        name: 'db',
        file: 'tests/test_users.py',
        qualname: 'database',
        className: null,
        fixtures: ['settings'],
        parametrized: false,
      },
      {
        name: 'flavour',
        file: 'tests/test_users.py',
        qualname: 'flavour',
        className: null,
        fixtures: [],
        parametrized: true,
      },
      {
        name: 'client',
        file: 'tests/test_users.py',
        qualname: 'TestUsers.client',
        className: 'TestUsers',
        fixtures: [],
        parametrized: false,
      },
    ]);
  });
});

describe('picking the tests that reach flagged code', () => {
  const sources = new Map([
    [
      'app/store.py',
      'CACHE = {}\nLOG = []\ndef put(k, v):\n    CACHE[k] = v\ndef log(m):\n    LOG.append(m)\ndef pure(x):\n    return x\n',
    ],
    ['app/service.py', 'from app import store\ndef handle(k):\n    store.put(k, k)\n'],
    [
      'tests/conftest.py',
      'import pytest\nfrom app import store\n@pytest.fixture\ndef logged():\n    store.log("x")\n@pytest.fixture\ndef plain():\n    return 1\n',
    ],
    [
      'tests/test_app.py',
      [
        'import pytest',
        'from app import service, store',
        '@pytest.fixture',
        'def plain():',
        '    store.log("shadowing the conftest fixture")',
        '@pytest.fixture(params=[1, 2])',
        'def many():',
        '    service.handle("k")',
        'def test_deep():',
        '    service.handle("k")',
        'def test_direct():',
        '    store.put("k", 1)',
        'def test_fixture(logged):',
        '    pass',
        'def test_module_fixture_wins(plain):',
        '    pass',
        'def test_pure():',
        '    store.pure(1)',
        'def test_many(many):',
        '    pass',
        'class TestOuter:',
        '    @pytest.fixture',
        '    def stored(self):',
        '        store.put("k", 2)',
        '    class TestInner:',
        '        def test_inner(self, stored):',
        '            pass',
      ].join('\n'),
    ],
  ]);
  const graph = () => callGraphOf(parser, sources);
  const collection = () => {
    const tests: CollectedTest[] = [];
    const fixtures: FixtureDef[] = [];
    for (const file of ['tests/test_app.py', 'tests/conftest.py']) {
      const found = collect(file, sources.get(file)!);
      tests.push(...found.tests);
      fixtures.push(...found.fixtures);
    }
    return { tests, fixtures };
  };
  const findings = [finding('app/store.py', 'put', 'HIGH', 4), finding('app/store.py', 'log', 'LOW', 6)];
  const conftests = (file: string) => (file.startsWith('tests/') ? ['tests/conftest.py'] : []);

  it('through helpers and fixtures, most severe first, then the shortest chain', () => {
    const { picked, notPicked } = pickTests(collection(), graph(), findings, 10, conftests);
    expect(picked.map((p) => [p.test.qualname, p.reaches[0].function, p.reaches[0].chain])).toEqual([
      ['test_direct', 'app/store.py:put', ['test_direct', 'put']],
      // An outer class's fixture, seen from the class nested in it.
      ['TestOuter.TestInner.test_inner', 'app/store.py:put', ['TestOuter.stored', 'put']],
      ['test_deep', 'app/store.py:put', ['test_deep', 'handle', 'put']],
      ['test_fixture', 'app/store.py:log', ['logged', 'log']],
      // The module's own `plain` hides conftest's, as in pytest.
      ['test_module_fixture_wins', 'app/store.py:log', ['plain', 'log']],
    ]);
    expect(picked[0].reaches[0]).toMatchObject({
      shortId: 'R1',
      severity: 'HIGH',
      file: 'app/store.py',
      line: 4,
    });
    expect(notPicked.map((n) => [n.test.qualname, n.why])).toEqual([
      ['test_pure', 'reaches no flagged function'],
      [
        'test_many',
        "uses the parametrized fixture 'many': its node id selects every case; name one case in a scenario file",
      ],
    ]);
  });

  it('at most N: the rest are not picked, each saying what it reaches', () => {
    const { picked, notPicked } = pickTests(collection(), graph(), findings, 1, conftests);
    expect(picked.map((p) => p.test.qualname)).toEqual(['test_direct']);
    expect(notPicked.find((n) => n.test.qualname === 'test_deep')!.why).toBe(
      'over --max-tests 1; it reaches app/store.py:put (R1 HIGH, line 4)',
    );
  });

  it('without findings, nothing is picked', () => {
    const { picked, notPicked } = pickTests(collection(), graph(), [], 10, conftests);
    expect(picked).toEqual([]);
    expect(notPicked.filter((n) => n.why === 'reaches no flagged function')).toHaveLength(6);
  });

  it('a test file the graph does not have (excluded) says so', () => {
    const { notPicked } = pickTests(
      collection(),
      callGraphOf(parser, new Map([...sources].filter(([f]) => f !== 'tests/test_app.py'))),
      findings,
      10,
      conftests,
    );
    expect(notPicked[0].why).toBe('tests/test_app.py is not in the call graph (excluded from the analysis?)');
  });
});
