/**
 * Issue 16, item 5: action.yml, tested by running its steps as the runner would — each `run` in
 * `bash --noprofile --norc -eo pipefail`, its `env` and `working-directory` with the `${{ … }}` expressions
 * filled from the inputs (defaults from action.yml), GITHUB_* variables set, step outputs read back from
 * $GITHUB_OUTPUT. The SARIF upload (a `uses` step) cannot run here: its file is checked instead.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { default: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const ACTION = yaml.load(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;

interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  log: string;
  summary: string;
  sarifFile: string | null;
}

async function runAction(workspace: string, given: Record<string, string>): Promise<ActionRun> {
  const inputs = Object.fromEntries(
    Object.entries(ACTION.inputs).map(([name, spec]) => [name, given[name] ?? spec.default]),
  );
  const runner = tempDir('heapgate-runner-');
  const summary = path.join(runner, 'summary.md');
  writeFileSync(summary, '');
  const stepOutputs: Record<string, Record<string, string>> = {};
  const fill = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expr);
      if (input) return inputs[input[1]];
      if (expr === 'github.workspace') return workspace;
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (output) return stepOutputs[output[1]]?.[output[2]] ?? '';
      throw new Error(`action.yml: an expression this test does not know: ${expr}`);
    });
  let log = '';
  let sarifFile: string | null = null;
  let exitCode = 0;
  for (const step of ACTION.runs.steps) {
    if (step.uses) {
      expect(step.uses).toMatch(/^github\/codeql-action\/upload-sarif@v\d+$/);
      if (inputs.sarif === 'true') sarifFile = path.resolve(workspace, fill(step.with!.sarif_file));
      continue;
    }
    expect(step.shell).toBe('bash');
    const outputFile = path.join(runner, `${step.id ?? 'step'}.out`);
    writeFileSync(outputFile, '');
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, fill(String(v))]));
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      cwd: step['working-directory'] ? fill(step['working-directory']) : workspace,
      env: {
        ...env,
        NO_COLOR: '1',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: workspace,
        GITHUB_ACTION_PATH: REPO,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summary,
        RUNNER_TEMP: runner,
      },
      reject: false,
      all: true,
      timeout: 120_000,
    });
    log += `--- ${step.name}\n${result.all ?? ''}\n`;
    if (step.id) {
      stepOutputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    exitCode = result.exitCode ?? -1;
    if (exitCode !== 0) break;
  }
  const outputs = Object.fromEntries(Object.entries(ACTION.outputs).map(([k, v]) => [k, fill(v.value)]));
  return { exitCode, outputs, log, summary: readFileSync(summary, 'utf8'), sarifFile };
}

function workspaceWith(fixture: string): string {
  const dir = tempDir('heapgate-workspace-');
  cpSync(path.join(REPO, 'test/fixtures/adoption', fixture), dir, { recursive: true });
  return dir;
}

describe('action.yml', () => {
  it('is a composite action whose every input has a default', () => {
    expect(ACTION.runs.using).toBe('composite');
    for (const [name, spec] of Object.entries(ACTION.inputs))
      expect(typeof spec.default, name).toBe('string');
    expect(Object.keys(ACTION.inputs)).toEqual(
      expect.arrayContaining(['path', 'target', 'fail-on', 'gate', 'sarif']),
    );
  });

  it('static rules with fail-on: annotations, the job summary, the SARIF file, and the step fails with exit 1', async () => {
    const workspace = workspaceWith('flask');
    const run = await runAction(workspace, { 'fail-on': 'LOW' });
    expect(run.exitCode, run.log).toBe(1);
    expect(run.outputs).toEqual({
      'exit-code': '1',
      report: 'heapgate-report/heapgate.json',
    });
    expect(run.log).toMatch(/::(error|warning|notice) file=app\.py,line=\d+/);
    expect(run.log).toContain('heapgate exited 1');
    expect(run.summary).toContain('| HIGH | R1 | `app.py:13` | `track` |');
    expect(JSON.parse(readFileSync(run.sarifFile!, 'utf8'))).toMatchObject({ version: '2.1.0' });
    const report = JSON.parse(readFileSync(path.join(workspace, run.outputs.report), 'utf8')) as {
      findings: unknown[];
    };
    expect(report.findings).toHaveLength(1);
  });

  it('passes (exit 0) when nothing reaches fail-on, and uploads nothing when sarif is off', async () => {
    const run = await runAction(workspaceWith('flask'), { 'fail-on': 'CRITICAL', sarif: 'false' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
    expect(run.sarifFile).toBeNull();
  });

  it('gate: true with no target soaks the app it finds and fails on the leak', async () => {
    const run = await runAction(workspaceWith('fastapi'), { gate: 'true', sarif: 'false' });
    expect(run.exitCode, run.log).toBe(1);
    expect(run.log).toContain('no --target given: heapgate starts');
    expect(run.summary).toMatch(/confirmed/i);
  });
});
