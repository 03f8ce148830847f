/**
 * The `--pytest PATH` part of `heapgate soak` (issue 16, item 3): reads --max-tests, plans the tests to
 * soak (pipeline/pytest-soak.ts) and says, before the soak starts, which tests were picked and the flagged
 * function each reaches, and which were not and why. When none is picked and no other scenario was given,
 * nothing is soaked and it says so with exit 2: a soak of nothing must never read as "passed".
 */
import { UsageError } from '../errors.js';
import type { DynamicOptions } from '../config/dynamic.js';
import { DEFAULT_MAX_TESTS, planPytestSoak, type PytestSoakPlan } from '../pipeline/pytest-soak.js';
import { describeReach } from '../select/pytest-pick.js';
import type { CommandIO } from './io.js';

export interface PytestFlags {
  pytest?: string[];
  maxTests?: string;
}

/** How many not-picked tests are listed one by one before the rest are counted. */
const LISTED = 20;

export function parseMaxTests(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_TESTS;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--max-tests: expected a whole number ≥ 1, got '${value}'`);
  }
  return Number(value);
}

/**
 * The picked tests' scenarios and who picked them, told on `io.stderr`; throws (exit 2) when none is
 * picked and `others` (scenarios from --scenarios) is 0.
 */
export async function pytestScenarios(
  flags: PytestFlags,
  dynamic: DynamicOptions,
  others: number,
  io: CommandIO,
): Promise<PytestSoakPlan> {
  const paths = flags.pytest ?? [];
  const plan = await planPytestSoak(paths, dynamic, parseMaxTests(flags.maxTests));
  const lines = describePlan(plan, paths);
  io.stderr.write(`${lines.join('\n')}\n`);
  if (!plan.scenarios.length && others === 0) {
    const why =
      plan.collected === 0
        ? 'no test was collected'
        : plan.flaggedFunctions === 0
          ? 'the static phase flagged no function of the project, so no test reaches flagged code'
          : `${plan.collected === 1 ? 'the one test collected does not reach' : `none of the ${plan.collected} tests collected reaches`} ` +
            `flagged code (${plural(plan.flaggedFunctions, 'flagged function')} in the project)`;
    throw new UsageError(
      `--pytest ${paths.join(' ')}: nothing to soak: ${why}. To soak a test anyway, name it in a scenario ` +
        'file ({ "name": "…", "pytest": "tests/test_x.py::test_y" }) and pass --scenarios',
    );
  }
  return plan;
}

/** What was collected, picked and not, in lines for the terminal. */
export function describePlan(plan: PytestSoakPlan, paths: readonly string[]): string[] {
  const { picked, notPicked } = plan.pick;
  const lines = [
    `heapgate: --pytest ${paths.join(' ')}: ${plural(plan.collected, 'test')} collected, ` +
      `${picked.length} picked (they reach flagged code), ${notPicked.length} not`,
  ];
  for (const { test, reaches } of picked) {
    const [first] = reaches;
    const more = reaches.length > 1 ? ` and ${plural(reaches.length - 1, 'more flagged function')}` : '';
    lines.push(
      `  soaked: ${test.nodeId}: reaches ${describeReach(first)} via ${first.chain.join(' → ')}${more}`,
    );
  }
  for (const { test, why } of notPicked.slice(0, LISTED)) lines.push(`  not soaked: ${test.nodeId}: ${why}`);
  if (notPicked.length > LISTED) lines.push(`  … and ${notPicked.length - LISTED} more not soaked`);
  return lines;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
