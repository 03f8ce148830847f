/**
 * The import graph of src/ and the rules it must keep (docs/architecture.md): no cycle between files, no
 * import against the flow table, no rule importing another rule. Pure functions over a graph, so the
 * test can also show them failing on a graph made to break them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import importFlow from '../../scripts/import-flow.json' with { type: 'json' };

/** Layers, and what each may import besides itself (scripts/import-flow.json, shared with eslint.config.js). */
export const FLOW: Readonly<Record<string, readonly string[]>> = importFlow.flow;

/** Files and folders of src/ that form the kernel. */
const KERNEL = new Set(importFlow.kernel);

/** The layer of a file, from its path relative to src/ (forward slashes). */
export function layerOf(file: string): string {
  const top = file.split('/')[0];
  return KERNEL.has(top) ? 'kernel' : top;
}

export type ImportGraph = Map<string, string[]>;

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/g;
const DYNAMIC = /import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every src/ file and the src/ files it imports (static, re-exports and dynamic import() alike). */
export function readImportGraph(srcDir: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const rel = path.relative(srcDir, full).split(path.sep).join('/');
        const text = readFileSync(full, 'utf8');
        const targets: string[] = [];
        for (const pattern of [IMPORT, DYNAMIC]) {
          for (const match of text.matchAll(pattern)) {
            const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), match[1]));
            targets.push(resolved.replace(/\.js$/, '.ts'));
          }
        }
        graph.set(rel, [...new Set(targets)]);
      }
    }
  };
  walk(srcDir);
  return graph;
}

/** Each cycle of files (a strongly connected component of more than one file, or a self-import). */
export function findCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return cycles;
}

/** Imports against the flow table: "from → to (layer → layer)". */
export function flowViolations(graph: ImportGraph, flow = FLOW): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(from);
    for (const to of targets) {
      const b = layerOf(to);
      if (a === b) continue;
      if (!(flow[a] ?? []).includes(b)) out.push(`${from} → ${to} (${a} may not import ${b})`);
    }
  }
  return out.sort();
}

/** A rule file importing another rule file (rules share semantics modules, never each other). */
export function ruleToRuleImports(graph: ImportGraph): string[] {
  const isRule = (f: string) => /^static\/rules\/[a-z]\d+-[a-z0-9-]+\.ts$/.test(f);
  const out: string[] = [];
  for (const [from, targets] of graph) {
    if (!isRule(from)) continue;
    for (const to of targets) if (isRule(to)) out.push(`${from} → ${to}`);
  }
  return out.sort();
}
