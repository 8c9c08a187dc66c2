/**
 * Kernel buffers are named after the value they hold: the model variable
 * bound to it, `<name>Bar` for its adjoint, else the op; a reused buffer
 * takes each new value's name (a const alias per live range). Names are
 * recorded in ir/origin.ts's side table: first name wins, and a fresh
 * compilation starts from an empty table.
 */
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { add, input } from '../../compiler/ir/build.ts';
import { nameDerived, nameValue, valueNameOf, withFreshOrigins } from '../../compiler/ir/origin.ts';

const PATH = 'models/named.model.ts';
const TEXT = `import { add, matmul, mean, relu, softmaxCrossEntropy } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

export function loss(W1: Param<Tensor<[4, 5]>>, b1: Param<Tensor<[5]>>, W2: Param<Tensor<[5, 3]>>, X: Tensor<['batch', 4]>, labels: Tensor<['batch']>): number {
  const hidden = relu(add(matmul(X, W1), b1));
  const scores = matmul(hidden, W2);
  return softmaxCrossEntropy(scores, labels);
}
`;

describe('value names', () => {
  it('first name wins, derived names add a suffix, a fresh compilation forgets them', () => {
    withFreshOrigins(() => {
      const x = input('x', [3]);
      const y = add(x, x);
      nameValue(y, 'first');
      nameValue(y, 'second');
      expect(valueNameOf(y)).toBe('first');
      const bar = add(y, y);
      nameDerived(y, bar, 'Bar');
      expect(valueNameOf(bar)).toBe('firstBar');
      nameValue(x, 'inputsKeepTheirOwnName');
      expect(valueNameOf(x)).toBeUndefined();
      withFreshOrigins(() => expect(valueNameOf(y)).toBeUndefined());
    });
  });

  it('a compiled model names buffers after its variables and their adjoints', () => {
    const code = compileModelFile(PATH, { text: TEXT }).files[0]!.content;
    const gradient = code.slice(code.indexOf('function lossValueAndGradientKernel('));
    expect(gradient).toMatch(/\bconst hidden = /);
    expect(gradient).toMatch(/\bconst scoresBar = /);
    expect(gradient).toMatch(/\bhiddenBar\b/);
    // Compiling again gives the same text: the name table is per compilation.
    expect(compileModelFile(PATH, { text: TEXT }).files[0]!.content).toBe(code);
  });
});
