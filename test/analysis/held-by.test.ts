import { describe, expect, it } from 'vitest';
import {
  explainGrowth,
  heldEvidence,
  holds,
  nativeReason,
  pathNames,
  significantHolders,
  tieHolders,
  type AttributedGrowth,
} from '../../src/analysis/held-by.js';
import type { HeldBy, MetricReport, ScenarioReport } from '../../src/model/report.js';
import type { Finding } from '../../src/model/static.js';

const metric = (slope: number, exceeded: boolean): MetricReport => ({
  start: 0,
  end: slope * 1000,
  slopePerIteration: slope,
  r2: 0.99,
  trend: exceeded ? 'growing' : 'flat',
  exceeded,
});

const holder = (over: Partial<HeldBy> = {}): HeldBy => ({
  path: 'app.store',
  type: 'dict',
  entries: 1200,
  entriesPerIteration: 1,
  bytesPerIteration: 612,
  addedAt: 'app.py:14',
  ownCode: true,
  ...over,
});

const finding = (over: Partial<Finding> = {}): Finding => ({
  rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
  shortId: 'R1',
  severity: 'HIGH',
  file: 'app.py',
  line: 20,
  column: 5,
  endLine: 20,
  endColumn: 30,
  message:
    "Module-level dict 'store' (line 9) grows in show() via `store[k] = v` and nothing in the module ever removes entries.",
  function: 'show',
  confidence: 'high',
  fix: 'bound it',
  ...over,
});

const growth = (over: Partial<AttributedGrowth> = {}): AttributedGrowth => ({
  metrics: { heap: metric(700, true), rss: metric(800, false) },
  heldBy: [holder()],
  sites: [],
  iterations: 50,
  tracedBytesPerIteration: 650,
  ...over,
});

describe('explainGrowth', () => {
  it('gives the share of the heap growth the holders keep', () => {
    const explained = explainGrowth(growth())!;
    expect(explained).toMatchObject({ metric: 'heap', outsidePythonHeap: false, heldBytesPerIteration: 612 });
    expect(explained.share).toBeCloseTo(612 / 700, 5);
    expect(nativeReason(explained)).toBeNull();
  });

  it('uses the leak sites when no holder was named, and never claims more than all of it', () => {
    const sites = [{ file: 'app.py', line: 3, sizeDiffBytes: 50 * 350, countDiff: 50, traceback: [] }];
    expect(explainGrowth(growth({ heldBy: [], sites }))!.share).toBeCloseTo(0.5, 5);
    expect(explainGrowth(growth({ heldBy: [holder({ bytesPerIteration: 5000 })] }))!.share).toBe(1);
  });

  it('says the growth is outside the Python heap when traced memory stays small', () => {
    const explained = explainGrowth(
      growth({
        metrics: { heap: metric(16_000, true), rss: metric(16_400, true) },
        heldBy: [],
        tracedBytesPerIteration: 100,
      }),
    )!;
    expect(explained.outsidePythonHeap).toBe(true);
    expect(nativeReason(explained)).toBe(
      'the growth is outside the Python heap (native memory: a C extension or the allocator): traced Python memory grew 100 B per iteration, 1% of the 16 KB rss growth',
    );
  });

  it('compares with RSS when it grew more than the heap counter saw (native memory the allocator misses)', () => {
    const explained = explainGrowth(
      growth({
        metrics: { heap: metric(205, true), rss: metric(1880, true) },
        heldBy: [],
        tracedBytesPerIteration: 59,
      }),
    )!;
    expect(explained).toMatchObject({
      metric: 'rss',
      outsidePythonHeap: true,
      measuredBytesPerIteration: 1880,
    });
  });

  it('compares with RSS when only RSS broke its budget (the tracemalloc counter)', () => {
    const explained = explainGrowth(
      growth({ metrics: { heap: metric(5, false), rss: metric(9000, true) }, tracedBytesPerIteration: 8 }),
    )!;
    expect(explained).toMatchObject({ metric: 'rss', outsidePythonHeap: true });
  });

  it('says nothing when memory did not break a budget, or when traced memory is unknown', () => {
    expect(explainGrowth(growth({ metrics: { heap: metric(5, false) } }))).toBeNull();
    const unknown = explainGrowth(growth({ heldBy: [], tracedBytesPerIteration: null }))!;
    expect(unknown.outsidePythonHeap).toBe(false);
  });
});

describe('significantHolders', () => {
  it('leaves out holders that keep a sliver of the growth, unless no memory metric broke its budget', () => {
    const small = holder({ path: 'threading._dangling.data', bytesPerIteration: 80 });
    const big = holder({ bytesPerIteration: 13_000 });
    expect(significantHolders([big, small], { heap: metric(15_000, true) })).toEqual([big]);
    expect(significantHolders([big, small], { heap: metric(15_000, false) })).toEqual([big, small]);
  });

  it('leaves out registries of weak references beside a holder of strong ones, never all of them', () => {
    const handlers = holder({
      path: 'app.log.handlers',
      entryType: 'logging.StreamHandler',
      bytesPerIteration: 400,
    });
    const weakList = holder({
      path: 'logging._handlerList',
      entryType: 'weakref.ReferenceType',
      bytesPerIteration: 80,
    });
    const weakSet = holder({
      path: 'logging._at_fork_reinit_lock_weakset.data',
      entryType: 'weakref.ReferenceType',
      bytesPerIteration: 80,
    });
    // A handler leak breaks a count, not memory: every holder is a candidate, the weak ones are not the answer.
    expect(significantHolders([weakList, handlers, weakSet], { heap: metric(10, false) })).toEqual([
      handlers,
    ]);
    expect(significantHolders([weakList, weakSet], { heap: metric(10, false) })).toEqual([weakList, weakSet]);
  });
});

describe('holders and findings', () => {
  it('splits a path into its root and the names it goes through', () => {
    expect(pathNames('app.ctl._cache["v"].__traceback__')).toEqual({ root: 'app', names: ['ctl', '_cache'] });
    expect(pathNames('<cell seen of make_handler.<locals>.handler()>')).toEqual({
      root: null,
      names: ['seen'],
    });
    expect(pathNames('<lru_cache of shop.catalog.CatalogClient.page>')).toEqual({
      root: 'shop',
      names: ['catalog', 'CatalogClient', 'page'],
    });
    expect(pathNames('logging.Logger.manager.loggerDict')).toEqual({
      root: 'logging',
      names: ['Logger', 'manager', 'loggerDict'],
    });
  });

  it('ties a holder to the finding whose container it is: by name from its module, or by the line', () => {
    expect(holds(holder(), finding())).toBe(true);
    expect(holds(holder({ path: 'pkg.app.store' }), finding({ file: 'pkg/app.py' }))).toBe(true);
    // Same name, another module: not this container.
    expect(holds(holder({ path: 'other.store', addedAt: 'other.py:3' }), finding())).toBe(false);
    // A name the message does not quote.
    expect(holds(holder({ path: 'app.cache', addedAt: 'app.py:40' }), finding())).toBe(false);
    // An unbounded lru_cache on a method, flagged on its decorator line, filled a line below.
    const r2 = finding({
      rule: 'RELIABILITY_UNBOUNDED_CACHE',
      shortId: 'R2',
      file: 'shop/catalog.py',
      line: 10,
      endLine: 10,
      message: "'page' is memoized by @lru_cache without a size limit: every distinct argument stays cached.",
    });
    const cache = holder({
      path: '<lru_cache of shop.catalog.CatalogClient.page>',
      addedAt: 'shop/catalog.py:12',
    });
    expect(holds(cache, r2)).toBe(true);
    expect(holds(cache, { ...r2, file: 'shop/other.py' })).toBe(false);
    // Entries go in on the finding's own line, whatever the path.
    expect(holds(holder({ path: null, addedAt: 'app.py:20' }), finding())).toBe(true);
    // The object the container hangs off, as the finding quotes the code (R4 on `log.addHandler(handler)`).
    const r4 = finding({
      rule: 'RELIABILITY_LOGGING_HANDLER_DUP',
      shortId: 'R4',
      line: 28,
      endLine: 28,
      message: 'log.addHandler(handler) in audit() attaches another handler on every call.',
    });
    expect(holds(holder({ path: 'app.log.handlers', addedAt: 'app.py:27' }), r4)).toBe(true);
    expect(holds(holder({ path: 'app.audit_log.handlers', addedAt: 'app.py:27' }), r4)).toBe(false);
    // The container's own name unquoted is not enough.
    expect(holds(holder({ path: 'app.handlers', addedAt: 'app.py:27' }), r4)).toBe(false);
  });

  it('records the findings each holder confirms; none is a leak the rules did not see', () => {
    const report = {
      name: 's',
      heldBy: [holder(), holder({ path: 'logging.Logger.manager.loggerDict', addedAt: 'app.py:30' })],
    } as ScenarioReport;
    const tied = tieHolders(report, [finding()]);
    expect(tied.heldBy!.map((h) => h.findings)).toEqual([['R1 app.py:20'], []]);
    expect(report.heldBy![0].findings).toBeUndefined(); // pure
  });

  it('words the evidence as a reader wants it', () => {
    expect(heldEvidence(holder())).toBe(
      'held by `app.store`, +1 entry/iteration, 612 B/entry, added at app.py:14',
    );
    expect(
      heldEvidence(holder({ entriesPerIteration: 2, bytesPerIteration: 900, path: null, addedAt: null })),
    ).toBe('held by `an unnamed dict`, +2 entries/iteration, 450 B/entry');
  });
});
