/**
 * Publishing a run to GitHub Actions: annotations on the workflow run / pull request, and the Markdown
 * report in the job summary.
 *
 * - When GITHUB_ACTIONS=true, the annotations (src/report/github.ts) are written to STDERR. The runner
 *   reads workflow commands from both of a step's streams (actions/runner's ScriptHandler attaches an
 *   OutputManager, which parses `::…::` lines, to stdout and to stderr alike), so stderr works and keeps
 *   stdout exactly what --format asked for: a JSON, SARIF or JUnit report piped to a file or to `jq` is
 *   never mixed with commands, and the text report stays readable. (A step that sends heapgate's stderr
 *   to a file, `2> log`, loses the annotations.) GitHub shows 10 annotations per level and step: the most
 *   important come first and one notice counts the rest.
 * - When GITHUB_STEP_SUMMARY names a file, the Markdown report (src/report/markdown.ts) is appended to it
 *   (GitHub renders it on the run's page; a step's summary may hold at most 1 MiB, so a longer one is cut
 *   with a note).
 * - HEAPGATE_GITHUB=off (or 0/false) turns both off: e.g. in the shard jobs of a matrix when only the
 *   merge job should publish, so that nothing is annotated twice.
 * Publishing never changes the exit code: a summary file that cannot be written is a warning on stderr.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { annotations } from '../report/github.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Report } from '../model/report.js';
import type { CommandIO } from './io.js';

/** GitHub's cap on one step's summary. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
/** Annotations of one level GitHub shows per step. */
export const ANNOTATIONS_PER_LEVEL = 10;

export interface PublishOptions {
  /**
   * The folder the report's relative paths are relative to (the analyzed PATH, or soak's --cwd); default
   * the report's static root, else the working directory. Annotations need paths relative to the
   * repository ($GITHUB_WORKSPACE), so the difference is prepended.
   */
  root?: string;
}

function disabled(env: NodeJS.ProcessEnv): boolean {
  return /^(off|0|false|no)$/i.test((env.HEAPGATE_GITHUB ?? '').trim());
}

/** `services/api` when root is $GITHUB_WORKSPACE/services/api; '' at the top or outside the workspace. */
export function workspacePrefix(root: string, env: NodeJS.ProcessEnv): string {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) return '';
  const rel = path.relative(path.resolve(workspace), path.resolve(root));
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return '';
  return rel.split(path.sep).join('/');
}

/** Writes workflow-command lines to stderr when running in GitHub Actions (see the module comment). */
export function writeAnnotations(lines: readonly string[], env: NodeJS.ProcessEnv, io: CommandIO): void {
  if (env.GITHUB_ACTIONS !== 'true' || disabled(env) || !lines.length) return;
  io.stderr.write(`${lines.join('\n')}\n`);
}

/** Appends Markdown to $GITHUB_STEP_SUMMARY when it is set (see the module comment). */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv, io: CommandIO): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file || disabled(env)) return;
  let text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  if (Buffer.byteLength(text) > STEP_SUMMARY_LIMIT) {
    const note =
      '\n\n_… cut here: a job summary may hold at most 1 MiB. The full report is in the JSON/HTML output._\n';
    const room = STEP_SUMMARY_LIMIT - Buffer.byteLength(note) - 1024;
    // Cut at a line boundary within the byte budget (a cut table row would render as garbage).
    let cut = Buffer.from(text).subarray(0, room).toString('utf8');
    cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
    text = `${cut}${note}`;
  }
  try {
    appendFileSync(file, text);
  } catch (error) {
    io.stderr.write(
      `heapgate: warning: GITHUB_STEP_SUMMARY ${file}: cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); no job summary\n`,
    );
  }
}

/**
 * Annotations (GITHUB_ACTIONS=true) and the job summary ($GITHUB_STEP_SUMMARY) for a report. Call it once
 * per run, after the report is written; it never throws for GitHub's sake and never touches stdout.
 */
export function publishToGitHub(
  report: Report,
  env: NodeJS.ProcessEnv,
  io: CommandIO,
  options: PublishOptions = {},
): void {
  if (disabled(env)) return;
  if (env.GITHUB_ACTIONS === 'true') {
    const root = options.root ?? report.static?.root ?? process.cwd();
    const pathPrefix = workspacePrefix(root, env);
    writeAnnotations(annotations(report, { pathPrefix, limitPerLevel: ANNOTATIONS_PER_LEVEL }), env, io);
  }
  appendStepSummary(renderMarkdown(report), env, io);
}
