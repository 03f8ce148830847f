import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { publishToGitHub, STEP_SUMMARY_LIMIT, workspacePrefix } from '../../src/cli/github.js';
import type { Report } from '../../src/model/report.js';
import { REPO, tempProject } from '../helpers/cli.js';

const read = (name: string): Report =>
  JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/reports', name), 'utf8')) as Report;

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as Writable & { text: () => string };
  stream.text = () => chunks.join('');
  return stream;
}

function io() {
  return { stdout: sink(), stderr: sink() };
}

describe('publishToGitHub', () => {
  it('does nothing outside GitHub Actions without a summary file', () => {
    const streams = io();
    publishToGitHub(read('soak-leaky.json'), {}, streams);
    expect(streams.stdout.text()).toBe('');
    expect(streams.stderr.text()).toBe('');
  });

  it('in GitHub Actions: annotations on stderr only, the Markdown report appended to the summary', () => {
    const dir = tempProject({ 'summary.md': 'before\n' });
    const summary = path.join(dir, 'summary.md');
    const streams = io();
    publishToGitHub(
      read('soak-leaky.json'),
      { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      streams,
    );
    expect(streams.stdout.text()).toBe('');
    const lines = streams.stderr.text().trimEnd().split('\n');
    expect(lines.every((l) => l.startsWith('::error '))).toBe(true);
    expect(lines).toHaveLength(2);
    const written = readFileSync(summary, 'utf8');
    expect(written).toMatch(/^before\n## heapgate: ❌ failed/);
  });

  it('writes the summary whenever GITHUB_STEP_SUMMARY is set, annotations only when GITHUB_ACTIONS=true', () => {
    const dir = tempProject({});
    const summary = path.join(dir, 'summary.md');
    const streams = io();
    publishToGitHub(read('static-example.json'), { GITHUB_STEP_SUMMARY: summary }, streams);
    expect(streams.stderr.text()).toBe('');
    expect(readFileSync(summary, 'utf8')).toMatch(/^## heapgate: ✅ passed/);
  });

  it('makes paths relative to the repository when heapgate ran in a sub-folder', () => {
    const workspace = tempProject({});
    const root = path.join(workspace, 'services', 'api');
    mkdirSync(root, { recursive: true });
    expect(workspacePrefix(root, { GITHUB_WORKSPACE: workspace })).toBe('services/api');
    expect(workspacePrefix(workspace, { GITHUB_WORKSPACE: workspace })).toBe('');
    expect(workspacePrefix('/elsewhere', { GITHUB_WORKSPACE: workspace })).toBe('');
    expect(workspacePrefix(root, {})).toBe('');

    const streams = io();
    publishToGitHub(
      read('static-example.json'),
      { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: workspace },
      streams,
      {
        root,
      },
    );
    const lines = streams.stderr.text().trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => /^::(error|warning|notice) file=services\/api\/app\.py,line=\d+/.test(l))).toBe(
      true,
    );
  });

  it('HEAPGATE_GITHUB=off publishes nothing', () => {
    const dir = tempProject({});
    const summary = path.join(dir, 'summary.md');
    const streams = io();
    publishToGitHub(
      read('soak-leaky.json'),
      { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, HEAPGATE_GITHUB: 'off' },
      streams,
    );
    expect(streams.stderr.text()).toBe('');
    expect(() => readFileSync(summary)).toThrow();
  });

  it('a summary that cannot be written is a warning, not an error', () => {
    const dir = tempProject({});
    const streams = io();
    expect(() =>
      publishToGitHub(
        read('soak-clean.json'),
        { GITHUB_STEP_SUMMARY: path.join(dir, 'missing', 'x.md') },
        streams,
      ),
    ).not.toThrow();
    expect(streams.stderr.text()).toMatch(
      /^heapgate: warning: GITHUB_STEP_SUMMARY .*cannot be written \(ENOENT\)/,
    );
  });

  it('cuts a summary above GitHub’s 1 MiB per step at a line, with a note', () => {
    const r = read('static-example.json');
    const many = Array.from({ length: 6000 }, (_, i) => ({
      ...r.findings[0],
      line: i + 1,
      message: 'x'.repeat(200),
    }));
    const dir = tempProject({});
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '');
    publishToGitHub({ ...r, findings: many }, { GITHUB_STEP_SUMMARY: summary }, io());
    const written = readFileSync(summary);
    expect(written.length).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(written.toString()).toMatch(/\| R2 \|.*\n\n_… cut here: a job summary may hold at most 1 MiB/);
  });
});
