/**
 * Which collected pytest tests `heapgate soak --pytest` soaks (issue 16, item 3): those that reach a
 * flagged function through the call graph the gate uses — from the test's body or from the fixtures it
 * asks for (resolved as pytest would: the test's class, its module, then the conftest.py files from its
 * folder up). Findings in tests are hidden by the static phase, but the walk starts in the test and ends
 * in the project's own flagged code. The most severe reach comes first, then the shortest chain of calls;
 * at most `max` are picked, and every test not picked says why. Pure.
 */
import { severityRank, type Finding, type Severity } from '../model/static.js';
import { functionId, type CallGraph, type FunctionId } from './callgraph.js';
import type { CollectedTest, FixtureDef, PytestCollection } from './pytest-collect.js';

export interface TestReach {
  rule: string;
  shortId: string;
  severity: Severity;
  file: string;
  line: number;
  /** The flagged function, `file:qualified.name`. */
  function: FunctionId;
  /** The calls from the test (or its fixture) to it, as qualified names. */
  chain: string[];
}

export interface PickedTest {
  test: CollectedTest;
  /** Every flagged function it reaches, most severe first (the first is why it was picked). */
  reaches: TestReach[];
}

export interface NotPickedTest {
  test: CollectedTest;
  why: string;
}

export interface TestPick {
  picked: PickedTest[];
  notPicked: NotPickedTest[];
}

export function pickTests(
  collection: Pick<PytestCollection, 'tests' | 'fixtures'>,
  graph: CallGraph,
  findings: readonly Finding[],
  max: number,
  /** For the conftest.py files of a test (which exist): the project root. */
  conftests: (file: string) => string[] = () => [],
): TestPick {
  const flagged = new Map<FunctionId, Finding[]>();
  for (const f of findings) {
    if (!f.function) continue;
    const id = functionId(f.file, f.function);
    if (graph.functions.has(id)) flagged.set(id, [...(flagged.get(id) ?? []), f]);
  }
  const candidates: PickedTest[] = [];
  const notPicked: NotPickedTest[] = [];
  for (const test of collection.tests) {
    if (test.unsoakable) {
      notPicked.push({ test, why: test.unsoakable });
      continue;
    }
    const starts = startsOf(test, collection.fixtures, conftests);
    if ('parametrized' in starts) {
      notPicked.push({
        test,
        why: `uses the parametrized fixture '${starts.parametrized}': its node id selects every case; name one case in a scenario file`,
      });
      continue;
    }
    if (!graph.functions.has(starts.ids[0])) {
      notPicked.push({ test, why: `${test.file} is not in the call graph (excluded from the analysis?)` });
      continue;
    }
    const reaches = reachesOf(starts.ids, graph, flagged);
    if (reaches.length) candidates.push({ test, reaches });
    else notPicked.push({ test, why: 'reaches no flagged function' });
  }
  // Stable: tests of equal rank keep their collection order (file, then line).
  candidates.sort(
    (a, b) =>
      severityRank(b.reaches[0].severity) - severityRank(a.reaches[0].severity) ||
      a.reaches[0].chain.length - b.reaches[0].chain.length,
  );
  const picked = candidates.slice(0, max);
  for (const extra of candidates.slice(max)) {
    notPicked.push({
      test: extra.test,
      why: `over --max-tests ${max}; it reaches ${describeReach(extra.reaches[0])}`,
    });
  }
  const order = new Map(collection.tests.map((t, i) => [t.nodeId, i]));
  notPicked.sort((a, b) => order.get(a.test.nodeId)! - order.get(b.test.nodeId)!);
  return { picked, notPicked };
}

/** `shop/registry.py:remember (R1 MEDIUM, line 7)`. */
export function describeReach(reach: TestReach): string {
  return `${reach.function} (${reach.shortId} ${reach.severity}, line ${reach.line})`;
}

/** The test's function and the functions of every fixture it asks for, transitively. */
function startsOf(
  test: CollectedTest,
  fixtures: readonly FixtureDef[],
  conftests: (file: string) => string[],
): { ids: FunctionId[] } | { parametrized: string } {
  const ids = [functionId(test.file, test.qualname)];
  const className = test.qualname.includes('.')
    ? test.qualname.slice(0, test.qualname.lastIndexOf('.'))
    : null;
  const seen = new Set<FixtureDef>();
  const queue: { name: string; file: string; className: string | null }[] = test.fixtures.map((name) => ({
    name,
    file: test.file,
    className,
  }));
  while (queue.length) {
    const wanted = queue.shift()!;
    const fixture = resolveFixture(wanted, fixtures, conftests);
    if (!fixture || seen.has(fixture)) continue;
    seen.add(fixture);
    if (fixture.parametrized) return { parametrized: fixture.name };
    ids.push(functionId(fixture.file, fixture.qualname));
    for (const name of fixture.fixtures) {
      queue.push({ name, file: fixture.file, className: fixture.className });
    }
  }
  return { ids };
}

/** The fixture pytest would give `name` in that place: the class's, the module's, the nearest conftest's. */
function resolveFixture(
  wanted: { name: string; file: string; className: string | null },
  fixtures: readonly FixtureDef[],
  conftests: (file: string) => string[],
): FixtureDef | null {
  const named = fixtures.filter((f) => f.name === wanted.name);
  // A class's fixtures are seen by its tests and by those of the classes nested in it, the innermost first.
  const inClass = named
    .filter(
      (f) =>
        f.file === wanted.file &&
        f.className !== null &&
        wanted.className !== null &&
        (wanted.className === f.className || wanted.className.startsWith(`${f.className}.`)),
    )
    .sort((a, b) => b.className!.length - a.className!.length)[0];
  if (inClass) return inClass;
  const inModule = named.find((f) => f.file === wanted.file && f.className === null);
  if (inModule) return inModule;
  for (const conftest of conftests(wanted.file)) {
    const found = named.find((f) => f.file === conftest && f.className === null);
    if (found) return found;
  }
  return null;
}

/** Every flagged function reachable from the starts, each with its shortest chain, most severe first. */
function reachesOf(
  starts: readonly FunctionId[],
  graph: CallGraph,
  flagged: ReadonlyMap<FunctionId, Finding[]>,
): TestReach[] {
  const best = new Map<FunctionId, FunctionId[]>();
  for (const start of starts) {
    const previous = breadthFirst(graph, start);
    for (const target of flagged.keys()) {
      if (!previous.has(target)) continue;
      const chain: FunctionId[] = [];
      for (let at: FunctionId | null = target; at !== null; at = previous.get(at)!) chain.push(at);
      chain.reverse();
      const known = best.get(target);
      if (!known || chain.length < known.length) best.set(target, chain);
    }
  }
  const out: TestReach[] = [];
  for (const [target, chain] of best) {
    const worst = [...flagged.get(target)!].sort(
      (a, b) => severityRank(b.severity) - severityRank(a.severity),
    )[0];
    out.push({
      rule: worst.rule,
      shortId: worst.shortId,
      severity: worst.severity,
      file: worst.file,
      line: worst.line,
      function: target,
      chain: chain.map((id) => graph.functions.get(id)?.name ?? id),
    });
  }
  return out.sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.chain.length - b.chain.length,
  );
}

/** Each function reachable from `start`, with the one it was first reached from (null for `start`). */
function breadthFirst(graph: CallGraph, start: FunctionId): Map<FunctionId, FunctionId | null> {
  const previous = new Map<FunctionId, FunctionId | null>([[start, null]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    for (const next of graph.functions.get(queue[head])?.calls ?? []) {
      if (!previous.has(next)) {
        previous.set(next, queue[head]);
        queue.push(next);
      }
    }
  }
  return previous;
}
