/**
 * Loop bodies are graphs of their own, out of reach of the passes that walk
 * the program: this pass runs the whole pipeline on each scan's body (once
 * per body) and rebuilds the scan over the optimized body. Derived bodies
 * (the VJP and JVP of a step) need it most: they are built mechanically.
 */
import type { ApplyNode } from '../ir/node.ts';
import type { Program } from '../ir/program.ts';
import { bodyOf, bodyRoots, internBody } from '../ir/scanBody.ts';
import type { ScanBody } from '../ir/scanBody.ts';
import { loopAttrs, scanNode } from '../ir/scanNode.ts';
import type { ScanPart } from '../ir/scanNode.ts';
import { optimize } from './pipeline.ts';
import type { OptimizeOptions } from './pipeline.ts';
import { rewriteProgram } from './rewrite.ts';
import type { RewriteNote, RewriteResult } from './rewrite.ts';

function optimizeBody(b: ScanBody, options: OptimizeOptions, notes: RewriteNote[]): ScanBody {
  const roots = bodyRoots(b);
  const inputs = [...b.carries, ...b.sequences, ...b.closures, ...(b.index === null ? [] : [b.index])];
  // IR dumps show the program's passes, not every body's.
  const { dump: _dump, ...rest } = options;
  const result = optimize({ inputs, outputs: roots.map((node, i) => ({ name: `r${i}`, node })) }, rest);
  for (const note of result.notes) notes.push(note);
  const out = result.program.outputs.map((o) => o.node);
  if (out.every((n, i) => n === roots[i])) return b;
  const [nc, ny] = [b.next.length, b.outputs.length];
  return internBody({ ...b, next: out.slice(0, nc), outputs: out.slice(nc, nc + ny), cond: b.cond === null ? null : out[nc + ny]! });
}

export function optimizeLoopBodies(prog: Program, options: OptimizeOptions = {}): RewriteResult {
  const notes: RewriteNote[] = [];
  const done = new Map<string, ScanBody>();
  const result = rewriteProgram(prog, [
    {
      name: 'scan(body) → scan(optimized body)',
      exactness: 'exact',
      apply(node: ApplyNode) {
        if (node.op !== 'scan') return null;
        const key = node.attrs['body'] as string;
        let body = done.get(key);
        if (body === undefined) {
          body = optimizeBody(bodyOf(key), options, notes);
          done.set(key, body);
          // An optimized body is its own fixed point.
          done.set(body.key, body);
        }
        if (body.key === key) return null;
        return scanNode({ ...loopAttrs(node.attrs), body: body.key }, node.inputs, node.attrs['part'] as ScanPart, node.attrs['index'] as number);
      },
    },
  ]);
  return { program: result.program, notes: [...notes, ...result.notes] };
}
