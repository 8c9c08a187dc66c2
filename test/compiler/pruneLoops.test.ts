/**
 * Dead loop parts, per kernel (compiler/emit/loops/pruneLoops.ts). The loop
 * carries `h` and a running `total` that only the loss reads: no cotangent
 * and no tangent of `h` depends on `total`, so the gradient's tape keeps no
 * history of it, and a kernel that needs only tangents runs no primal
 * `total` at all. Pruned graphs verify, evaluate to the very same values as
 * the graphs they replace, and the compiled kernels match both.
 */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../compiler/api/compileModel.ts';
import { pruneLoops } from '../../compiler/emit/loops/pruneLoops.ts';
import { tapeReport } from '../../compiler/emit/loops/tape.ts';
import { add, div, input, mul } from '../../compiler/ir/build.ts';
import { matmul, sum } from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import { tanh } from '../../compiler/frontend/builders/nn.ts';
import type { ApplyNode, Node } from '../../compiler/ir/node.ts';
import { topoSort } from '../../compiler/ir/program.ts';
import { scan } from '../../compiler/ir/scan.ts';
import type { LoopOptions } from '../../compiler/ir/scan.ts';
import { scanInfo } from '../../compiler/ir/scanNode.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import { verify } from '../../compiler/ir/verify.ts';
import { seededRandom } from './gradcheck.ts';

type Kernel = (...args: unknown[]) => unknown;
const T = 6;

function accumulating(options: LoopOptions = {}) {
  const W = input('W', [3, 3]);
  const h0 = input('h0', [1, 3]);
  const scale = input('scale', []);
  const xs = input('xs', [T, 1, 3]);
  const run = scan({
    init: { h: h0, total: input('total0', []) },
    sequences: { x: xs },
    step: ({ h, total }, { x }) => {
      const next = tanh(add(matmul(h!, W), x!));
      return { carry: { h: next, total: add(total!, div(sum(mul(next, next)), scale)) } };
    },
    ...options,
  });
  const loss = add(run.carry['total']!, sum(run.carry['h']!));
  return compileModel({ inputs: [W, h0, input('total0', []), scale, xs], loss, wrt: [W, h0] });
}

const random = seededRandom(7);
const fill = (n: number) => Float64Array.from({ length: n }, () => 2 * random() - 1);
const point = { W: fill(9), h0: fill(3), total0: 0.25, scale: 1.5, xs: fill(T * 3), WDot: fill(9), h0Dot: fill(3) };
const shapes: Record<string, number[]> = { W: [3, 3], h0: [1, 3], xs: [T, 1, 3], WDot: [3, 3], h0Dot: [1, 3] };
const values = Object.fromEntries(
  Object.entries(point).map(([k, v]) => [k, typeof v === 'number' ? v : tensor(shapes[k]!, Array.from(v))]),
);

const evaluated = (roots: readonly Node[]): number[][] => {
  const got = evaluateTensors(roots, values);
  return roots.map((r) => Array.from(got.get(r)!.data));
};

/** The carries of every loop the graph runs, by their names. */
const carriedNames = (roots: readonly Node[]): string[][] =>
  topoSort(roots)
    .filter((n): n is ApplyNode => n.op === 'scan')
    .map((n) => scanInfo(n).bodyDef.hints.carries.slice());

describe('pruneLoops', () => {
  const model = accumulating();
  const d = model.derivatives;

  it('keeps no history of a carry the backward sweep does not read', () => {
    const roots = [d.value, ...d.gradient];
    // h: T rows of 3; total, before pruning, T rows more.
    expect(tapeReport(roots).fullElements).toBe(T * 3);
    expect(topoSort(roots).filter((n) => n.op === 'scan' && n.attrs['part'] === 'history')).toHaveLength(2);
    expect(topoSort(pruneLoops(roots).roots).filter((n) => n.op === 'scan' && n.attrs['part'] === 'history')).toHaveLength(1);
  });

  it('runs no primal total in a kernel that needs only tangents', () => {
    expect(carriedNames([d.jvp]).flat()).toContain('total');
    const pruned = carriedNames(pruneLoops([d.jvp]).roots);
    expect(pruned.flat()).not.toContain('total');
    expect(pruned.flat()).toContain('hDot');
    expect(carriedNames(pruneLoops(d.hvp).roots).flat()).not.toContain('total');
  });

  it('gives graphs that verify and evaluate to the very same values', () => {
    for (const roots of [[d.value, ...d.gradient], [d.jvp], [...d.hvp]]) {
      const pruned = pruneLoops(roots).roots;
      verify({ inputs: [...d.inputs, ...d.tangents], outputs: pruned.map((node, i) => ({ name: `r${i}`, node })) });
      expect(evaluated(pruned)).toEqual(evaluated(roots));
    }
  });

  it.each<[string, LoopOptions]>([
    ['a full tape', {}],
    ['checkpoints every 2 steps', { checkpoint: 2 }],
    ['a halving stack', { checkpoint: 'log' }],
    ['truncation every 2 steps', { truncate: 2 }],
  ])('compiled kernels with %s match the reference evaluation of the unpruned graph', (_, options) => {
    const m = accumulating(options);
    const k = (name: string) => m.kernels[name] as Kernel;
    const args = m.derivatives.inputs.map((x) => point[x.name as keyof typeof point]);
    const grad = new Float64Array(m.size);
    const value = k('valueAndGradient')(...args, grad) as number;
    const jvp = k('jvp')(...args, point.WDot, point.h0Dot) as number;
    const hvp = k('hvp')(...args, point.WDot, point.h0Dot, new Float64Array(m.size)) as Float64Array;
    const md = m.derivatives;
    const [[v], ...g] = evaluated([md.value, ...md.gradient]);
    expect(value).toBeCloseTo(v!, 12);
    Array.from(grad).forEach((x, i) => expect(x).toBeCloseTo(g.flat()[i]!, 12));
    expect(jvp).toBeCloseTo(evaluated([md.jvp])[0]![0]!, 12);
    Array.from(hvp).forEach((x, i) => expect(x).toBeCloseTo(evaluated(md.hvp).flat()[i]!, 12));
  });
});
