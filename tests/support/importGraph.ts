/**
 * The source's import graph, checked against the layer order docs/architecture.md draws: a module
 * imports only from its own folder or from layers below it, and no chain of imports comes back to
 * where it started (type-only imports count: they tie the modules' meanings together all the same).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The layers, lowest first, by folder under src/. Folders on one line share a rank and may not
 * import each other (the two transports, and the CLI beside them).
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['text'],
  ['cache'],
  ['feedback'],
  ['corpus'],
  ['ingest'],
  ['passages'],
  ['index'],
  ['semantic'],
  ['answers'],
  ['library'],
  ['engine'],
  ['runtime'],
  ['app'],
  ['store'],
  ['transports/gateway', 'transports/http', 'cli'],
];

/** Relative specifiers of `source`: static and dynamic imports, re-exports, and worker URLs. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)'(\.{1,2}\/[^']+)'/g)) found.push(match[1]!);
  return found;
}

/** The folder (layer name) of a module path relative to src/, e.g. "transports/http" or "engine". */
function layerOf(module: string): string {
  const parts = module.split('/');
  return parts[0] === 'transports' ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function rankOf(layer: string): number {
  return LAYERS.findIndex((layers) => layers.includes(layer));
}

/**
 * What is wrong with the graph of `modules` (source text by path relative to src/, e.g.
 * "app/router.ts"): imports of a folder not in LAYERS, upward or sideways imports, and cycles.
 */
export function importProblems(modules: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const edges = new Map<string, string[]>();
  for (const [module, source] of modules) {
    const targets: string[] = [];
    for (const specifier of specifiers(source)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(module), specifier)).replace(/\.js$/, '.ts');
      if (!modules.has(target)) continue;
      targets.push(target);
      const from = layerOf(module);
      const to = layerOf(target);
      if (rankOf(from) < 0) problems.push(`${module} is in a folder with no layer (add it to LAYERS)`);
      else if (from !== to && rankOf(to) >= rankOf(from)) problems.push(`${module} imports ${target}: ${to} is not below ${from}`);
    }
    edges.set(module, targets);
  }
  // Depth-first search: a module met again while still on the path closes a cycle.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (module: string): void => {
    state.set(module, 'open');
    stack.push(module);
    for (const target of edges.get(module) ?? []) {
      if (state.get(target) === 'open') problems.push(`import cycle: ${[...stack.slice(stack.indexOf(target)), target].join(' -> ')}`);
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(module, 'done');
  };
  for (const module of [...edges.keys()].sort()) if (!state.has(module)) visit(module);
  return problems;
}

/** Every .ts module under `srcDir`, by path relative to it. */
export function readModules(srcDir: string): Map<string, string> {
  const modules = new Map<string, string>();
  for (const entry of readdirSync(srcDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    modules.set(path.relative(srcDir, file).split(path.sep).join('/'), readFileSync(file, 'utf8'));
  }
  return modules;
}
