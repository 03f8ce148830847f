/** Worker thread: parses and analyses the files the pool hands it, one message per file. */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeFile, type AnalyzeFileOptions } from './analyze-file.js';
import { pythonParser } from './parse.js';

export interface WorkerTask {
  id: number;
  abs: string;
  rel: string;
}

const options = workerData as AnalyzeFileOptions;
const port = parentPort!;
const parserReady = pythonParser();

port.on('message', (task: WorkerTask) => {
  void parserReady.then((parser) => {
    try {
      port.postMessage({ id: task.id, analyzed: analyzeFile(parser, task.abs, task.rel, options) });
    } catch (error) {
      port.postMessage({ id: task.id, error: (error as Error).stack ?? String(error) });
    }
  });
});
