/**
 * How often one function runs: a walk from the function up through its callers (uses.ts) until each path
 * meets an entry point — a route the engine extracted, a decorator or class that makes it a handler, a
 * task or a job (entries.ts), a service loop, a registration with a framework, a start-up hook or an
 * import-time call. Any repeated entry makes the function `repeated`; else any run-once one makes it
 * `once`; a path that meets nothing leaves it `unknown`. The walk is bounded (depth, functions visited),
 * so a large project costs a bounded amount per flagged function.
 */
import type { Route } from '../../model/static.js';
import { defEntry, isOnceName } from './entries.js';
import { definitions, type Outline } from './outline.js';
import type { ProjectView } from './project.js';
import { usesOf, type FunctionRef, type Use } from './uses.js';

export interface Reach {
  frequency: 'repeated' | 'once' | 'unknown';
  /** Repeated entries (or, for `once`, the run-once ones), each with the calls in between. */
  from: string[];
}

/** Callers followed from the flagged function: deeper chains are rarely right and cost the most. */
const MAX_DEPTH = 6;
const MAX_VISITED = 24;
/** How many entry points a finding names. */
const MAX_SHOWN = 3;

interface Step {
  ref: FunctionRef;
  /** The functions from this one down to the flagged one, this one first. */
  chain: string[];
  /** Set when this function hands out the one below it (`return wrapper`): its decorated defs run it. */
  handsOut: boolean;
}

/** Routes by `file:function` of their handler (a class view's methods match by its class too). */
export function routesByHandler(routes: readonly Route[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const route of routes) {
    const key = `${route.handler.file}:${route.handler.function}`;
    const label = `${route.method === '*' ? 'ANY' : route.method} ${route.path.startsWith('/') ? '' : '/'}${route.path}`;
    const list = out.get(key) ?? [];
    if (!list.includes(label)) list.push(label);
    out.set(key, list);
  }
  return out;
}

function via(label: string, chain: readonly string[]): string {
  return chain.length ? `${label} via ${chain.map((c) => `${c}()`).join(' → ')}` : label;
}

export class ReachFinder {
  private readonly memo = new Map<string, Reach>();
  private readonly uses = new Map<string, Use[]>();

  constructor(
    private readonly view: ProjectView,
    private readonly routes: ReadonlyMap<string, string[]>,
  ) {}

  /** How often `qual` (a def's qualified name in `file`) runs; null when the file has no such def. */
  reach(file: string, qual: string): Reach | null {
    const key = `${file}:${qual}`;
    const known = this.memo.get(key);
    if (known) return known;
    const outline = this.view.outline(file);
    const line = outline ? definitions(outline).get(qual) : undefined;
    if (!outline || line === undefined) return null;
    const reach = this.walk({ file, line, qual });
    this.memo.set(key, reach);
    return reach;
  }

  private usesOf(ref: FunctionRef): Use[] {
    const key = `${ref.file}:${ref.line}`;
    let uses = this.uses.get(key);
    if (!uses) this.uses.set(key, (uses = usesOf(this.view, ref)));
    return uses;
  }

  private walk(start: FunctionRef): Reach {
    const repeated: string[] = [];
    const once: string[] = [];
    const seen = new Set<string>();
    const queue: Step[] = [{ ref: start, chain: [], handsOut: false }];
    while (queue.length && seen.size < MAX_VISITED) {
      const step = queue.shift()!;
      const { ref } = step;
      const key = `${ref.file}:${ref.line}:${step.handsOut}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const outline = this.view.outline(ref.file);
      if (!outline) continue;
      const below = step.chain;
      const name = ref.qual.split('.').pop() ?? ref.qual;
      const routes = this.routeLabels(ref);
      if (routes.length && !step.handsOut) {
        for (const label of routes) repeated.push(via(label, [ref.qual, ...below]));
        continue;
      }
      const entry = step.handsOut ? null : defEntry(outline, ref.line, this.view.importedRoots(ref.file));
      if (entry && entry.frequency !== 'test') {
        (entry.frequency === 'repeated' ? repeated : once).push(via(entry.label, below));
        continue;
      }
      if (entry) continue; // a pytest fixture in service code: nothing a service runs
      if (!step.handsOut && isOnceName(name)) {
        once.push(via(`${ref.qual}()`, below));
        continue;
      }
      if (below.length >= MAX_DEPTH) continue;
      const chain = [ref.qual, ...below];
      for (const use of this.usesOf(ref)) this.follow(use, step, chain, outline, queue, repeated, once);
    }
    const shown = (list: string[]) => [...new Set(list)].slice(0, MAX_SHOWN);
    if (repeated.length) return { frequency: 'repeated', from: shown(repeated) };
    if (once.length) return { frequency: 'once', from: shown(once) };
    return { frequency: 'unknown', from: [] };
  }

  private follow(
    use: Use,
    step: Step,
    chain: string[],
    outline: Outline,
    queue: Step[],
    repeated: string[],
    once: string[],
  ): void {
    void outline;
    switch (use.kind) {
      case 'caller':
        queue.push({ ref: use.caller, chain, handsOut: use.returned });
        return;
      case 'loop':
        repeated.push(via(use.loop, chain));
        return;
      case 'registration':
        (use.frequency === 'repeated' ? repeated : once).push(via(use.label, chain));
        return;
      case 'import':
        once.push(via(use.label, chain));
        return;
      case 'decorates':
        // A decorator runs once, at import; the wrapper it hands out runs whenever the decorated def does.
        if (step.handsOut) queue.push({ ref: use.decorated, chain: chain.slice(1), handsOut: false });
        else once.push(via(`decorator at ${use.file}:${use.line}, run at import`, chain));
        return;
    }
  }

  private routeLabels(ref: FunctionRef): string[] {
    const own = this.routes.get(`${ref.file}:${ref.qual}`);
    if (own) return own;
    // A class-based view's route names the class: its methods are the handlers.
    const dot = ref.qual.lastIndexOf('.');
    return dot === -1 ? [] : (this.routes.get(`${ref.file}:${ref.qual.slice(0, dot)}`) ?? []);
  }
}
