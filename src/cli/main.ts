/** The command line (README "Usage"): parses flags, runs a command, maps every outcome to an exit code. */
import { Command, CommanderError, Option } from 'commander';
import { FORMATS } from '../config/formats.js';
import type { AnalyzeFlags } from '../config/options.js';
import { VERSION } from '../version.js';
import type { CommandIO } from './io.js';
import type { CompareFlags } from './compare.js';
import type { ReportCommandFlags } from './report-command.js';
import type { ScenariosFlags } from './scenarios-command.js';
import type { SoakFlags } from './soak.js';
import { EXIT, TargetError, UsageError } from '../errors.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The flags of the dynamic phase, shared by `soak` and `analyze --enable-memory-budget-gate`. */
function addDynamicOptions(command: Command): Command {
  return command
    .option('--target <cmd>', 'how to start the service; {port} (and $PORT) is a free loopback port')
    .option('--python <path>', 'interpreter for call scenarios without --target (default python3)')
    .option('--scenarios <path>', 'a scenario file or a folder of them (repeatable)', collect)
    .option('--cwd <dir>', 'where the target runs; leak sites are attributed to code under it (default .)')
    .option('--iterations <n>', "override the scenarios' measured iterations")
    .option('--duration <time>', 'run each scenario this long instead (e.g. 10m)')
    .option('--budget-growth <size>', 'heap growth allowed per iteration (default 32B)')
    .option('--budget-rate <size/h>', 'heap growth allowed per hour, for time-based soaks (e.g. 10MB/h)')
    .option('--budget-heap <size>', 'ceiling for the traced heap')
    .option('--budget-rss <size>', 'ceiling for resident memory')
    .option('--budget-rss-growth <size>', 'RSS growth allowed per iteration (default 256B)')
    .option('--budget-threads <n>', 'thread count growth allowed (default 0)')
    .option('--budget-fds <n>', 'open file descriptor growth allowed (default 0)')
    .option('--budget-handlers <n>', 'logging handler growth allowed (default 0)')
    .option('--ready-path <path>', 'readiness: GET this path instead of a TCP connect')
    .option('--ready-timeout <time>', 'how long the target may take to become ready (default 60s)')
    .option(
      '--port <n>',
      'the port the service listens on, when it chooses its own (default: a free port as {port}/$PORT, or the one it opens)',
    )
    .option('--allow-remote', 'let scenarios with absolute URLs reach hosts other than loopback')
    .option('--trace-depth <n>', 'frames per allocation in the leak-site pass (default 16)')
    .option(
      '--heap-counter <counter>',
      'what the heap series counts: allocator (live bytes from pymalloc and malloc, default) or tracemalloc',
    )
    .option('--grace <time>', 'between SIGTERM and SIGKILL when ending the target (default 5s)')
    .option('--shard <i/n>', 'run only this share of the scenarios (CI matrices; merge with heapgate merge)');
}

export async function main(
  argv: readonly string[],
  io: CommandIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let exitCode: number = EXIT.passed;
  const program = new Command('heapgate')
    .description('Keeps long-running Python services from leaking.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error:/, 'heapgate: error:')),
    })
    .showSuggestionAfterError(true);

  const analyze = program
    .command('analyze')
    .description('run the static rules over PATH (default .)')
    .argument('[path]', 'a folder or a single .py file')
    .addOption(new Option('--format <formats>', `report format(s), comma-separated: ${FORMATS.join('|')}`))
    .option('--output <file>', 'write the report to FILE instead of stdout')
    .option('--output-dir <dir>', 'write every --format to DIR/heapgate.<ext>')
    .option('--fail-on <severity>', 'exit 1 when a finding at or above LOW|MEDIUM|HIGH|CRITICAL remains')
    .option('--select <rules>', 'only these rules (ids or short ids, comma-separated)')
    .option('--ignore <rules>', 'leave out these rules (ids or short ids, comma-separated)')
    .option('--exclude <glob>', 'skip matching files and folders (repeatable)', collect)
    .option(
      '--include-tests',
      'also report findings in tests, test helpers, scripts, benchmarks and examples',
    )
    .option('--no-cache', 'analyse every file afresh, ignoring and not writing the cache')
    .option('--cache-dir <dir>', 'where to keep the cache (default PATH/.heapgate_cache)')
    .option('--max-file-size <size>', 'skip (and report) files larger than this (default 10MB)')
    .option(
      '--file-timeout <time>',
      'report a file whose analysis takes longer as not analysed (default 60s)',
    )
    .option('--threads <n>', 'parser threads (default: one per core; 0 parses on the main thread)')
    .option(
      '--enable-memory-budget-gate',
      'after the static phase, soak the scenarios the findings select, then every other route while --gate-time lasts',
    )
    .option('--all-scenarios', 'with the gate: run every scenario, selected or not')
    .option('--fail-on-confirmed', 'with --fail-on: count only findings the run confirmed')
    .option(
      '--gate-time <time>',
      'with the gate: time budget for the scenarios after the selected ones (default 5m)',
    )
    .option('--fail-on-unreached', 'with the gate: a finding no request reached fails the gate');
  addDynamicOptions(analyze).action(async (pathArg: string | undefined, flags: AnalyzeFlags) => {
    // Each command loads only what it needs: start-up time counts in every CI run.
    const { runAnalyze } = await import('./analyze.js');
    exitCode = await runAnalyze(pathArg, flags, io);
  });

  const soak = program
    .command('soak')
    .description('run every scenario against the service (the dynamic phase alone), for local soaks and CI');
  addDynamicOptions(soak)
    .option('--format <formats>', `report format(s), comma-separated: ${FORMATS.join('|')}`)
    .option('--output <file>', 'write the report to FILE instead of stdout')
    .option('--output-dir <dir>', 'write every --format to DIR/heapgate.<ext>')
    .option('--live [port]', 'serve a live page, /leaks and /metrics on 127.0.0.1:PORT while the soak runs')
    .option(
      '--save-every <duration>',
      'write the partial report this often while it runs (default 2m with --live)',
    )
    .option(
      '--pytest <path>',
      'also soak the pytest tests under PATH that reach flagged code (repeatable; they run in --python)',
      collect,
    )
    .option('--max-tests <n>', 'with --pytest: soak at most N tests, most severe reach first (default 10)')
    .action(async (flags: SoakFlags) => {
      const { runSoak } = await import('./soak.js');
      exitCode = await runSoak(flags, io);
    });

  program
    .command('init')
    .description(
      'write [tool.heapgate] (the target found) into pyproject.toml and heapgate/ with a scenario per route',
    )
    .argument('[path]', 'the project (default .)')
    .option('--target <cmd>', 'how to start the service, instead of the one heapgate finds')
    .option('--ci', 'also write .github/workflows/heapgate.yml')
    .action(async (pathArg: string | undefined, flags: { target?: string; ci?: boolean }) => {
      const { runInit } = await import('./init.js');
      exitCode = await runInit(pathArg, flags, io);
    });

  program
    .command('scenarios')
    .description('list the scenarios the gate would run for PATH, generated ones included, and why')
    .argument('[path]', 'the project (default .)')
    .option('--scenarios <path>', 'a scenario file or a folder of them (repeatable)', collect)
    .option('--all-scenarios', 'plan every scenario, selected or not')
    .option('--select <rules>', 'only these rules (ids or short ids, comma-separated)')
    .option('--ignore <rules>', 'leave out these rules')
    .option('--exclude <glob>', 'skip matching files and folders (repeatable)', collect)
    .option('--format <format>', 'text|json (default text)')
    .action(async (pathArg: string | undefined, flags: ScenariosFlags) => {
      const { runScenariosCommand } = await import('./scenarios-command.js');
      exitCode = await runScenariosCommand(pathArg, flags, io);
    });

  program
    .command('report')
    .description('re-render a saved JSON report')
    .argument('<file>', 'a JSON report written by analyze or soak')
    .option('--format <formats>', `format(s), comma-separated: ${FORMATS.join('|')}`)
    .option('--output <file>', 'write the report to FILE instead of stdout')
    .option('--output-dir <dir>', 'write every --format to DIR/heapgate.<ext>')
    .action(async (file: string, flags: ReportCommandFlags) => {
      const { runReport } = await import('./report-command.js');
      exitCode = await runReport(file, flags, io);
    });

  program
    .command('compare')
    .description('growth regression between two runs: exit 1 when HEAD grows worse than BASE beyond noise')
    .argument('<base>', 'JSON report of the base run')
    .argument('<head>', 'JSON report of the head run')
    .option('--format <format>', 'text|markdown|json (default text)')
    .option('--output <file>', 'write the comparison to FILE instead of stdout')
    .action(async (base: string, head: string, flags: CompareFlags) => {
      const { runCompare } = await import('./compare.js');
      exitCode = await runCompare(base, head, flags, io);
    });

  program
    .command('merge')
    .description('merge the JSON reports of shards (--shard i/n) into one')
    .argument('<files...>', 'JSON reports to merge')
    .option('--format <formats>', `format(s), comma-separated: ${FORMATS.join('|')} (default json)`)
    .option('--output <file>', 'write the merged report to FILE instead of stdout')
    .option('--output-dir <dir>', 'write every --format to DIR/heapgate.<ext>')
    .action(async (files: string[], flags: ReportCommandFlags) => {
      const { runMerge } = await import('./merge.js');
      exitCode = await runMerge(files, flags, io);
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.passed;
      }
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`heapgate: error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof TargetError) {
      io.stderr.write(`heapgate: target failed: ${error.message}\n`);
      if (error.stderrTail) io.stderr.write(`--- target stderr (tail) ---\n${error.stderrTail}\n`);
      return EXIT.targetFailed;
    }
    io.stderr.write(`heapgate: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.usage;
  }
}
