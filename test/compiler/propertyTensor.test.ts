/**
 * Property tests over random tensor-shaped programs (fast-check, fixed
 * seeds): scalars, vectors and matrices broadcast against each other
 * (constants of every broadcast shape included, where x * ones[3] → x used
 * to drop the broadcast), reductions over chosen axes with and without
 * keepDims, slices, reshapes, matrix products where the shapes allow, and
 * elementwise ops smooth and not. Properties: the optimized program computes
 * what the unoptimized one does, with the same output shape (bit for bit
 * when only exact rules run); compiled kernels equal the reference
 * evaluation of the unoptimized IR and its gradient; and the gradient
 * matches central finite differences wherever those are reliable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileModel } from '../../compiler/api/compileModel.ts';
import { add, apply, constant, gt, input, mul, select, sub } from '../../compiler/ir/build.ts';
import { matmul, reduce, reshape, slice, sum } from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import type { Program } from '../../compiler/ir/program.ts';
import type { Shape } from '../../compiler/ir/shape.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { optimize } from '../../compiler/passes/pipeline.ts';
import { printProgram } from '../../compiler/ir/print.ts';
import { along, differentiate, dot, maxAbs, mismatches, seededRandom } from './gradcheck.ts';

type Key = '' | '2' | '3' | '2,3' | '2,1';
const SHAPE: Readonly<Record<Key, Shape>> = { '': [], '2': [2], '3': [3], '2,3': [2, 3], '2,1': [2, 1] };
/** The shapes that broadcast to each shape (the operands an elementwise op of that shape may have). */
const OPERANDS: Readonly<Record<Key, readonly Key[]>> = { '': [''], '2': ['', '2'], '3': ['', '3'], '2,3': ['', '3', '2,3', '2,1'], '2,1': ['', '2,1'] };

const INPUTS: readonly InputNode[] = [input('s'), input('r', [2]), input('c', [3]), input('m', [2, 3])];
const INPUT_OF: Partial<Record<Key, InputNode>> = { '': INPUTS[0]!, '2': INPUTS[1]!, '3': INPUTS[2]!, '2,3': INPUTS[3]! };
// ±0 and ±1 are where x + 0, x * 1, x ^ 1 and select(c, a, a) fire.
const SPECIALS = [0, 1, -1, 2, 0.5, -0] as const;

const UNARY: readonly ((u: Node) => Node)[] = [
  (u) => apply('sin', u), (u) => apply('tanh', u), (u) => apply('neg', u), (u) => apply('sigmoid', u),
  (u) => apply('softplus', u), (u) => apply('atan', u), (u) => mul(u, u), (u) => apply('log', add(mul(u, u), constant(0.5))),
  (u) => apply('relu', u), (u) => apply('abs', u), (u) => apply('exp', apply('tanh', u)),
];
const BINARY: readonly ((a: Node, b: Node) => Node)[] = [
  add, sub, mul, (a, b) => apply('div', a, add(mul(b, b), constant(0.5))), (a, b) => apply('max', a, b),
  (a, b) => apply('hypot', a, b),
  // The stability rewrite's pattern, with the 1 as large as the result: log(ones + exp(b)) → softplus(b).
  (a, b) => add(a, apply('log', add(constant(1, SHAPE[keyOf(a.shape, b.shape)]), apply('exp', b)))),
];

function keyOf(a: Shape, b: Shape): Key {
  return (a.length >= b.length && !(a.length === b.length && a.includes(1)) ? a : b).join(',') as Key;
}

const memo = new Map<string, fc.Arbitrary<Node>>();

/** A random node of exactly the shape `key`. */
function term(key: Key, depth: number): fc.Arbitrary<Node> {
  const id = `${key}|${depth}`;
  const known = memo.get(id);
  if (known !== undefined) return known;
  const shape = SHAPE[key];
  const x = INPUT_OF[key];
  const leaves: fc.Arbitrary<Node>[] = [fc.constantFrom(...SPECIALS).map((v) => constant(v, shape))];
  if (x !== undefined) leaves.push(fc.constant<Node>(x), fc.constant<Node>(x));
  else leaves.push(fc.constant(reshape(INPUTS[1]!, [2, 1])));
  const leaf = fc.oneof(...leaves);
  if (depth === 0) {
    memo.set(id, leaf);
    return leaf;
  }
  const sub_ = (k: Key) => term(k, depth - 1);
  const operand = fc.constantFrom(...OPERANDS[key]).chain(sub_);
  const full = sub_(key);
  // One operand has the full shape, the others any shape that broadcasts to it, in either order.
  const pair = fc.tuple(full, operand, fc.boolean()).map(([a, b, swap]) => (swap ? [b, a] : [a, b]) as [Node, Node]);
  const options: fc.Arbitrary<Node>[] = [
    leaf,
    fc.tuple(fc.constantFrom(...UNARY), full).map(([f, u]) => f(u)),
    fc.tuple(fc.constantFrom(...BINARY), pair).map(([f, [a, b]]) => f(a, b)),
    fc.tuple(pair, operand, operand).map(([[a, b], p, q]) => select(gt(p, q), a, b)),
    ...structural(key, sub_),
  ];
  const arb = fc.oneof(...options);
  memo.set(id, arb);
  return arb;
}

/** Reductions, slices, reshapes and matrix products that give the shape `key`. */
function structural(key: Key, t: (k: Key) => fc.Arbitrary<Node>): fc.Arbitrary<Node>[] {
  switch (key) {
    case '':
      return [
        fc.constantFrom<Key>('2', '3', '2,3').chain(t).map((u) => sum(u)),
        t('3').map((u) => reduce('reduceLogSumExp', u)),
        t('2,3').map((u) => reduce('reduceMax', u)),
        fc.tuple(t('3'), t('3')).map(([a, b]) => sum(mul(a, b))),
      ];
    case '2':
      return [
        t('2,3').map((u) => sum(u, [1])),
        t('2,3').map((u) => reduce('reduceLogSumExp', u, [-1])),
        t('3').map((u) => slice(u, 0, 1, 3)),
        fc.tuple(t('2,3'), t('3')).map(([a, b]) => reshape(matmul(a, reshape(b, [3, 1])), [2])),
      ];
    case '3':
      return [
        t('2,3').map((u) => sum(u, [0])),
        t('2,3').map((u) => reduce('reduceMin', u, [0])),
        fc.tuple(t('2'), t('2,3')).map(([a, b]) => reshape(matmul(reshape(a, [1, 2]), b), [3])),
      ];
    case '2,3':
      return [fc.tuple(t('2'), t('3')).map(([a, b]) => matmul(reshape(a, [2, 1]), reshape(b, [1, 3])))];
    case '2,1':
      return [t('2,3').map((u) => sum(u, [1], true)), t('2').map((u) => reshape(u, [2, 1]))];
  }
}

/** A scalar loss: the sum of a random term of a random shape (a sum over broadcasts is where shapes matter). */
const LOSS = fc.constantFrom<Key>('', '2', '3', '2,3', '2,1').chain((k) => term(k, 3)).map((n) => (n.shape.length === 0 ? n : sum(n)));

type Point = Record<string, Tensor>;
function pointFrom(seed: number): Point {
  const rand = seededRandom(seed);
  return Object.fromEntries(INPUTS.map((x) => {
    const shape = x.shape as number[];
    return [x.name, tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 4 * rand() - 2))];
  }));
}
const flatten = (p: Point): number[] => INPUTS.flatMap((x) => [...p[x.name]!.data]);
function unflatten(xs: readonly number[]): Point {
  let k = 0;
  return Object.fromEntries(INPUTS.map((x) => {
    const shape = x.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tensor(shape, xs.slice(k, k + n));
    k += n;
    return [x.name, t];
  }));
}

const program = (loss: Node): Program => ({ inputs: INPUTS, outputs: [{ name: 'f', node: loss }] });
const valueAt = (node: Node, p: Point): number => evaluateTensors([node], p).get(node)!.data[0]!;
const sameNumber = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('random tensor programs', () => {
  it('optimize keeps values and shapes; bit for bit with exact rules only (seed 20261202, 500 runs)', () => {
    fc.assert(
      fc.property(LOSS, fc.integer(), (loss, seed) => {
        const p = pointFrom(seed);
        const want = valueAt(loss, p);
        const exact = optimize(program(loss), { stability: false, strictSignedZeros: true, verifyEachPass: true }).program.outputs[0]!.node;
        expect(exact.shape).toEqual([]);
        expect(sameNumber(valueAt(exact, p), want), `${valueAt(exact, p)} vs ${want}`).toBe(true);
        const optimized = optimize(program(loss), { verifyEachPass: true }).program.outputs[0]!.node;
        expect(mismatches([valueAt(optimized, p)], [want], { rtol: 1e-9, atol: 1e-9 })).toEqual([]);
      }),
      { seed: 20261202, numRuns: 500 },
    );
  });

  it('compiled kernels equal the unoptimized reference, and gradients central differences (seed 20261203, 150 runs × 2 points)', () => {
    let checkedDifferences = 0;
    fc.assert(
      fc.property(LOSS, fc.integer(), fc.integer(), (loss, seed1, seed2) => {
        const model = compileModel({ inputs: INPUTS, loss, wrt: INPUTS, source: 'property test' }, { verifyEachPass: true });
        const grads = gradient(loss, INPUTS);
        const kernel = model.kernels['valueAndGradient'] as (...args: unknown[]) => number;
        for (const seed of [seed1, seed2]) {
          const p = pointFrom(seed);
          const gradOut = new Float64Array(model.size);
          // Kernels take scalars as numbers, tensors as flat Float64Arrays.
          const args = model.derivatives.inputs.map((x) => (x.shape.length === 0 ? p[x.name]!.data[0]! : p[x.name]!.data));
          const value = kernel(...args, gradOut);
          const reference = evaluateTensors([loss, ...grads], p);
          const g = grads.flatMap((n) => [...reference.get(n)!.data]);
          const f = reference.get(loss)!.data[0]!;
          const scale = 1 + Math.abs(f) + maxAbs(g);
          const tol = { rtol: 1e-9, atol: 1e-9 * scale };
          const where = `\n${printProgram(program(loss))}\nat ${JSON.stringify(Object.fromEntries(Object.entries(p).map(([k, t]) => [k, [...t.data]])))}`;
          expect(mismatches([value], [f], tol), `value of the loss${where}`).toEqual([]);
          expect(mismatches([...gradOut], g, tol), `gradient${where}`).toEqual([]);
          const x = flatten(p);
          const d = flatten(pointFrom(seed ^ 0x5bd1e995));
          const fd = differentiate((t) => [valueAt(loss, unflatten(along(x, d, t)))], 1e-3);
          if (!fd.reliable) continue;
          checkedDifferences++;
          expect(mismatches([dot(g, d)], fd.derivative, { rtol: 1e-6, atol: 1e-6 * (1 + fd.scale) }), 'gradient · d vs central differences').toEqual([]);
        }
      }),
      { seed: 20261203, numRuns: 150 },
    );
    // Most points are away from every kink: the difference check is not vacuous.
    expect(checkedDifferences).toBeGreaterThan(150);
  });
});

describe('found by the tensor programs', () => {
  // A tensor constant read by a matrix product needs a buffer; it was named after its op, 'const', a reserved word.
  it('compiles a matrix product of a constant tensor', () => {
    const m = INPUTS[3]!;
    const loss = sum(matmul(reshape(constant(0.5, [2]), [1, 2]), m));
    const model = compileModel({ inputs: [m], loss, wrt: [m], source: 'constant operand' });
    const p = pointFrom(7);
    const value = (model.kernels['value'] as (...args: unknown[]) => number)(p['m']!.data);
    expect(value).toBeCloseTo(valueAt(loss, p), 12);
  });
});
