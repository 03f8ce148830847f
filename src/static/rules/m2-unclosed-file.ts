/**
 * M2 unclosed-file: which calls open a file handle; the path analysis that finds the unclosed ones is
 * semantics/resources (shared with R3).
 */
import type { ImportTable } from '../imports.js';
import {
  calleeTail,
  descendants,
  enclosingDef,
  field,
  keywordArgument,
  positionalArguments,
  type Node,
} from '../pyast.js';
import type { Rule, RuleMeta } from '../rule.js';
import { calleeText, type Creation, type ResourceKind } from '../semantics/resources/kind.js';
import { findLeaks } from '../semantics/resources/leaks.js';
import { bindingOf, callOf, creationWords } from '../semantics/resources/triggers.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'RESOURCE_UNCLOSED_FILE',
  shortId: 'M2',
  name: 'unclosed-file',
  severity: 'MEDIUM',
  confidence: 'high',
  summary: 'A file opened in a function is not closed on every path.',
  fix: 'Open the file in a `with` block (or close it in `finally`).',
  docs: {
    what:
      'A file handle from `open()`, `io.open()`, `io.open_code()`, `codecs.open()`, `tokenize.open()`, ' +
      '`gzip.open()`/`bz2.open()`/`lzma.open()` (and `BZ2File`/`LZMAFile`/`GzipFile` on a path), ' +
      '`tarfile.open()`, `zipfile.ZipFile()` (on a path), `os.fdopen()`, `os.popen()` (a pipe to a ' +
      "child), a `tempfile` file, `shelve`/`dbm`/`wave.open()`, a path's `.open()` (chained too: " +
      '`Path(p).open()`) — or a function of the same file that ' +
      'returns one — bound to a local name inside a function and neither used in a `with` block nor ' +
      "closed on every path. Handles that are returned, yielded or stored on an object are the caller's " +
      'to close and are not reported, unless it is returned on one path and left open on another (a ' +
      '`continue` to the next candidate, a `raise`); closing an object it was given to (`w = ' +
      'io.TextIOWrapper(f)` then `w.close()` or `with w:`) closes it too; a close at the end of the function counts, but an early ' +
      '`return`, a `raise` or a `continue` that skips it does not (use `finally` or `with`). ' +
      '`os.open()` is left out: it returns a bare descriptor that code hands to `os.fdopen`, `mmap` ' +
      'or a subprocess.',
    why:
      'Every open file holds a file descriptor and an I/O buffer until it is closed. CPython closes a ' +
      'handle when its last reference disappears, but an exception traceback, a reference cycle, a ' +
      'generator that is never finished or a PyPy runtime keeps it open, and writes may sit unflushed ' +
      'in the buffer. A request handler that leaks one descriptor per call eventually fails with ' +
      '"OSError: [Errno 24] Too many open files" and takes the whole service down.',
    example: [
      'import json',
      '',
      'def load_settings(path):',
      '    f = open(path)',
      '    settings = json.load(f)',
      '    if "version" not in settings:',
      '        return None       # f stays open',
      '    f.close()',
      '    return settings',
    ].join('\n'),
    knownProblems:
      'The same path analysis as R3: only handles bound to a local name are followed, and exception ' +
      'paths count only through `finally`. A handle passed to a function of another module is taken as ' +
      'handed off, so a leak through a helper that only reads from it is missed; a handle closed by ' +
      'such a helper whose name says nothing about closing is not.',
    fixedExample: [
      'import json',
      '',
      'def load_settings(path):',
      '    with open(path) as f:',
      '        settings = json.load(f)',
      '    if "version" not in settings:',
      '        return None',
      '    return settings',
    ].join('\n'),
    fix: 'Let a `with` block close the file on every path, exceptions included, or close it in `finally`.',
    references: [
      {
        title: 'pylint R1732 consider-using-with',
        url: 'https://pylint.pycqa.org/en/latest/user_guide/messages/refactor/consider-using-with.html',
      },
      {
        title: 'flake8-simplify #17: SIM115, use a context handler for opening files',
        url: 'https://github.com/MartinThoma/flake8-simplify/issues/17',
      },
      {
        title: 'pylint #3413: detect open() calls without with',
        url: 'https://github.com/PyCQA/pylint/issues/3413',
      },
      {
        title:
          'Python docs, os.popen(): the pipe stays open (and the child unreaped) until close() — a status ' +
          'endpoint that runs os.popen("uptime").read() per call leaks a pipe each time',
        url: 'https://docs.python.org/3/library/os.html#os.popen',
      },
    ],
  },
  dynamic: { metrics: ['fds'], reproduce: 'repeated-calls' },
};

/**
 * Calls that open a file handle (an OS file descriptor). `os.open` is left out on purpose: it returns a
 * bare int that code hands to `os.fdopen`, `mmap` or a subprocess, which this analysis cannot follow.
 */
const FILE_OPENERS = new Set([
  'io.open',
  'codecs.open',
  'gzip.open',
  'bz2.open',
  'lzma.open',
  'tarfile.open',
  'zipfile.ZipFile',
  'os.fdopen',
  'io.FileIO',
  'gzip.GzipFile',
  'tempfile.TemporaryFile',
  'tempfile.NamedTemporaryFile',
  'tempfile.SpooledTemporaryFile',
  'shelve.open',
  'dbm.open',
  'wave.open',
  // a pipe to a child process: open until close() (which also reaps the child)
  'os.popen',
  'tokenize.open',
  'io.open_code',
  'bz2.BZ2File',
  'lzma.LZMAFile',
  'dbm.gnu.open',
  'dbm.ndbm.open',
  'dbm.dumb.open',
]);

/** Archive readers that own a descriptor only when handed a path, not a file object someone else owns. */
const ARCHIVES = new Set([
  'zipfile.ZipFile',
  'tarfile.open',
  'gzip.GzipFile',
  'bz2.BZ2File',
  'lzma.LZMAFile',
]);
const IN_MEMORY_OR_OPENED =
  /^(?:open|BytesIO|StringIO|SpooledTemporaryFile|TemporaryFile|NamedTemporaryFile|fdopen|urlopen)$/;

/**
 * `ZipFile(io.BytesIO(data))`, `tarfile.open(fileobj=f)`, `ZipFile(fp)` after `fp = open(…)`: the
 * archive reads from a file object it does not own, so there is no descriptor of its own to leak.
 */
function wrapsOpenFile(call: Node): boolean {
  if (keywordArgument(call, 'fileobj')) return true;
  const first = positionalArguments(call)[0];
  if (!first) return false;
  if (first.type === 'call') return IN_MEMORY_OR_OPENED.test(calleeTail(first) ?? '');
  if (first.type !== 'identifier') return false;
  const fn = enclosingDef(call);
  if (!fn) return false;
  for (const assignment of descendants(fn, 'assignment')) {
    const left = field(assignment, 'left');
    const right = field(assignment, 'right');
    if (left?.type === 'identifier' && left.text === first.text && right?.type === 'call') {
      if (IN_MEMORY_OR_OPENED.test(calleeTail(right) ?? '')) return true;
    }
  }
  return false;
}

/** Receivers whose `.open()` is a method of the object itself, not a file. */
const NOT_FILE_RECEIVERS = new Set(['self', 'cls']);

const WORDS = [
  'open',
  'popen',
  'open_code',
  'BZ2File',
  'LZMAFile',
  'fdopen',
  'FileIO',
  'ZipFile',
  'GzipFile',
  'TemporaryFile',
  'NamedTemporaryFile',
  'SpooledTemporaryFile',
];

const callsOpener = callOf(WORDS);
const bindsOpener = bindingOf(WORDS);

function creation(call: Node, imports: ImportTable): Creation | null {
  const fn = field(call, 'function');
  const tail = calleeTail(call);
  if (!fn || !tail) return null;
  const made = { callee: `${calleeText(fn)}()` };
  if (fn.type === 'identifier') {
    if (fn.text === 'open' && !imports.isImported('open')) return made;
    const qualified = imports.resolve(fn);
    if (!qualified || !FILE_OPENERS.has(qualified)) return null;
    return ARCHIVES.has(qualified) && wrapsOpenFile(call) ? null : made;
  }
  if (fn.type !== 'attribute') return null;
  const qualified = imports.resolve(fn);
  if (qualified && FILE_OPENERS.has(qualified)) {
    return ARCHIVES.has(qualified) && wrapsOpenFile(call) ? null : made;
  }
  if (tail !== 'open') return null;
  // `path.open()`, `Path(p).open()`, `self.root.open()`, `zf.open(name)`, `fs.open(p)`: a file-like
  // handle. A module's `open` (webbrowser.open, os.open, Image.open) is something else; the file
  // openers among modules (io, gzip, shelve…) are listed in FILE_OPENERS.
  const receiver = field(fn, 'object');
  if (!receiver) return null;
  if (receiver.type === 'call') {
    const ctor = imports.resolve(field(receiver, 'function'));
    return ctor === 'pathlib.Path' || ctor === 'Path' || ctor === 'pathlib.PurePath' ? made : null;
  }
  // `self.open(url)` is the class's own method; `self.storage.open(name)` is a file.
  if (receiver.type === 'identifier' && NOT_FILE_RECEIVERS.has(receiver.text)) return null;
  if (receiver.type !== 'identifier' && receiver.type !== 'attribute') return null;
  const head = receiver.text.split('.')[0];
  if (imports.isImported(head)) return null;
  // A test client's open() (werkzeug/Django) returns a response, not a file.
  if (/client$/i.test(receiver.text)) return null;
  return made;
}

export const unclosedFile: Rule = {
  meta,
  trigger: {
    // A call of an opener; aliases and the file's own factories (`f = open_report()` after
    // `def open_report(): return open(...)`) come as fileWords.
    test: bindsOpener,
    fileWords: (facts) => creationWords(facts, WORDS, callsOpener),
  },
  check(context) {
    const kind: ResourceKind = { creation, closers: new Set(['close', '__exit__']), words: WORDS };
    for (const leak of findLeaks(context.root, context.imports, kind, context.source)) {
      context.report(leak.binding, {
        message: `File handle '${leak.name}' from ${leak.callee} ${leak.reason}.`,
        confidence: leak.partial ? 'medium' : 'high',
      });
    }
  },
};
