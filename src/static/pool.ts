/**
 * Spreads files over worker threads, one parser per thread, with a guard per file: a file whose
 * analysis runs past the time limit, exhausts the parser's memory (web-tree-sitter's wasm module aborts)
 * or kills its thread is reported as not fully analysed (an `analysis-limit` problem) and its thread
 * replaced; every other file's findings are kept. Small jobs stay on the calling thread (starting a
 * worker and compiling the grammar costs more than parsing a few files), except files big enough to
 * threaten the run, which always get a guarded thread.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileResult, Problem } from '../model/static.js';
import { analyzeFile, type AnalyzeFileOptions, type AnalyzedFile } from './analyze-file.js';
import type { SourceFile } from './discover.js';
import { pythonParser } from './parse.js';
import type { WorkerReply, WorkerTask } from './worker.js';

/** Below this many bytes to parse, threads cost more than they save. */
const IN_PROCESS_BYTES = 512 * 1024;
/** A file this big is parsed on a guarded thread even when the rest stays on the calling thread. */
const GUARDED_FILE_BYTES = 4 * 1024 * 1024;
const IN_FLIGHT_PER_WORKER = 4;
export const DEFAULT_FILE_TIMEOUT_MS = 60_000;

export interface PoolOptions extends AnalyzeFileOptions {
  /** Worker threads; 0 analyses on this thread. Default: every core, when the job is big enough. */
  threads?: number;
  /** How long one file's analysis may take on a worker thread (default 60 s). */
  fileTimeoutMs?: number;
}

export async function analyzeFiles(
  files: readonly SourceFile[],
  options: PoolOptions = {},
): Promise<AnalyzedFile[]> {
  const workerUrl = new URL('./worker.js', import.meta.url);
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  // Under a TypeScript test runner the compiled worker does not exist next to this file.
  const canThread = existsSync(fileURLToPath(workerUrl));
  const threads =
    options.threads ??
    (totalBytes < IN_PROCESS_BYTES || files.length < 4
      ? 0
      : Math.min(os.availableParallelism(), files.length));
  const results = new Array<AnalyzedFile>(files.length);
  const inline: number[] = [];
  const guarded: number[] = [];
  files.forEach((file, i) => {
    if (canThread && (threads > 0 || file.size > GUARDED_FILE_BYTES)) guarded.push(i);
    else inline.push(i);
  });
  if (inline.length) {
    const parser = await pythonParser();
    for (const i of inline) results[i] = analyzeInline(parser, files[i], options);
  }
  if (guarded.length) {
    const analyzed = await analyzeGuarded(
      guarded.map((i) => files[i]),
      workerUrl,
      Math.max(1, Math.min(threads, guarded.length)),
      options,
    );
    guarded.forEach((i, j) => (results[i] = analyzed[j]));
  }
  return results;
}

/** On the calling thread: an exception is the file's problem, not the run's. */
function analyzeInline(
  parser: Awaited<ReturnType<typeof pythonParser>>,
  file: SourceFile,
  options: AnalyzeFileOptions,
): AnalyzedFile {
  try {
    return analyzeFile(parser, file.abs, file.rel, options);
  } catch (error) {
    return notAnalysed(file, guardProblem(file, (error as Error).message));
  }
}

function notAnalysed(file: SourceFile, problem: Problem): AnalyzedFile {
  const result: FileResult = { file: file.rel, findings: [], suppressed: 0, routes: [], problems: [problem] };
  // No hash: a guard's verdict depends on the machine and its load, so it is not cached.
  return { result, hash: null };
}

function guardProblem(file: SourceFile, why: string): Problem {
  const memory = /Aborted|out of memory|memory access|Array buffer allocation|ERR_WORKER_OUT_OF_MEMORY/i.test(
    why,
  );
  return {
    kind: memory ? 'analysis-limit' : 'internal-error',
    file: file.rel,
    message: memory
      ? `ran the parser out of memory (${(file.size / 1048576).toFixed(1)} MB); not analysed`
      : `analysis failed (${why.split('\n')[0]}); not analysed`,
  };
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${+(ms / 1000).toFixed(1)} s`;
}

interface Slot {
  worker: Worker;
  /** Files sent and not answered, oldest first: a worker answers in order, so [0] is the running one. */
  inFlight: number[];
  timer: NodeJS.Timeout | null;
}

/** The guarded pool: see the module comment. Results in the order of `files`. */
export function analyzeGuarded(
  files: readonly SourceFile[],
  workerUrl: URL,
  threads: number,
  options: PoolOptions,
): Promise<AnalyzedFile[]> {
  const timeoutMs = options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
  const workerData: AnalyzeFileOptions = { maxFileBytes: options.maxFileBytes, fullParse: options.fullParse };
  const results = new Array<AnalyzedFile>(files.length);
  // Largest first, so no thread is left parsing one big file at the end.
  const queue = [...files.keys()].sort((a, b) => files[b].size - files[a].size);
  const slots = new Set<Slot>();
  let done = 0;

  return new Promise<AnalyzedFile[]>((resolve, reject) => {
    const finish = () => {
      for (const slot of slots) retire(slot);
      resolve(results);
    };
    const retire = (slot: Slot) => {
      if (slot.timer) clearTimeout(slot.timer);
      slots.delete(slot);
      slot.worker.removeAllListeners();
      slot.worker.on('error', () => {});
      void slot.worker.terminate();
    };
    const arm = (slot: Slot) => {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      if (!slot.inFlight.length) return;
      slot.timer = setTimeout(() => {
        fail(slot, (file) => ({
          kind: 'analysis-limit',
          file: file.rel,
          message: `analysis took longer than ${formatSeconds(timeoutMs)} (--file-timeout); not analysed`,
        }));
      }, timeoutMs);
    };
    const record = (id: number, analyzed: AnalyzedFile) => {
      results[id] = analyzed;
      if (++done === files.length) finish();
    };
    /** The running file failed: report it, put the others back, replace the thread. */
    const fail = (slot: Slot, problem: (file: SourceFile) => Problem) => {
      if (!slots.has(slot)) return;
      const [id, ...rest] = slot.inFlight;
      retire(slot);
      if (id === undefined) {
        // Nothing was running: the thread itself cannot start, and a new one would not either.
        reject(new Error(`a parser thread failed: ${problem(files[0]).message}`));
        return;
      }
      queue.unshift(...rest);
      record(id, notAnalysed(files[id], problem(files[id])));
      if (done < files.length) feed(start());
    };
    const feed = (slot: Slot) => {
      while (slot.inFlight.length < IN_FLIGHT_PER_WORKER && queue.length) {
        const id = queue.shift()!;
        const task: WorkerTask = { id, abs: files[id].abs, rel: files[id].rel };
        slot.inFlight.push(id);
        slot.worker.postMessage(task);
      }
      if (slot.inFlight.length === 1 || !slot.timer) arm(slot);
    };
    const start = (): Slot => {
      const slot: Slot = { worker: new Worker(workerUrl, { workerData }), inFlight: [], timer: null };
      slots.add(slot);
      slot.worker.on('message', (reply: WorkerReply) => {
        if (reply.id !== slot.inFlight[0]) {
          reject(new Error(`a parser thread answered out of order (${reply.id})`));
          return;
        }
        if (reply.error !== undefined) {
          const why = reply.error;
          fail(slot, (file) => guardProblem(file, why));
          return;
        }
        slot.inFlight.shift();
        arm(slot);
        record(reply.id, reply.analyzed!);
        if (done < files.length) feed(slot);
      });
      slot.worker.on('error', (error: NodeJS.ErrnoException) => {
        fail(slot, (file) => guardProblem(file, `${error.code ?? ''} ${error.message}`));
      });
      slot.worker.on('exit', (code) => {
        fail(slot, (file) => guardProblem(file, `its thread exited (${code})`));
      });
      return slot;
    };
    if (!files.length) return resolve(results);
    for (let i = 0; i < threads; i++) feed(start());
  });
}
