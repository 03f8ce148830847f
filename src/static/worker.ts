/** Worker thread: parses and analyses the files the pool hands it, one message per file. */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeFile, type AnalyzeFileOptions, type AnalyzedFile } from './analyze-file.js';
import { pythonParser } from './parse.js';

export interface WorkerTask {
  id: number;
  abs: string;
  rel: string;
}

/** One reply per task, in the order the tasks came: the result, or why analysing the file threw. */
export interface WorkerReply {
  id: number;
  analyzed?: AnalyzedFile;
  error?: string;
}

const options = workerData as AnalyzeFileOptions;
const port = parentPort!;
const parserReady = pythonParser();

port.on('message', (task: WorkerTask) => {
  void parserReady.then((parser) => {
    let reply: WorkerReply;
    try {
      reply = { id: task.id, analyzed: analyzeFile(parser, task.abs, task.rel, options) };
    } catch (error) {
      // The pool reports the file and replaces this thread: after an abort its parser is unusable.
      reply = { id: task.id, error: (error as Error).stack ?? String(error) };
    }
    port.postMessage(reply);
  });
});
