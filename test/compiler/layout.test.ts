/**
 * The compiler's layout: each top-level folder of compiler/ is one stage
 * (a top-level file is a node of its own), and data flows one way between
 * stages, so the folders' import graph has no cycle. A cycle is reported by
 * the folders on it and the import lines that close it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const COMPILER = resolve(dirname(fileURLToPath(import.meta.url)), '../../compiler');
/** The only files that may sit at the top of compiler/: entry points and what every stage shares. */
const TOP_LEVEL_FILES = ['cli.ts', 'config.ts', 'errors.ts', 'index.ts', 'version.ts'];

interface ImportLine {
  readonly from: string;
  readonly to: string;
  /** `file:line: specifier`, relative to compiler/. */
  readonly where: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The stage a file of compiler/ belongs to: its top-level folder, or the file itself. */
const stageOf = (file: string): string => {
  const [head, ...rest] = relative(COMPILER, file).split(sep);
  return rest.length === 0 ? head! : `${head}/`;
};

/** Every relative import (static, dynamic, type-only and re-export) that crosses from one stage to another. */
function crossStageImports(): ImportLine[] {
  return tsFiles(COMPILER).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    return importedFiles.flatMap(({ fileName, pos }) => {
      if (!fileName.startsWith('.')) return [];
      const target = resolve(dirname(file), fileName);
      if (relative(COMPILER, target).startsWith('..')) return [];
      const [from, to] = [stageOf(file), stageOf(target)];
      if (from === to) return [];
      const line = text.slice(0, pos).split('\n').length;
      return [{ from, to, where: `${relative(COMPILER, file)}:${line}: '${fileName}'` }];
    });
  });
}

/** Strongly connected components with more than one stage (Tarjan): each is a cycle or a knot of them. */
function stageCycles(edges: readonly ImportLine[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (!next.has(e.to)) next.set(e.to, new Set());
    next.get(e.from)!.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return components;
}

/** A shortest cycle through the first stage of a component, as the stages along it, first stage repeated at the end. */
function cycleThrough(component: readonly string[], edges: readonly ImportLine[]): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k]!;
    for (const e of edges) {
      if (e.from !== v || !inside.has(e.to) || cameFrom.has(e.to)) continue;
      cameFrom.set(e.to, v);
      if (e.to === start) break;
      queue.push(e.to);
    }
    if (cameFrom.has(start)) break;
  }
  const between: string[] = [];
  for (let v = cameFrom.get(start)!; v !== start; v = cameFrom.get(v)!) between.unshift(v);
  return [start, ...between, start];
}

/** A cycle as a reader fixes it: the stages around it, then the import lines behind each step (a few, and a count). */
function describeCycle(component: readonly string[], edges: readonly ImportLine[]): string {
  const path = cycleThrough(component, edges);
  const steps = path.slice(1).flatMap((to, k) => {
    const from = path[k]!;
    const lines = edges.filter((e) => e.from === from && e.to === to).map((e) => e.where);
    const more = lines.length > 3 ? [`    …and ${lines.length - 3} more`] : [];
    return [`  ${from} → ${to}:`, ...lines.slice(0, 3).map((l) => `    ${l}`), ...more];
  });
  return [`import cycle ${path.join(' → ')} (stages in one knot: ${component.join(', ')}):`, ...steps].join('\n');
}

describe('compiler layout', () => {
  it('has no import cycle between the top-level folders of compiler/', () => {
    const edges = crossStageImports();
    expect(edges.length).toBeGreaterThan(0);
    expect(stageCycles(edges).map((c) => describeCycle(c, edges))).toEqual([]);
  });

  it('keeps at most the five shared files at the top of compiler/', () => {
    const top = readdirSync(COMPILER).filter((name) => name.endsWith('.ts') && statSync(join(COMPILER, name)).isFile());
    expect(top.length).toBeLessThanOrEqual(5);
    expect(top.filter((name) => !TOP_LEVEL_FILES.includes(name))).toEqual([]);
  });

  it('finds a cycle and names the import lines that close it', () => {
    const edges: ImportLine[] = [
      { from: 'ir/', to: 'autodiff/', where: 'ir/ops/custom.ts:10: \'../../autodiff/forward.ts\'' },
      { from: 'autodiff/', to: 'ir/', where: 'autodiff/forward.ts:6: \'../ir/build.ts\'' },
      { from: 'autodiff/', to: 'errors.ts', where: 'autodiff/x.ts:1: \'../errors.ts\'' },
    ];
    const cycles = stageCycles(edges);
    expect(cycles).toEqual([['autodiff/', 'ir/']]);
    expect(describeCycle(cycles[0]!, edges)).toBe([
      'import cycle autodiff/ → ir/ → autodiff/ (stages in one knot: autodiff/, ir/):',
      '  autodiff/ → ir/:',
      '    autodiff/forward.ts:6: \'../ir/build.ts\'',
      '  ir/ → autodiff/:',
      '    ir/ops/custom.ts:10: \'../../autodiff/forward.ts\'',
    ].join('\n'));
  });
});
