/**
 * Issue 16, items 2 and 5: the GitHub workflow `heapgate init --ci` writes, run as the runner would —
 * each `run` step in `bash --noprofile --norc -eo pipefail` with the workflow's `env` and the GITHUB_*
 * variables set, in a fresh copy of a project. The `uses` steps (checkout, setup-python, setup-node, the
 * SARIF upload) cannot run here: the checkout is the copy, Node and Python are this machine's, and the
 * SARIF file is checked instead. The workflow installs heapgate with `npm install -g "$HEAPGATE_PACKAGE"`
 * (`heapgate@<version>` from the registry); here, and only here, HEAPGATE_PACKAGE is overridden with a
 * tarball packed from this checkout and npm's global prefix is a temporary folder, so the installed
 * `heapgate` is the one under test and nothing is installed on the machine.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { heapgate, REPO } from '../helpers/cli.js';
import { expectNoProcessWith } from '../helpers/soak.js';
import { tempDir } from '../helpers/temp.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

let tarball: string;
beforeAll(async () => {
  // What `npm pack` in a clone gives (dist/ is built before the tests run; --ignore-scripts skips the build).
  const into = tempDir('heapgate-pack-');
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', into], {
    cwd: REPO,
  });
  tarball = path.join(into, packed.stdout.trim().split('\n').pop()!);
}, 120_000);

describe('the workflow heapgate init --ci writes', () => {
  it('installs heapgate@<version> from the registry, then gates the service it found', async () => {
    const workspace = tempDir('heapgate-workflow-');
    cpSync(path.join(REPO, 'test/fixtures/adoption/flask'), workspace, { recursive: true });
    const init = await heapgate(['init', '--ci'], { cwd: workspace });
    expect(init.exitCode, init.stderr).toBe(0);
    const text = readFileSync(path.join(workspace, '.github/workflows/heapgate.yml'), 'utf8');
    const workflow = yaml.load(text) as Workflow;
    expect(workflow.env).toEqual({ HEAPGATE_PACKAGE: `heapgate@${VERSION}` });
    expect(text).not.toMatch(/tools\/heapgate-[\d.]+\.tgz"?\s*$/m);

    const runner = tempDir('heapgate-runner-');
    const prefix = path.join(runner, 'npm-global');
    const summary = path.join(runner, 'summary.md');
    writeFileSync(summary, '');
    const mark = randomUUID();
    const steps = workflow.jobs.gate.steps;
    const ran: { name: string; exitCode: number }[] = [];
    let sarif: string | null = null;
    let log = '';
    let failed = false;
    for (const step of steps) {
      // After a failed step, only the steps whose `if` says so still run (the SARIF upload does).
      if (failed && !/!cancelled\(\)|always\(\)|failure\(\)/.test(step.if ?? '')) continue;
      if (step.uses) {
        expect(step.uses).toMatch(
          /^(actions\/checkout|actions\/setup-python|actions\/setup-node|github\/codeql-action\/upload-sarif)@v\d+$/,
        );
        if (step.uses.startsWith('github/codeql-action/upload-sarif')) {
          sarif = path.join(workspace, step.with!.sarif_file);
        }
        continue;
      }
      const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
        cwd: workspace,
        env: {
          ...workflow.env,
          // The test's override: the tarball of this checkout, installed under a temporary prefix.
          HEAPGATE_PACKAGE: tarball,
          npm_config_prefix: prefix,
          npm_config_prefer_offline: 'true',
          npm_config_audit: 'false',
          npm_config_fund: 'false',
          PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
          CI: 'true',
          NO_COLOR: '1',
          GITHUB_ACTIONS: 'true',
          GITHUB_WORKSPACE: workspace,
          GITHUB_STEP_SUMMARY: summary,
          GITHUB_OUTPUT: path.join(runner, 'output'),
          RUNNER_TEMP: runner,
          HEAPGATE_TEST_MARK: mark,
        },
        reject: false,
        all: true,
        timeout: 240_000,
      });
      log += `--- ${step.name}\n${result.all ?? ''}\n`;
      ran.push({ name: step.name ?? step.run!, exitCode: result.exitCode ?? -1 });
      if (result.exitCode !== 0) failed = true;
    }
    await expectNoProcessWith(mark);

    expect(
      ran.map((r) => r.exitCode),
      log,
    ).toEqual([0, 0, 1]);
    expect(ran[1].name).toBe('Install heapgate');
    // The heapgate on PATH is the one npm installed, at this version.
    const installed = path.join(prefix, 'lib/node_modules/heapgate/package.json');
    expect((JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version).toBe(VERSION);
    expect(log).not.toContain('no --target given'); // init wrote the target into [tool.heapgate]
    expect(log).toMatch(/::(error|warning|notice) file=app\.py,line=\d+/);
    expect(readFileSync(summary, 'utf8')).toMatch(/confirmed/i);
    expect(sarif).not.toBeNull();
    expect(existsSync(sarif!)).toBe(true);
    expect(JSON.parse(readFileSync(sarif!, 'utf8'))).toMatchObject({ version: '2.1.0' });
  }, 400_000);
});
