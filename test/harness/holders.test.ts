/**
 * The shim's held-by search (harness/heapgate_holders.py, heapgate_paths.py) run on its own under Debian's
 * Python: one leak per kind of holder (test/fixtures/holders/leaks.py), each named by its path from a root,
 * with its growth per iteration and the line that puts entries in; a bounded twin names nothing; a search
 * out of time says where it stopped.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { DEBIAN_PYTHON } from '../helpers/soak.js';

const run = promisify(execFile);
const PROBE = path.join(REPO, 'test/fixtures/holders/probe.py');

interface Holder {
  path: string | null;
  type: string;
  entriesPerIteration: number;
  bytesPerIteration: number;
  addedAt: { file: string; line: number; project: boolean } | null;
}
interface Reply {
  start: { objects: number; gaveUp?: string };
  stop: { holders: Holder[]; grownTypes: { type: string; perIteration: number }[]; gaveUp?: string };
}

async function probe(leak: string, env: Record<string, string> = {}): Promise<Reply> {
  const { stdout } = await run(DEBIAN_PYTHON, [PROBE, leak], {
    cwd: path.dirname(PROBE),
    env: { ...process.env, HEAPGATE_HARNESS: path.join(REPO, 'harness'), ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Reply;
}

/** The line of leaks.py that holds `text`. */
async function lineOf(text: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(path.join(REPO, 'test/fixtures/holders/leaks.py'), 'utf8')).split('\n');
  const index = lines.findIndex((l) => l.includes(text));
  expect(index, text).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe('the held-by search', () => {
  it.each([
    ['module_dict', 'leaks.store', 'dict', 1, 'store["k%d" % i] = [i] * 50'],
    ['instance_attribute', 'leaks.controller._cache', 'dict', 1, 'self._cache["k%d" % i]'],
    ['closure', '<cell seen of make_handler.<locals>.handler()>', 'collections.deque', 1, 'seen.append('],
    ['registry', 'leaks.Session.instances', 'list', 1, 'Session(i)'],
    ['logger', 'logging.Logger.manager.loggerDict', 'dict', 1, 'logging.getLogger("orders.%d"'],
    // Each raise of the kept exception adds its two frames (reserve() and its caller) to the chain.
    ['kept_exception', 'leaks.SOLD_OUT.__traceback__', 'traceback', 2, 'raise SOLD_OUT'],
    ['unique_warning', 'leaks.__warningregistry__', 'dict', 1, 'warnings.warn('],
    ['prometheus', 'leaks.REQUESTS._metrics', 'dict', 1, 'REQUESTS.labels('],
  ])('names %s as %s', async (leak, holderPath, type, perIteration, line) => {
    const { stop } = await probe(leak);
    expect(stop.gaveUp).toBeUndefined();
    const [top] = stop.holders;
    expect(top).toMatchObject({ path: holderPath, type, entriesPerIteration: perIteration });
    // What each entry keeps: at least the entry's own slot, at most a few KB.
    expect(top.bytesPerIteration).toBeGreaterThan(20);
    expect(top.bytesPerIteration).toBeLessThan(4096);
    expect(top.addedAt).toMatchObject({ line: await lineOf(line), project: true });
    expect(path.basename(top.addedAt!.file)).toBe('leaks.py');
  });

  it('names nothing for a bounded twin', async () => {
    const { stop } = await probe('bounded');
    expect(stop.holders).toEqual([]);
    expect(stop.gaveUp).toBeUndefined();
  });

  it('counts the types that grew', async () => {
    const { stop } = await probe('registry');
    expect(stop.grownTypes).toContainEqual({ type: 'leaks.Session', perIteration: 1 });
  });

  it('says where it stopped when out of time, and still answers', async () => {
    const { start, stop } = await probe('module_dict', {
      // Big enough that the first pass over it takes several times the 0.1 s floor of the budget on a fast
      // machine too (0.6 s here; 200,000 objects took 0.17 s here and finished in time on CI's machine).
      HEAPGATE_PROBE_BALLAST: '1500000',
      HEAPGATE_PROBE_BUDGET_MS: '1',
    });
    expect(start.objects).toBeGreaterThan(1_500_000);
    expect(start.gaveUp ?? stop.gaveUp).toMatch(/^out of time \(0\.1 s\)/);
    // It still answers: what it measured before the deadline (how much depends on the machine's speed).
    expect(Array.isArray(stop.holders)).toBe(true);
  });
});
