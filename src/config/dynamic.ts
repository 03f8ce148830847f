/**
 * Options of the dynamic phase (`soak`, and `analyze --enable-memory-budget-gate`): flags over
 * `[tool.heapgate]` over defaults, validated with messages that name the flag or the file and key.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseBudget, parseBudgetFlags } from './budget.js';
import { confinedPath } from './confine.js';
import { type BudgetOverrides } from '../model/budget.js';
import { parseDuration } from '../units.js';
import { UsageError } from '../errors.js';
import type { PyprojectConfig } from './pyproject.js';

export interface DynamicFlags {
  target?: string;
  python?: string;
  scenarios?: string[];
  cwd?: string;
  iterations?: string;
  duration?: string;
  budgetGrowth?: string;
  budgetRate?: string;
  budgetHeap?: string;
  budgetRss?: string;
  budgetRssGrowth?: string;
  budgetThreads?: string;
  budgetFds?: string;
  budgetHandlers?: string;
  readyPath?: string;
  readyTimeout?: string;
  port?: string;
  allowRemote?: boolean;
  traceDepth?: string;
  heapCounter?: string;
  grace?: string;
  gateTime?: string;
  failOnUnreached?: boolean;
}

export interface DynamicOptions {
  command: string | null;
  python: string;
  scenarioPaths: string[];
  cwd: string;
  iterations: number | undefined;
  durationMs: number | undefined;
  /** pyproject budget < scenario budget < these flags: the runner layers them. */
  configBudget: BudgetOverrides;
  flagBudget: BudgetOverrides;
  readyPath: string | undefined;
  readyTimeoutMs: number;
  /**
   * `--port N`: the port the service listens on, for a service that chooses its own (also given to it as
   * {port} and PORT); null: heapgate gives it a free port, and watches for the one it opens when its
   * command names neither {port} nor PORT.
   */
  port: number | null;
  allowRemote: boolean;
  traceDepth: number;
  heapCounter: HeapCounter;
  graceMs: number;
  /**
   * The gate's time budget: after the scenarios findings select (which always run), the others and the
   * route sweep run while it lasts.
   */
  gateTimeMs: number;
  /** A finding no request reached fails the gate. */
  failOnUnreached: boolean;
}

/** The gate's default time budget: enough to sweep a few dozen routes at the defaults' ~3 s a route. */
export const DEFAULT_GATE_TIME = '5m';

/**
 * What the heap metric counts: `allocator` — live bytes as pymalloc and malloc count them, read at each
 * sample at no cost in between (CPython on glibc; the shim falls back to tracemalloc elsewhere);
 * `tracemalloc` — bytes traced by tracemalloc running the whole time (slower: every allocation pays).
 */
export type HeapCounter = 'allocator' | 'tracemalloc';
export const HEAP_COUNTERS: readonly HeapCounter[] = ['allocator', 'tracemalloc'];

/** Keys `[tool.heapgate]` may hold for the dynamic phase. */
export const DYNAMIC_CONFIG_KEYS = [
  'target',
  'python',
  'scenarios',
  'iterations',
  'duration',
  'budget',
  'ready-path',
  'ready-timeout',
  'port',
  'allow-remote',
  'trace-depth',
  'heap-counter',
  'grace',
  'gate-time',
  'fail-on-unreached',
] as const;

export function resolveDynamicOptions(
  flags: DynamicFlags,
  config: PyprojectConfig | null,
  defaultCwd: string,
): DynamicOptions {
  const table: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config?.table ?? {})) table[key.replace(/_/g, '-')] = value;
  const where = (key: string) => `${config?.file ?? 'pyproject.toml'}: [tool.heapgate] ${key}`;
  const configString = (key: string): string | undefined => {
    const value = table[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new UsageError(`${where(key)}: expected a string`);
    return value;
  };

  const cwd = path.resolve(flags.cwd ?? defaultCwd);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new UsageError(`--cwd ${flags.cwd ?? defaultCwd}: no such folder`);
  }
  const configDir = config ? path.dirname(config.file) : cwd;

  let scenarioPaths: string[];
  if (flags.scenarios?.length) scenarioPaths = flags.scenarios.map((p) => path.resolve(p));
  else {
    const value = table.scenarios;
    if (value === undefined) scenarioPaths = [];
    else if (typeof value === 'string') {
      scenarioPaths = [confinedPath(value, configDir, where('scenarios'), '--scenarios')];
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      scenarioPaths = (value as string[]).map((v) =>
        confinedPath(v, configDir, where('scenarios'), '--scenarios'),
      );
    } else throw new UsageError(`${where('scenarios')}: expected a path or an array of paths`);
  }

  const iterationsText = flags.iterations ?? numberOrString(table.iterations, where('iterations'));
  let iterations: number | undefined;
  if (iterationsText !== undefined) {
    if (!/^\d+$/.test(iterationsText) || Number(iterationsText) < 1) {
      const source = flags.iterations !== undefined ? '--iterations' : where('iterations');
      throw new UsageError(`${source}: expected a whole number ≥ 1, got '${iterationsText}'`);
    }
    iterations = Number(iterationsText);
  }
  const durationText = flags.duration ?? configString('duration');
  let durationMs: number | undefined;
  if (durationText !== undefined) {
    const ms = parseDuration(durationText);
    const source = flags.duration !== undefined ? '--duration' : where('duration');
    if (ms === null || ms <= 0)
      throw new UsageError(`${source}: expected a duration such as 90s or 10m, got '${durationText}'`);
    durationMs = ms;
  }
  if (flags.iterations !== undefined && flags.duration !== undefined) {
    throw new UsageError('--iterations and --duration: give one or the other');
  }

  const configBudget =
    table.budget === undefined
      ? {}
      : parseBudget(table.budget, `${config?.file ?? 'pyproject.toml'}: [tool.heapgate]`);
  const flagBudget = parseBudgetFlags({
    growth: flags.budgetGrowth,
    rate: flags.budgetRate,
    heap: flags.budgetHeap,
    rss: flags.budgetRss,
    rssGrowth: flags.budgetRssGrowth,
    threads: flags.budgetThreads,
    fds: flags.budgetFds,
    handlers: flags.budgetHandlers,
  });

  const readyTimeoutText = flags.readyTimeout ?? configString('ready-timeout') ?? '60s';
  const readyTimeoutMs = parseDuration(readyTimeoutText);
  if (readyTimeoutMs === null || readyTimeoutMs <= 0) {
    throw new UsageError(
      `${flags.readyTimeout !== undefined ? '--ready-timeout' : where('ready-timeout')}: expected a duration such as 30s, got '${readyTimeoutText}'`,
    );
  }
  const graceText = flags.grace ?? configString('grace') ?? '5s';
  const graceMs = parseDuration(graceText);
  if (graceMs === null || graceMs < 0) {
    throw new UsageError(
      `${flags.grace !== undefined ? '--grace' : where('grace')}: expected a duration such as 5s, got '${graceText}'`,
    );
  }
  const depthText = flags.traceDepth ?? numberOrString(table['trace-depth'], where('trace-depth')) ?? '16';
  if (!/^\d+$/.test(depthText) || Number(depthText) < 1 || Number(depthText) > 100) {
    throw new UsageError(
      `${flags.traceDepth !== undefined ? '--trace-depth' : where('trace-depth')}: expected a whole number from 1 to 100, got '${depthText}'`,
    );
  }
  const heapCounter = flags.heapCounter ?? configString('heap-counter') ?? 'allocator';
  if (!(HEAP_COUNTERS as readonly string[]).includes(heapCounter)) {
    throw new UsageError(
      `${flags.heapCounter !== undefined ? '--heap-counter' : where('heap-counter')}: expected ${HEAP_COUNTERS.join(' or ')}, got '${heapCounter}'`,
    );
  }
  const readyPath = flags.readyPath ?? configString('ready-path');
  if (readyPath !== undefined && !readyPath.startsWith('/')) {
    throw new UsageError(
      `${flags.readyPath !== undefined ? '--ready-path' : where('ready-path')}: expected a path starting with /, got '${readyPath}'`,
    );
  }
  const portText = flags.port ?? numberOrString(table.port, where('port'));
  let port: number | null = null;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new UsageError(
        `${flags.port !== undefined ? '--port' : where('port')}: expected a TCP port from 1 to 65535, got '${portText}'`,
      );
    }
    port = Number(portText);
  }
  const allowRemoteConfig = table['allow-remote'];
  if (allowRemoteConfig !== undefined && typeof allowRemoteConfig !== 'boolean') {
    throw new UsageError(`${where('allow-remote')}: expected true or false`);
  }
  const gateTimeText = flags.gateTime ?? configString('gate-time') ?? DEFAULT_GATE_TIME;
  const gateTimeMs = parseDuration(gateTimeText);
  if (gateTimeMs === null || gateTimeMs <= 0) {
    throw new UsageError(
      `${flags.gateTime !== undefined ? '--gate-time' : where('gate-time')}: expected a duration such as 5m, got '${gateTimeText}'`,
    );
  }
  const unreachedConfig = table['fail-on-unreached'];
  if (unreachedConfig !== undefined && typeof unreachedConfig !== 'boolean') {
    throw new UsageError(`${where('fail-on-unreached')}: expected true or false`);
  }
  const command = flags.target ?? configString('target') ?? null;
  if (command !== null && !command.trim()) throw new UsageError('--target: the command is empty');

  return {
    command,
    python: flags.python ?? configString('python') ?? 'python3',
    scenarioPaths,
    cwd,
    iterations,
    durationMs,
    configBudget,
    flagBudget,
    readyPath,
    readyTimeoutMs,
    port,
    allowRemote: flags.allowRemote ?? (allowRemoteConfig as boolean | undefined) ?? false,
    traceDepth: Number(depthText),
    heapCounter: heapCounter as HeapCounter,
    graceMs,
    gateTimeMs,
    failOnUnreached: flags.failOnUnreached ?? (unreachedConfig as boolean | undefined) ?? false,
  };
}

function numberOrString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  throw new UsageError(`${where}: expected a number`);
}
