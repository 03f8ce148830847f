import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { livePort, saveEveryMs } from '../../src/cli/live.js';
import { DEFAULT_BUDGET } from '../../src/model/budget.js';
import type { Progress } from '../../src/model/progress.js';
import type { Report } from '../../src/model/report.js';
import type { Sample } from '../../src/model/sample.js';
import { LiveSoak } from '../../src/pipeline/live.js';
import { leaksAnswer, metricsText, promName, severityOf } from '../../src/pipeline/live-endpoints.js';
import { startLiveServer, type LiveServer } from '../../src/pipeline/live-server.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import { REPO } from '../helpers/cli.js';

const MB = 1024 * 1024;
const leaky = JSON.parse(
  readFileSync(path.join(REPO, 'test/fixtures/reports/soak-leaky.json'), 'utf8'),
) as Report;
const scenario = validateScenario({ name: 'chat', request: { path: '/x/{i}' } }, { file: 's.json' });
const other = validateScenario({ name: 'later', request: { path: '/y' } }, { file: 's.json' });

/** The progress after sample round k: 50 iterations a round, heap growing `slope` bytes an iteration. */
function progress(k: number, slope: number, measuredFrom: number | null = 100): Progress {
  const round: Sample[] = [
    {
      iteration: k * 50,
      elapsedMs: k * 100,
      pid: 42,
      heap: 30 * MB + slope * k * 50 + (k % 3) * 1000,
      rss: 60 * MB,
      threads: 3,
      fds: 10,
      handlers: 1,
      gcObjects: 40_000,
    },
  ];
  return {
    scenario: 'chat',
    phase: measuredFrom === null ? 'warmup' : 'measuring',
    iteration: k * 50,
    goal: null,
    elapsedMs: k * 100,
    heapGrowth: null,
    rate: 500,
    tree: { processes: 1, rssBytes: 61 * MB, cpuPercent: 50 },
    round,
    measuredFrom,
  };
}

function feed(live: LiveSoak, rounds: number, slope: number): void {
  for (let k = 0; k <= rounds; k++) live.onProgress(progress(k, slope, k < 3 ? null : 100));
}

describe('LiveSoak', () => {
  it('reports the running scenario with its verdict so far, and a gate reason saying the run is partial', () => {
    let now = 0;
    const live = new LiveSoak([scenario, other], { configBudget: {}, flagBudget: {} }, () => (now += 3000));
    feed(live, 60, 2000);
    const report = live.snapshot();
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons.at(-1)).toBe(
      "the soak is still running (0 of 2 scenarios finished; 'chat' is measuring at iteration 3000): this report is partial",
    );
    const [chat] = report.scenarios;
    expect(chat.verdict).toBe('fail');
    expect(chat.metrics.heap!.slopePerIteration).toBeCloseTo(2000, -1);
    expect(chat.series!.length).toBe(61);
    expect(chat.notes![0]).toBe('verdict so far: the scenario was measuring at iteration 3000');
  });

  it('says a warming-up scenario has no verdict yet, with its series so far', () => {
    const live = new LiveSoak([scenario], { configBudget: {}, flagBudget: {} });
    live.onProgress(progress(0, 0, null));
    live.onProgress(progress(1, 0, null));
    const [chat] = live.snapshot().scenarios;
    expect(chat.series!.length).toBe(2);
    expect(chat.notes).toContain('still warming up: no verdict yet');
    expect(chat.metrics).toEqual({});
  });

  it('ignores progress of a scenario it was not told about', () => {
    const live = new LiveSoak([other], { configBudget: {}, flagBudget: DEFAULT_BUDGET });
    live.onProgress(progress(5, 0));
    expect(live.current).toBeNull();
    expect(live.snapshot().scenarios).toEqual([]);
  });
});

describe('/leaks', () => {
  it('has the riptide shape, a candidate per leak site of a failing scenario, the report reasons as recommendations', () => {
    const answer = leaksAnswer(leaky, new Date('2026-01-01T00:00:00Z'));
    expect(answer.has_leaks).toBe(true);
    expect(answer.timestamp).toBe('2026-01-01T00:00:00.000Z');
    const failing = leaky.scenarios.filter((s) => s.verdict === 'fail');
    const sites = failing.flatMap((s) => s.leakSites);
    expect(answer.leak_candidates.length).toBe(Math.max(sites.length, failing.length));
    const first = answer.leak_candidates[0];
    expect(first.component).toMatch(/\S+:\d+/);
    expect(['Critical', 'High', 'Medium', 'Low']).toContain(first.severity);
    expect(first.allocated_mb).toBeCloseTo(sites[0].sizeDiffBytes / MB, 2);
    expect(answer.recommendations.length).toBeGreaterThan(0);
    expect(answer.recommendations[0]).toContain(failing[0].name);
    expect(answer.growth_mb_per_minute).toBeGreaterThan(0);
  });

  it('has no candidates for a run that passes', () => {
    const clean = JSON.parse(
      readFileSync(path.join(REPO, 'test/fixtures/reports/soak-clean.json'), 'utf8'),
    ) as Report;
    const answer = leaksAnswer(clean);
    expect(answer).toMatchObject({ has_leaks: false, leak_candidates: [], growth_mb_per_minute: 0 });
  });

  it('grades severity by projected growth per hour', () => {
    expect(severityOf(2048 * MB)).toBe('Critical');
    expect(severityOf(200 * MB)).toBe('High');
    expect(severityOf(20 * MB)).toBe('Medium');
    expect(severityOf(MB)).toBe('Low');
  });
});

describe('/metrics', () => {
  it('names metrics from the metric table and writes valid sample lines, per scenario and per process', () => {
    expect(promName('heap')).toBe('heapgate_heap_bytes');
    expect(promName('gcObjects')).toBe('heapgate_gc_objects');
    const live = new LiveSoak([scenario], { configBudget: {}, flagBudget: {} });
    feed(live, 40, 2000);
    const text = metricsText(live.snapshot(), live);
    const lines = text.trim().split('\n');
    for (const line of lines) {
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) heapgate_\w+ /);
      else expect(line).toMatch(/^heapgate_\w+\{[^}]*\} -?[\d.e+-]+$/);
    }
    expect(text).toContain('heapgate_threads{scenario="chat",pid="42"} 3');
    expect(text).toContain('heapgate_tree_rss_bytes{scenario="chat"} 63963136');
    expect(text).toMatch(/heapgate_slope_per_iteration\{scenario="chat",metric="heap"\} 20\d\d/);
    expect(text).toContain('heapgate_failing{scenario="chat"} 1');
  });

  it('escapes a scenario name in labels', () => {
    const odd = validateScenario({ name: 'a "b"\\c', request: { path: '/' } }, { file: 's.json' });
    const live = new LiveSoak([odd], { configBudget: {}, flagBudget: {} });
    live.onProgress({ ...progress(1, 0), scenario: odd.name });
    expect(metricsText(live.snapshot(), live)).toContain('scenario="a \\"b\\"\\\\c"');
  });
});

describe('the live server', () => {
  let server: LiveServer;
  const live = new LiveSoak([scenario], { configBudget: {}, flagBudget: {} });
  beforeAll(async () => {
    feed(live, 40, 0);
    server = await startLiveServer(0, live);
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the page (reloading itself), /leaks, /metrics and /report.json on loopback', async () => {
    const page = await fetch(server.url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).toContain('chat');
    expect(((await (await fetch(`${server.url}leaks`)).json()) as { has_leaks: boolean }).has_leaks).toBe(
      false,
    );
    expect(await (await fetch(`${server.url}metrics`)).text()).toContain(
      'heapgate_iterations{scenario="chat"}',
    );
    const report = (await (await fetch(`${server.url}report.json`)).json()) as Report;
    expect(report.scenarios[0].name).toBe('chat');
    expect((await fetch(`${server.url}nope`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a Host that is not loopback (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          { host: '127.0.0.1', port: server.port, path: '/leaks', headers: { host: 'evil.example' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });

  it('refuses a port that is taken, as a usage error', async () => {
    await expect(startLiveServer(server.port, live)).rejects.toThrow(/--live \d+: cannot listen/);
  });
});

describe('flags', () => {
  it('--live [port] and --save-every', () => {
    expect(livePort(undefined)).toBeNull();
    expect(livePort(true)).toBe(0);
    expect(livePort('8123')).toBe(8123);
    expect(() => livePort('99999')).toThrow(/--live: expected a port/);
    expect(() => livePort('abc')).toThrow(/--live: expected a port/);
    expect(saveEveryMs('2m')).toBe(120_000);
    expect(saveEveryMs(undefined)).toBeNull();
    expect(() => saveEveryMs('10ms')).toThrow(/--save-every/);
  });
});
