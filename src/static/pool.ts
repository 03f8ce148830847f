/**
 * Spreads files over worker threads, one parser per thread. Small jobs stay on the calling thread:
 * starting a worker and compiling the grammar costs more than parsing a few files.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyzeFile, type AnalyzeFileOptions, type AnalyzedFile } from './analyze-file.js';
import type { SourceFile } from './discover.js';
import { pythonParser } from './parse.js';
import type { WorkerTask } from './worker.js';

/** Below this many bytes to parse, threads cost more than they save. */
const IN_PROCESS_BYTES = 512 * 1024;
const IN_FLIGHT_PER_WORKER = 4;

export interface PoolOptions extends AnalyzeFileOptions {
  /** Worker threads; 0 analyses on this thread. Default: every core, when the job is big enough. */
  threads?: number;
}

export async function analyzeFiles(
  files: readonly SourceFile[],
  options: PoolOptions = {},
): Promise<AnalyzedFile[]> {
  const workerUrl = new URL('./worker.js', import.meta.url);
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const threads =
    options.threads ??
    (totalBytes < IN_PROCESS_BYTES || files.length < 4
      ? 0
      : Math.min(os.availableParallelism(), files.length));
  // Under a TypeScript test runner the compiled worker does not exist next to this file.
  if (threads === 0 || !existsSync(fileURLToPath(workerUrl))) {
    const parser = await pythonParser();
    return files.map((f) => analyzeFile(parser, f.abs, f.rel, options));
  }

  // Largest first, so no thread is left parsing one big file at the end.
  const order = [...files.keys()].sort((a, b) => files[b].size - files[a].size);
  const results = new Array<AnalyzedFile>(files.length);
  const workerData: AnalyzeFileOptions = {
    maxFileBytes: options.maxFileBytes,
    fullParse: options.fullParse,
  };
  const workers = Array.from({ length: threads }, () => new Worker(workerUrl, { workerData }));
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      if (files.length === 0) resolve();
      const feed = (worker: Worker) => {
        if (next >= order.length) return;
        const id = order[next++];
        const task: WorkerTask = { id, abs: files[id].abs, rel: files[id].rel };
        worker.postMessage(task);
      };
      for (const worker of workers) {
        worker.on('message', (message: { id: number; analyzed?: AnalyzedFile; error?: string }) => {
          if (message.error !== undefined) {
            reject(new Error(`analysing ${files[message.id].rel} failed: ${message.error}`));
            return;
          }
          results[message.id] = message.analyzed!;
          if (++done === files.length) resolve();
          else feed(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (done < files.length && code !== 0) reject(new Error(`a parser thread exited (${code})`));
        });
        for (let i = 0; i < IN_FLIGHT_PER_WORKER; i++) feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
