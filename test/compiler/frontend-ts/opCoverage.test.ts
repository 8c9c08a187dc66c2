/**
 * Every prelude op called from a model file: the front end's conversion of
 * its arguments (tensors, lists, axes, shapes, options) gives the value the
 * eager run gives for the same call text.
 */
import { describe, expect, it } from 'vitest';
import * as prelude from 'gradc/prelude';
import { parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';
import { evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import { PRELUDE_OPS } from '../../../compiler/frontend/preludeOps.ts';
import { mismatches, seededRandom } from '../gradcheck.ts';

const CALLS = [
  'add(a, b)', 'sub(a, 2)', 'mul(s, a)', 'div(a, add(b, 3))', 'pow(add(a, 3), b)', 'neg(a)', 'atan2(a, b)', 'hypot(a, b)',
  'maximum(a, b)', 'minimum(a, s)', 'square(a)', 'clamp(a, -0.5, 0.5)',
  'exp(a)', 'log(add(a, 3))', 'log1p(add(a, 1.5))', 'expm1(a)', 'sqrt(add(a, 2))', 'cbrt(a)', 'sin(a)', 'cos(a)', 'tan(a)',
  'asin(mul(a, 0.5))', 'acos(mul(a, 0.5))', 'atan(a)', 'sinh(a)', 'cosh(a)', 'tanh(a)', 'asinh(a)', 'acosh(add(a, 2))',
  'atanh(mul(a, 0.5))', 'abs(a)', 'sign(a)', 'stopGradient(a)',
  'relu(a)', 'sigmoid(a)', 'softplus(a)', 'leakyRelu(a, 0.2)', 'leakyRelu(a)', 'elu(a)', 'elu(a, 0.5)', 'gelu(a)',
  'where(lt(a, b), a, b)', 'where(le(a, s), 1, b)', 'where(gt(a, 0), a, 0)', 'where(ge(a, b), s, a)',
  'where(eq(a, a), a, 0)', 'where(ne(a, b), a, 1)', 'where(and(gt(a, 0), lt(b, 0)), a, b)', 'where(or(gt(a, 0), not(lt(b, 0))), a, b)',
  'sum(a)', 'sum(a, 1)', 'sum(a, [0, 1])', 'sum(a, -1, true)', 'mean(a, 0)', 'mean(a)', 'max(a, 1)', 'max(a)', 'min(a)', 'min(a, 0, true)',
  'logsumexp(a, 1)', 'logsumexp(a)', 'norm(a, 0, true)', 'norm(v)',
  'matmul(a, m)', 'matmul(v, v)', 'matmul(v, m)', 'dot(v, v)', 'outer(v, v)', 'transpose(a)', 'transpose(a, [1, 0])',
  'softmax(a)', 'softmax(a, 0)', 'logSoftmax(a)', 'softmaxCrossEntropy(a, idx)', "softmaxCrossEntropy(a, idx, 'sum')", 'mse(a, b)', 'sigmoidBinaryCrossEntropy(a, where(gt(b, 0), 1, 0))',
  'reshape(a, [3, 2])', 'reshape(a, [6])', 'reshape(a, [a.shape[1], a.shape[0]])', 'broadcastTo(v, [2, 3])',
  'concat([a, b], 0)', 'concat([a, b], -1)', 'stack([v, v], 1)', 'stack([v, v])', 'slice(a, 1, 1, 3)', 'pad(a, 0, 1, 2)',
  'gather(m, idx)', 'gather(m, 2)', 'oneHot(idx, 3)', 'zeros([2, 2])', 'ones([3])', 'full([2], 1.5)',
  'arange(3)', 'mul(a, arange(a.shape[1]))', 'linspace(s, 2, 4)', 'linspace(-1, s, a.shape[1])',
  'lowerTriangular(v, 2)', 'packLowerTriangular(outer(v, v))', 'diagEmbed(a)', 'diagonal(outer(v, v))', 'diag(v)', 'diag(outer(v, v))',
  'tril(outer(v, v))', 'triu(outer(v, v))', 'triangularSolve(add(outer(v, v), diag(full([3], 2))), v, true)',
  'triangularSolve(add(outer(v, v), diag(full([3], 2))), m, false)', 'logDetTriangular(add(outer(v, v), diag(full([3], 2))))',
  'lgamma(add(a, 2))', 'lgamma(sub(a, 0.5))', 'digamma(add(a, 2))', 'trigamma(add(a, 2))', 'polygamma(2, add(a, 2))', 'polygamma(0, add(a, 2))',
  'polygamma(1, s)', 'multigammaln(add(a, 3), 3)', 'multigammaln(add(a, 2), 1)',
];

const PARAMS = 'a: Param<Tensor<[2, 3]>>, b: Tensor<[2, 3]>, v: Tensor<[3]>, m: Tensor<[3, 2]>, s: number, idx: Tensor<[2]>';
const NAMES = ['a', 'b', 'v', 'm', 's', 'idx'];

function values(seed: number): unknown[] {
  const rand = seededRandom(seed);
  const t = (shape: number[]) => prelude.tensor(Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rand() * 2 - 1), shape);
  return [t([2, 3]), t([2, 3]), t([3]), t([3, 2]), rand() - 0.5, prelude.tensor([2, 0], [2])];
}

const flat = (v: unknown): number[] => (typeof v === 'number' ? [v] : [...(v as prelude.Tensor).data]);
const opNames = Object.keys(PRELUDE_OPS);

describe('every prelude op through the front end', () => {
  it('is called by at least one case', () => {
    const called = new Set(CALLS.flatMap((c) => [...c.matchAll(/([a-zA-Z0-9]+)\(/g)].map((m) => m[1]!)));
    expect(opNames.filter((op) => !called.has(op))).toEqual([]);
  });

  for (const call of CALLS) {
    it(call, () => {
      const text = `import { ${opNames.join(', ')} } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\nexport function f(${PARAMS}) {\n  return ${call};\n}\n`;
      const [fn] = parseModelFile('ops.model.ts', { text }).functions;
      // The same call text run eagerly, with the prelude's functions in scope.
      const ops = opNames.map((op) => (prelude as Record<string, unknown>)[op]);
      const eager = new Function(...opNames, ...NAMES, `return (${call});`) as (...args: unknown[]) => unknown;
      const args = values(7);
      const want = flat(eager(...ops, ...args));
      const inputs = Object.fromEntries(NAMES.map((n, i) => [n, args[i] as number | prelude.Tensor]));
      const got = flat(evaluateTensors([fn!.output], inputs).get(fn!.output)!);
      expect(mismatches(got, want, { rtol: 1e-13, atol: 1e-14 })).toEqual([]);
    });
  }
});
