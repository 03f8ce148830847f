/** Every format says whether and why a run stopped early, and when it was too short to judge (issue 11, 13). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { validateReport } from '../../src/report/validate.js';
import { REPO } from '../helpers/cli.js';

function fixture(name: string): Report {
  return JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/reports', `${name}.json`), 'utf8')) as Report;
}

const why =
  'failed early: growth over iterations 50–1300 already fails the verdict at the requested length (iteration 1550) even if it levelled off now: heap grows 393 B/iteration';

describe('stoppedEarly and tooShort in the reports', () => {
  it('are rendered in text, Markdown, HTML and JSON, and validated', () => {
    const report = fixture('soak-leaky');
    report.scenarios[0].stoppedEarly = { atIteration: 1300, why };
    expect(renderText(report, { color: false, width: 200 })).toContain('stopped early at 1300');
    const md = renderMarkdown(report);
    expect(md).toContain('(stopped early at iteration 1300) |');
    expect(md).toContain(`stopped early at iteration 1300: ${why}`);
    expect(renderHtml(report)).toContain(`Stopped early at iteration 1300: ${why}`);
    expect(JSON.parse(renderJson(report)).scenarios[0].stoppedEarly).toEqual({ atIteration: 1300, why });
    expect(() => validateReport(JSON.parse(renderJson(report)), 'r.json')).not.toThrow();

    const short = fixture('soak-clean');
    short.scenarios[0].tooShort = 'only 300 iterations measured after warm-up: growth needs at least 1000';
    short.scenarios[0].stoppedEarly = null;
    expect(renderText(short, { color: false, width: 200 })).toContain('too short to judge');
    expect(renderMarkdown(short)).toContain('✅ pass (too short to judge)');
    expect(() => validateReport(JSON.parse(renderJson(short)), 'r.json')).not.toThrow();
  });

  it('rejects a malformed stoppedEarly', () => {
    const report = fixture('soak-leaky');
    (report.scenarios[0] as unknown as Record<string, unknown>).stoppedEarly = { atIteration: 'soon' };
    expect(() => validateReport(report, 'r.json')).toThrow(/stoppedEarly\.atIteration.*stoppedEarly\.why/s);
  });
});
