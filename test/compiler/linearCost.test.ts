/**
 * Reverse mode must merge paths at nodes, never enumerate them: in
 * y ← y·y + sin(y), repeated `depth` times, the number of paths from x to the
 * output doubles at every level, yet derivative graphs and emitted code grow
 * linearly with depth. Asserted on counts, not time.
 */
import { describe, expect, it } from 'vitest';
import { derive } from '../../compiler/autodiff/derive.ts';
import { emitModelModule } from '../../compiler/module/emitModelModule.ts';
import { add, apply, input, mul } from '../../compiler/ir/build.ts';
import type { Node } from '../../compiler/ir/node.ts';
import { topoSort } from '../../compiler/ir/program.ts';

function measure(depth: number) {
  const x = input('x');
  let y: Node = x;
  for (let i = 0; i < depth; i++) y = add(mul(y, y), apply('sin', y));
  const d = derive({ inputs: [x], outputs: [{ name: 'f', node: y }] }, ['x']);
  return {
    gradientNodes: topoSort(d.gradient).length,
    hvpNodes: topoSort(d.hvp).length,
    hessianNodes: topoSort(d.hessian!.flat()).length,
    emitted: emitModelModule(
      { path: 'a deep chain', functions: [{ name: 'f', params: [x], output: y, wrt: [x], origin: { file: 'a deep chain', line: 1, column: 1, text: '' } }] },
      { emit: ['value', 'gradient', 'jvp', 'hvp', 'hessian'], twin: false },
    ).length,
  };
}

describe('linear cost in graph depth', () => {
  const small = measure(100);
  const large = measure(200);

  it('keeps the gradient graph linear in depth (100 levels: 2^100 paths)', () => {
    // About 8 nodes per level: the primal's 3 plus the adjoint's sums and products.
    expect(small.gradientNodes).toBeLessThan(10 * 100);
    expect(large.gradientNodes / small.gradientNodes).toBeLessThan(2.05);
  });

  it('keeps Hessian-vector products and Hessians linear in depth', () => {
    expect(small.hvpNodes).toBeLessThan(25 * 100);
    expect(large.hvpNodes / small.hvpNodes).toBeLessThan(2.05);
    expect(large.hessianNodes / small.hessianNodes).toBeLessThan(2.05);
  });

  it('keeps the emitted module linear in depth', () => {
    expect(small.emitted).toBeLessThan(1200 * 100);
    expect(large.emitted / small.emitted).toBeLessThan(2.1);
  });
});
