// bench/holders: what the held-by search (harness/heapgate_holders.py) costs on heaps of growing size: its
// start (the census) and stop (growth, what the growers keep, their paths) in seconds, and the peak RSS of
// the process, for a service keeping 10k, 100k and 1M more objects alive beside a module dict that leaks.
// Runs test/fixtures/holders/probe.py under Debian's Python with tracemalloc tracing 16 frames, as the
// attribution pass does. Prints figures; asserts nothing.
//   node bench/holders.js [--runs 3]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const probe = path.join(repo, 'test/fixtures/holders/probe.py');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `held-by search cost, medians of ${runs} runs (the machine may be shared: compare within one run)\n`,
);
console.log('objects kept   census s   stop s   objects seen   peak RSS    holder');
for (const ballast of [10_000, 100_000, 1_000_000]) {
  const starts = [];
  const stops = [];
  let last = null;
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const out = spawnSync('/usr/bin/time', ['-f', '%M', '/usr/bin/python3', probe, 'module_dict'], {
      env: {
        ...process.env,
        HEAPGATE_HARNESS: path.join(repo, 'harness'),
        HEAPGATE_PROBE_BALLAST: String(ballast),
      },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (out.status !== 0) throw new Error(out.stderr);
    last = JSON.parse(out.stdout);
    starts.push(last.start.seconds);
    stops.push(last.stop.seconds - last.start.seconds);
    rss = Math.max(rss, Number(out.stderr.trim().split('\n').at(-1)) * 1024);
  }
  console.log(
    `${String(ballast).padStart(13)}   ${median(starts).toFixed(2).padStart(8)}   ${median(stops).toFixed(2).padStart(6)}   ` +
      `${String(last.start.objects).padStart(12)}   ${(rss / 2 ** 20).toFixed(0).padStart(5)} MB    ${last.stop.holders[0]?.path ?? '-'}` +
      (last.stop.gaveUp ? ` (gave up: ${last.stop.gaveUp})` : ''),
  );
}
