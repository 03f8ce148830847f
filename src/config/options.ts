/**
 * Flags + `[tool.heapgate]` → validated, typed options. Flags win over the file. Every error names where
 * the bad value came from (`--fail-on` or `pyproject.toml: [tool.heapgate] fail-on`) and exits 2.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDuration, parseSize } from '../units.js';
import { UsageError } from '../errors.js';
import { SEVERITIES, type Severity } from '../model/static.js';
import { confinedPath } from './confine.js';
import { DYNAMIC_CONFIG_KEYS, type DynamicFlags } from './dynamic.js';
import { FORMATS, type Format } from './formats.js';
import { readPyprojectConfig, type PyprojectConfig } from './pyproject.js';

export { FORMAT_EXTENSIONS, FORMATS, type Format } from './formats.js';

/** What commander hands over for `analyze` (strings as typed; undefined when not given). */
export interface AnalyzeFlags extends DynamicFlags {
  enableMemoryBudgetGate?: boolean;
  allScenarios?: boolean;
  failOnConfirmed?: boolean;
  shard?: string;
  format?: string;
  output?: string;
  outputDir?: string;
  failOn?: string;
  select?: string;
  ignore?: string;
  exclude?: string[];
  includeTests?: boolean;
  cache?: boolean;
  cacheDir?: string;
  maxFileSize?: string;
  fileTimeout?: string;
  threads?: string;
}

export interface AnalyzeOptions {
  root: string;
  formats: Format[];
  output: string | null;
  outputDir: string | null;
  failOn: Severity | null;
  /** --select/--ignore (or the config's), as given: static/rules/index.ts's selectRules resolves them. */
  ruleSelection: { select?: Sourced<string[]>; ignore?: Sourced<string[]> };
  exclude: string[];
  /** Report findings in tests, test helpers, scripts, benchmarks and examples too (hidden by default). */
  includeTests: boolean;
  cacheDir: string | null;
  maxFileBytes: number | undefined;
  /** How long one file's analysis may take before it is reported as not fully analysed. */
  fileTimeoutMs: number | undefined;
  threads: number | undefined;
  config: string | null;
}

const STATIC_CONFIG_KEYS = [
  'format',
  'output-dir',
  'fail-on',
  'select',
  'ignore',
  'exclude',
  'include-tests',
  'cache',
  'cache-dir',
  'max-file-size',
  'file-timeout',
] as const;
type ConfigKey = (typeof STATIC_CONFIG_KEYS)[number];
export const CONFIG_KEYS: readonly string[] = [...STATIC_CONFIG_KEYS, ...DYNAMIC_CONFIG_KEYS];

/** A value and where it came from, for error messages. */
export interface Sourced<T> {
  value: T;
  where: string;
}

/** Throws (exit 2) on a `[tool.heapgate]` key heapgate does not know: typos must not pass silently. */
export function checkConfigKeys(config: PyprojectConfig | null): void {
  new ConfigReader(config);
}

class ConfigReader {
  private readonly table: Record<string, unknown>;

  constructor(private readonly config: PyprojectConfig | null) {
    this.table = {};
    if (!config) return;
    for (const [rawKey, value] of Object.entries(config.table)) {
      const key = rawKey.replace(/_/g, '-');
      if (!CONFIG_KEYS.includes(key)) {
        throw new UsageError(
          `${config.file}: [tool.heapgate] ${rawKey}: unknown setting (known: ${CONFIG_KEYS.join(', ')})`,
        );
      }
      this.table[key] = value;
    }
  }

  where(key: ConfigKey): string {
    return `${this.config?.file ?? 'pyproject.toml'}: [tool.heapgate] ${key}`;
  }

  string(key: ConfigKey): Sourced<string> | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new UsageError(`${this.where(key)}: expected a string`);
    return { value, where: this.where(key) };
  }

  /** A list, written either as a TOML array of strings or one comma-separated string. */
  list(key: ConfigKey): Sourced<string[]> | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return { value: splitList(value), where: this.where(key) };
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      return { value: value as string[], where: this.where(key) };
    }
    throw new UsageError(`${this.where(key)}: expected an array of strings`);
  }

  boolean(key: ConfigKey): Sourced<boolean> | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw new UsageError(`${this.where(key)}: expected true or false`);
    return { value, where: this.where(key) };
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function flag<T>(value: T | undefined, name: string): Sourced<T> | undefined {
  return value === undefined ? undefined : { value, where: name };
}

export function resolveAnalyzeOptions(pathArg: string | undefined, flags: AnalyzeFlags): AnalyzeOptions {
  const root = path.resolve(pathArg ?? '.');
  if (!existsSync(root)) throw new UsageError(`PATH ${pathArg ?? '.'}: no such file or folder`);
  const configDir = statSync(root).isDirectory() ? root : path.dirname(root);
  const pyproject = readPyprojectConfig(configDir);
  const config = new ConfigReader(pyproject);

  const formatSource = flag(flags.format, '--format') ?? config.string('format');
  const formats = parseFormats(formatSource);
  const output = flags.output ? path.resolve(flags.output) : null;
  const outputDirSource = flag(flags.outputDir, '--output-dir') ?? config.string('output-dir');
  const outputDir = outputDirSource ? userPath(outputDirSource, configDir, '--output-dir') : null;
  if (output && outputDir) throw new UsageError('--output and --output-dir: give one or the other');
  if (formats.length > 1 && !outputDir) {
    throw new UsageError(
      `${formatSource!.where}: several formats (${formats.join(', ')}) need --output-dir to write them to`,
    );
  }

  const failOnSource = flag(flags.failOn, '--fail-on') ?? config.string('fail-on');
  let failOn: Severity | null = null;
  if (failOnSource) {
    const upper = failOnSource.value.trim().toUpperCase();
    if (!(SEVERITIES as readonly string[]).includes(upper)) {
      throw new UsageError(
        `${failOnSource.where}: expected one of ${SEVERITIES.join(', ')}, got '${failOnSource.value}'`,
      );
    }
    failOn = upper as Severity;
  }

  const select =
    flag(flags.select === undefined ? undefined : splitList(flags.select), '--select') ??
    config.list('select');
  const ignore =
    flag(flags.ignore === undefined ? undefined : splitList(flags.ignore), '--ignore') ??
    config.list('ignore');

  const excludeFlag = flags.exclude && flags.exclude.length ? flags.exclude : undefined;
  const exclude = flag(excludeFlag, '--exclude') ?? config.list('exclude');

  const includeTests =
    flag(flags.includeTests === true ? true : undefined, '--include-tests') ??
    config.boolean('include-tests');

  const cacheEnabled =
    flag(flags.cache === false ? false : undefined, '--no-cache') ?? config.boolean('cache');
  const cacheDirSource = flag(flags.cacheDir, '--cache-dir') ?? config.string('cache-dir');
  let cacheDir: string | null = path.join(configDir, '.heapgate_cache');
  if (cacheDirSource) cacheDir = userPath(cacheDirSource, configDir, '--cache-dir');
  if (cacheEnabled && !cacheEnabled.value) cacheDir = null;

  const sizeSource = flag(flags.maxFileSize, '--max-file-size') ?? config.string('max-file-size');
  let maxFileBytes: number | undefined;
  if (sizeSource) {
    const size = parseSize(sizeSource.value);
    if (size === null || size <= 0) {
      throw new UsageError(`${sizeSource.where}: expected a size such as 10MB, got '${sizeSource.value}'`);
    }
    maxFileBytes = size;
  }

  const timeoutSource = flag(flags.fileTimeout, '--file-timeout') ?? config.string('file-timeout');
  let fileTimeoutMs: number | undefined;
  if (timeoutSource) {
    const ms = parseDuration(timeoutSource.value);
    if (ms === null || ms <= 0) {
      throw new UsageError(
        `${timeoutSource.where}: expected a duration such as 60s or 2m, got '${timeoutSource.value}'`,
      );
    }
    fileTimeoutMs = ms;
  }

  let threads: number | undefined;
  if (flags.threads !== undefined) {
    if (!/^\d+$/.test(flags.threads)) {
      throw new UsageError(`--threads: expected a whole number, got '${flags.threads}'`);
    }
    threads = Number(flags.threads);
  }

  return {
    root,
    formats,
    output,
    outputDir,
    failOn,
    ruleSelection: { ...(select ? { select } : {}), ...(ignore ? { ignore } : {}) },
    exclude: exclude?.value ?? [],
    includeTests: includeTests?.value ?? false,
    cacheDir,
    maxFileBytes,
    fileTimeoutMs,
    threads,
    config: pyproject?.file ?? null,
  };
}

/**
 * A path from the command line, relative to the cwd; or from pyproject.toml, relative to its folder and
 * confined to it (config/confine.ts).
 */
function userPath(source: Sourced<string>, configDir: string, flag: string): string {
  if (source.where.startsWith('--')) return path.resolve(source.value);
  return confinedPath(source.value, configDir, source.where, flag);
}

function parseFormats(source: Sourced<string> | undefined): Format[] {
  if (!source) return ['text'];
  const formats = splitList(source.value);
  if (!formats.length) throw new UsageError(`${source.where}: no format given`);
  for (const format of formats) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`${source.where}: unknown format '${format}' (known: ${FORMATS.join(', ')})`);
    }
  }
  return [...new Set(formats)] as Format[];
}
