/**
 * The run-frequency pass over small projects: which entry point reaches a finding, how often its code
 * runs, the severity that follows, and findings in test code left out unless asked for.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeProject } from '../../src/static/engine.js';
import { weighSeverity } from '../../src/static/frequency/index.js';
import type { Finding } from '../../src/model/static.js';
import { tempProject } from '../helpers/cli.js';

function dedent(code: string): string {
  const lines = code.replace(/^\n/, '').split('\n');
  const cut = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(cut)).join('\n');
}

async function findingsOf(
  files: Record<string, string>,
  includeTests = false,
): Promise<{ findings: Finding[]; hidden: number }> {
  const root = tempProject(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, dedent(v)])));
  const result = await analyzeProject({ root, cacheDir: null, threads: 1, includeTests });
  return { findings: result.findings, hidden: result.hiddenFindings };
}

const RECORD = `
  SEEN = {}

  def record(key, value):
      SEEN[key] = value
`;

describe('run frequency', () => {
  it('a helper a Flask route calls is repeated, reached from the route, and stays HIGH', async () => {
    const { findings } = await findingsOf({
      'app/store.py': RECORD,
      'app/views.py': `
        from flask import Flask, request
        from .store import record
        app = Flask(__name__)

        @app.route("/api/metrics", methods=["POST"])
        def metrics():
            record(request.args["k"], 1)
            return "ok"
      `,
    });
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f.runFrequency).toBe('repeated');
    expect(f.reachedFrom).toEqual(['POST /api/metrics via metrics() → record()']);
    expect(f.severity).toBe('HIGH');
    expect(f.message).toMatch(/Reached from POST \/api\/metrics via metrics\(\) → record\(\)\.$/);
  });

  it('a helper reached only from main() under __main__ runs once and is LOW', async () => {
    const { findings } = await findingsOf({
      'store.py': RECORD,
      'tool.py': `
        from store import record

        def load(path):
            record(path, 1)

        def main():
            load("x")

        if __name__ == "__main__":
            main()
      `,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0].runFrequency).toBe('once');
    expect(findings[0].severity).toBe('LOW');
    expect(findings[0].reachedFrom).toEqual([]);
    expect(findings[0].message).toMatch(/Runs once: main\(\) via load\(\) → record\(\)\.$/);
  });

  it('a function nothing calls is unknown and drops to MEDIUM', async () => {
    const { findings } = await findingsOf({ 'lib/store.py': RECORD });
    expect(findings.map((f) => [f.runFrequency, f.severity])).toEqual([['unknown', 'MEDIUM']]);
  });

  it('the body of a while True loop in a thread started at start-up is repeated', async () => {
    const { findings } = await findingsOf({
      'worker.py': `
        import threading, time
        from store import record

        def poll():
            while True:
                record(time.time(), 1)
                time.sleep(1)

        threading.Thread(target=poll, daemon=True).start()
      `,
      'store.py': RECORD,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0].runFrequency).toBe('repeated');
    expect(findings[0].reachedFrom![0]).toMatch(/^the while True loop at line 5 of poll\(\) via record\(\)$/);
  });

  it('a celery task and a scheduler job are repeated entry points', async () => {
    const { findings } = await findingsOf({
      'jobs.py': `
        from celery import shared_task
        from apscheduler.schedulers.background import BackgroundScheduler
        from store import record

        @shared_task
        def ingest(item):
            record(item, 1)

        def tick():
            record("t", 2)

        scheduler = BackgroundScheduler()
        scheduler.add_job(tick, "interval", seconds=5)
      `,
      'store.py': RECORD,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0].reachedFrom).toEqual([
      'task ingest (@shared_task) via record()',
      'scheduler job (scheduler.add_job) via tick() → record()',
    ]);
  });

  it("the seed service's socket per metrics call is HIGH, reached from its route and its loop", async () => {
    const { findings } = await findingsOf({
      'monitor/app.py': `
        import asyncio
        from aiohttp import web

        def collect_metrics():
            import socket
            socket.create_connection(("localhost", 9100), timeout=1)
            return {}

        async def metrics(request):
            return web.json_response(collect_metrics())

        async def poll():
            while True:
                collect_metrics()
                await asyncio.sleep(1)

        app = web.Application()
        app.router.add_get("/api/metrics", metrics)
      `,
    });
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect([f.shortId, f.severity, f.confidence, f.runFrequency]).toEqual(['R3', 'HIGH', 'high', 'repeated']);
    expect(f.reachedFrom).toEqual([
      'the while True loop at line 13 of poll() via collect_metrics()',
      'GET /api/metrics via metrics() → collect_metrics()',
    ]);
  });

  it("a base class's message loop reaches the subclass's override in another file", async () => {
    const { findings } = await findingsOf({
      'bot/irc.py': `
        import abc

        class AbstractBot(abc.ABC):
            def on_message(self, message):
                self.dispatch(message)
      `,
      'bot/core.py': `
        import threading
        from .irc import AbstractBot

        class Bot(AbstractBot):
            def dispatch(self, message):
                threading.Thread(target=print, args=(message,)).start()
      `,
    });
    expect(findings.map((f) => [f.shortId, f.runFrequency, f.severity])).toEqual([
      ['R5', 'repeated', 'HIGH'],
    ]);
    expect(findings[0].reachedFrom).toEqual(['event handler AbstractBot.on_message via Bot.dispatch()']);
  });

  it("an IRC welcome runs once per connection, a plugin's activate once per activation (errbot)", async () => {
    const { findings } = await findingsOf({
      'bot/irc.py': `
        import threading

        class IRCConnection(SingleServerIRCBot):
            def on_welcome(self, _, e):
                threading.Thread(target=self.bot.connect_callback).start()

            def on_kick(self, _, e):
                threading.Thread(target=self.rejoin, args=(e,)).start()
      `,
      'bot/vcheck.py': `
        import threading

        class VersionChecker(BotPlugin):
            def activate(self):
                super().activate()
                self.version_check()

            def version_check(self):
                threading.Thread(target=self._async_vcheck).start()
      `,
    });
    expect(findings.map((f) => [f.file, f.line, f.runFrequency, f.severity])).toEqual([
      ['bot/irc.py', 5, 'once', 'LOW'],
      ['bot/irc.py', 8, 'repeated', 'HIGH'],
      ['bot/vcheck.py', 9, 'once', 'LOW'],
    ]);
    expect(findings[0].message).toMatch(/Runs once: once-per-connection event IRCConnection\.on_welcome\.$/);
    expect(findings[2].message).toMatch(
      /Runs once: VersionChecker\.activate\(\) via VersionChecker\.version_check\(\)\.$/,
    );
  });

  it('findings in tests, conftest and scripts are hidden unless asked for', async () => {
    const files = {
      'tests/test_store.py': RECORD,
      'conftest.py': RECORD.replaceAll('SEEN', 'OTHER'),
      'scripts/seed.py': RECORD,
      'app.py': 'print("hi")\n',
    };
    const hidden = await findingsOf(files);
    expect(hidden.findings).toEqual([]);
    expect(hidden.hidden).toBe(3);
    const shown = await findingsOf(files, true);
    expect(shown.findings.map((f) => [f.file, f.runFrequency, f.severity])).toEqual([
      ['conftest.py', 'test', 'LOW'],
      ['scripts/seed.py', 'test', 'LOW'],
      ['tests/test_store.py', 'test', 'LOW'],
    ]);
    expect(shown.findings[1].message).toMatch(/In a script\.$/);
    expect(shown.hidden).toBe(0);
  });

  it('a Django migration and a management command run once', async () => {
    const { findings } = await findingsOf({
      'shop/migrations/0002_fill.py': RECORD,
      'shop/management/commands/rebuild.py': `
        from django.core.management.base import BaseCommand
        CACHE = []

        class Command(BaseCommand):
            def handle(self, *args, **options):
                CACHE.append(options)
      `,
    });
    expect(findings.map((f) => [f.file, f.runFrequency, f.severity])).toEqual([
      ['shop/management/commands/rebuild.py', 'once', 'LOW'],
      ['shop/migrations/0002_fill.py', 'once', 'LOW'],
    ]);
  });
});

describe('severity from confidence and run frequency', () => {
  it.each([
    ['HIGH', 'high', 'repeated', 'HIGH'],
    ['HIGH', 'medium', 'repeated', 'MEDIUM'],
    ['HIGH', 'high', 'unknown', 'MEDIUM'],
    ['HIGH', 'medium', 'unknown', 'LOW'],
    ['HIGH', 'low', 'repeated', 'LOW'],
    ['HIGH', 'high', 'once', 'LOW'],
    ['HIGH', 'high', 'test', 'LOW'],
    ['CRITICAL', 'high', 'unknown', 'MEDIUM'],
    ['MEDIUM', 'high', 'repeated', 'MEDIUM'],
    ['MEDIUM', 'medium', 'repeated', 'LOW'],
    ['LOW', 'high', 'repeated', 'LOW'],
  ] as const)('%s rule, %s confidence, %s → %s', (rule, confidence, frequency, expected) => {
    expect(weighSeverity(rule, confidence, frequency)).toBe(expected);
  });
});

describe('the run-frequency pass and the cache', () => {
  it('a warm run with nothing changed reuses the pass; a changed caller is read again', async () => {
    const files = {
      'store.py': dedent(RECORD),
      'views.py': dedent(`
        from flask import Flask
        from store import record
        app = Flask(__name__)

        @app.route("/hits/<k>")
        def hits(k):
            return "ok"
      `),
    };
    const root = tempProject(files);
    const cacheDir = path.join(root, '.cache');
    const run = () => analyzeProject({ root, cacheDir, threads: 1 });
    const cold = await run();
    expect(cold.findings.map((f) => f.runFrequency)).toEqual(['unknown']);

    // Mark the stored result: a warm run that reuses it shows the mark.
    const cacheFile = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).find((f) =>
      f.endsWith('static-v1.json'),
    )!;
    const stored = JSON.parse(readFileSync(path.join(cacheDir, cacheFile), 'utf8'));
    stored.project.value.findings[0].message = 'remembered';
    writeFileSync(path.join(cacheDir, cacheFile), JSON.stringify(stored));
    const warm = await run();
    expect(warm.cache.misses).toBe(0);
    expect(warm.findings[0].message).toBe('remembered');

    // The route now calls the flagged function: the pass runs again and sees it.
    writeFileSync(
      path.join(root, 'views.py'),
      files['views.py'].replace('return "ok"', 'record(k, 1)\n    return "ok"'),
    );
    const changed = await run();
    expect(changed.findings[0].message).not.toBe('remembered');
    expect(changed.findings.map((f) => f.runFrequency)).toEqual(['repeated']);
  });
});
