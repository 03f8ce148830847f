// bench/static-scaling: how the per-file static analysis grows with the size of one file and with the
// number of findings in it (issue 13: every analysis must be linear in its input). Generates Python files,
// runs the built analyzer (dist/, every rule, the real per-file path: read, decode, pre-scan, parse,
// check) on each, and prints the time beside the time per MB / per 1,000 findings. The parse column is
// tree-sitter alone on the statements the analyzer parses; the rest (pre-scan, triggers, rules, routes)
// is the column after it. Asserts nothing.
//   npm run build && node bench/static-scaling.js [-- --sizes 1,2,4,8 --findings 1000,2000,4000,8000 --runs 1]
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeFile } from '../dist/static/analyze-file.js';
import { chooseBlocks } from '../dist/static/analyze-source.js';
import { scanSource, toRanges } from '../dist/static/prescan.js';
import { ALL_RULES } from '../dist/static/rules/index.js';
import { parsePython, pythonParser } from '../dist/static/parse.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const list = (text) => text.split(',').map(Number);
const sizes = list(option('--sizes', '1,2,4,8'));
const findingCounts = list(option('--findings', '1000,2000,4000,8000'));
const runs = Number(option('--runs', '1'));

const HEADER = ['import functools', 'import logging', 'import threading', 'import requests', '', ''].join(
  '\n',
);

/** One finding of every rule, with names unique to `i` (ten findings). */
function leakyUnit(i) {
  return `
_cache_${i} = {}


def remember_${i}(key):
    _cache_${i}[key] = key * 2
    return _cache_${i}[key]


@functools.lru_cache(maxsize=None)
def lookup_${i}(key):
    return key * 3


def fetch_${i}(url):
    session_${i} = requests.Session()
    return session_${i}.get(url).json()


def get_logger_${i}(name):
    logger = logging.getLogger(name)
    logger.addHandler(logging.StreamHandler())
    return logger


def spawn_${i}(job):
    worker = threading.Thread(target=job)
    worker.start()


class Node${i}:
    def add_child(self, child):
        child.parent = self
        self.children.append(child)


def head_${i}(path):
    handle = open(path)
    return handle.readline()


def count_${i}(path):
    with open(path) as f:
        lines = f.readlines()
    return sum(1 for line in lines if "E" in line)


def render_${i}(rows):
    html = ""
    for row in rows:
        html += str(row)
    return html


def record_${i}(event, seen=[]):
    seen.append(event)
    return len(seen)
`;
}

/** Ordinary code that no rule flags but several look at: read-only containers, closed files, classes. */
function cleanUnit(i) {
  return `
LIMITS_${i} = {"small": 10, "large": 100}
_names_${i} = []


class Service${i}:
    """A service that does nothing leaky (${i})."""

    def __init__(self, name, size=10):
        self.name = name
        self.size = size
        self.items = []

    def describe(self, verbose=False):
        text = f"{self.name}: {len(self.items)} items"
        if verbose:
            text = text.upper()
        return text

    def total(self):
        return sum(item.size for item in self.items if item.size < LIMITS_${i}["large"])


def read_config_${i}(path):
    with open(path) as f:
        return f.read(4096)


def pick_${i}(key):
    if key in _names_${i}:
        return LIMITS_${i}.get(key, 0)
    return None
`;
}

/** A file of about `megabytes` MB: ordinary code with one leaky unit per twenty clean ones. */
function sizedFile(megabytes) {
  const parts = [HEADER];
  let length = HEADER.length;
  for (let i = 0; length < megabytes * 1024 * 1024; i++) {
    const part = i % 20 === 0 ? leakyUnit(i) : cleanUnit(i);
    parts.push(part);
    length += part.length;
  }
  return parts.join('');
}

/** A file with `count` findings: ten per leaky unit, nothing else. */
function findingsFile(count) {
  const parts = [HEADER];
  for (let i = 0; i < count / 10; i++) parts.push(leakyUnit(i));
  return parts.join('');
}

const parser = await pythonParser();
const work = mkdtempSync(path.join(os.tmpdir(), 'heapgate-scaling-'));

/** tree-sitter alone, on the statements the analyzer chooses to parse (as analyze-source.ts does). */
function parseOnly(source) {
  const { blocks, quietRuns } = scanSource(source);
  const { chosen } = chooseBlocks({ source, blocks }, ALL_RULES, true);
  const started = performance.now();
  parsePython(parser, source, toRanges(chosen, quietRuns)).delete();
  return performance.now() - started;
}

function measure(source) {
  const file = path.join(work, 'generated.py');
  writeFileSync(file, source);
  let best = Infinity;
  let parse = Infinity;
  let findings = 0;
  for (let r = 0; r < runs; r++) {
    parse = Math.min(parse, parseOnly(source));
    const started = performance.now();
    const { result } = analyzeFile(parser, file, 'generated.py', { maxFileBytes: 64 * 1024 * 1024 });
    best = Math.min(best, performance.now() - started);
    findings = result.findings.length;
    if (result.problems.length) console.log('  problems:', result.problems.map((p) => p.message).join('; '));
  }
  return {
    ms: best,
    parse,
    rest: best - parse,
    findings,
    megabytes: Buffer.byteLength(source) / (1024 * 1024),
  };
}

const pad = (value, width) => String(value).padStart(width);
try {
  console.log(
    `bench/static-scaling — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(`best of ${runs} run(s) per input; time is the whole per-file analysis (every rule)`);
  console.log('');
  console.log('file size   findings   total ms   parse ms   rest ms   rest ms per MB');
  for (const size of sizes) {
    const m = measure(sizedFile(size));
    console.log(
      `${pad(m.megabytes.toFixed(2), 6)} MB ${pad(m.findings, 10)} ${pad(m.ms.toFixed(0), 10)} ${pad(m.parse.toFixed(0), 10)} ${pad(m.rest.toFixed(0), 9)} ${pad((m.rest / m.megabytes).toFixed(0), 16)}`,
    );
  }
  console.log('');
  console.log('findings   file size   total ms   parse ms   rest ms   rest ms per 1k findings');
  for (const count of findingCounts) {
    const m = measure(findingsFile(count));
    console.log(
      `${pad(m.findings, 8)} ${pad(m.megabytes.toFixed(2), 8)} MB ${pad(m.ms.toFixed(0), 10)} ${pad(m.parse.toFixed(0), 10)} ${pad(m.rest.toFixed(0), 9)} ${pad(((m.rest * 1000) / m.findings).toFixed(0), 25)}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
