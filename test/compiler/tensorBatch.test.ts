/**
 * Every structural tensor op, every composed nn function and the binary
 * elementwise ops under broadcasting, with a leading symbolic dimension
 * 'batch' evaluated at 1 and 7. Each case builds the scalar loss Σ U ⊙ f(x)
 * for a fixed random U (a general cotangent), compiles it with compileModel
 * and checks at seeded points:
 *  (1) compiled value and gradient against the reference evaluation of the
 *      un-optimized IR (the loss, and the reverse-mode rules as stated);
 *  (2) the gradient against Richardson central differences of the reference
 *      evaluation of the loss, along a random direction;
 *  (3) the compiled J·v equals <∇f, v> (forward against reverse);
 *  (4) for a few cases, the compiled H·v against differences of the compiled
 *      gradient.
 * Parameters need sizes known at compile time, so a batched operand x enters
 * as x = D ⊙ A + B: D is batched data, A and B parameters of x's trailing
 * shape. ∂f/∂A = Σ_batch D ⊙ ∂f/∂x weighs every batch row differently, so a
 * row mixed up with another shows. The reference gradient with respect to D
 * itself (batched, never compiled) joins the difference check (2).
 */
import { describe, expect, it } from 'vitest';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileModel } from '../../compiler/api/compileModel.ts';
import type { CompiledModel } from '../../compiler/api/compileModel.ts';
import { add, apply, constant, div, input, mul, pow, select } from '../../compiler/ir/build.ts';
import {
  broadcastTo, concat, dimSize, gather, matmul, oneHot, pad, reduce, reshape, scatterAdd, slice, sum, transpose,
} from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import type { ApplyOp } from '../../compiler/ir/ops.ts';
import {
  dot, elu, gelu, leakyRelu, logSoftmax, matmulAny, mean, mse, norm, outer, softmax, softmaxCrossEntropy, stack, where,
} from '../../compiler/frontend/builders/nn.ts';
import type { Shape } from '../../compiler/ir/shape.ts';
import { concreteShape, sizeOf } from '../../compiler/ir/tensor.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { close, differentiate, maxAbs, mismatches, seededRandom } from './gradcheck.ts';
import type { Tolerance } from './gradcheck.ts';

/**
 * How an operand is sampled: reals in [lo, hi]; well-separated reals (no
 * ties within 0.1 after the affine map); reals with |x| ≥ 0.25 (away from the
 * kink at 0 and from a parameter in [-0.1, 0.1]); or integer indices.
 */
type Sample =
  | { readonly kind: 'real'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'distinct' }
  | { readonly kind: 'away' }
  | { readonly kind: 'index'; readonly below: number };

interface Operand {
  readonly shape: Shape;
  readonly sample: Sample;
}

interface BatchCase {
  readonly note: string;
  readonly operands: readonly Operand[];
  readonly build: (xs: readonly Node[]) => Node;
  /** Also check H·v of the compiled kernels. */
  readonly hvp?: boolean;
}

const real = (shape: Shape, lo = -2, hi = 2): Operand => ({ shape, sample: { kind: 'real', lo, hi } });
const distinct = (shape: Shape): Operand => ({ shape, sample: { kind: 'distinct' } });
const away = (shape: Shape): Operand => ({ shape, sample: { kind: 'away' } });
const index = (shape: Shape, below: number): Operand => ({ shape, sample: { kind: 'index', below } });
/** Parameters for max/min against an `away` operand: never within 0.15 of it. */
const small = (shape: Shape): Operand => real(shape, -0.1, 0.1);

const B = 'batch';
const one = (build: (x: Node) => Node) => ([x]: readonly Node[]) => build(x!);
const two = (build: (a: Node, b: Node) => Node) => ([a, b]: readonly Node[]) => build(a!, b!);

/** The broadcasting patterns for a binary elementwise op, operands sampled by `left`/`right`. */
function broadcasting(op: ApplyOp, left: (s: Shape) => Operand, right: (s: Shape) => Operand): BatchCase[] {
  const f = two((a, b) => apply(op, a, b));
  return [
    { note: `${op} [batch, 3] ⊙ [3]`, operands: [left([B, 3]), right([3])], build: f },
    { note: `${op} [3] ⊙ [batch, 3]`, operands: [left([3]), right([B, 3])], build: f },
    { note: `${op} [batch, 1] ⊙ [1, 4]`, operands: [left([B, 1]), right([1, 4])], build: f },
    { note: `${op} [] ⊙ [batch, 3]`, operands: [left([]), right([B, 3])], build: f },
    { note: `${op} [batch, 3] ⊙ []`, operands: [left([B, 3]), right([])], build: f },
    { note: `${op} [batch, 3] ⊙ [batch, 3]`, operands: [left([B, 3]), right([B, 3])], build: f },
  ];
}

const positive = (s: Shape) => real(s, 0.5, 2);
const anyReal = (s: Shape) => real(s);

const CASES: Readonly<Record<string, readonly BatchCase[]>> = {
  // Structural ops.
  broadcastTo: [
    { note: '[3] → [batch, 3]', operands: [real([3])], build: one((x) => broadcastTo(x, [B, 3])) },
    { note: '[batch, 1] → [batch, 4]', operands: [real([B, 1])], build: one((x) => broadcastTo(x, [B, 4])) },
    { note: '[batch, 3] → [2, batch, 3]', operands: [real([B, 3])], build: one((x) => broadcastTo(x, [2, B, 3])) },
  ],
  reshape: [
    { note: '[batch, 2, 3] → [batch, 6]', operands: [real([B, 2, 3])], build: one((x) => reshape(x, [B, 6])) },
    { note: '[batch, 6] → [batch, 3, 2]', operands: [real([B, 6])], build: one((x) => reshape(x, [B, 3, 2])) },
  ],
  transpose: [
    { note: '[batch, 3] perm [1, 0]', operands: [real([B, 3])], build: one((x) => transpose(x, [1, 0])) },
    { note: '[batch, 2, 3] perm [2, 0, 1]', operands: [real([B, 2, 3])], build: one((x) => transpose(x, [2, 0, 1])) },
  ],
  slice: [
    { note: '[batch, 4] columns 1..3', operands: [real([B, 4])], build: one((x) => slice(x, 1, 1, 3)) },
    { note: '[batch, 3, 2] axis 1, 2..3', operands: [real([B, 3, 2])], build: one((x) => slice(x, 1, 2, 3)) },
  ],
  pad: [
    { note: '[batch, 3] 1 before, 2 after on axis 1', operands: [real([B, 3])], build: one((x) => pad(x, 1, 1, 2)) },
  ],
  concat: [
    { note: '[batch, 3] ++ [batch, 1] on axis 1', operands: [real([B, 3]), real([B, 1])], build: (xs) => concat(xs, 1) },
    {
      note: '[batch, 2] ++ broadcast [2] on axis 1',
      operands: [real([B, 2]), real([2])],
      build: two((a, b) => concat([a, broadcastTo(b, [B, 2])], 1)),
    },
  ],
  reduceSum: [
    { note: '[batch, 3] over the batch', operands: [real([B, 3])], build: one((x) => sum(x, [0])) },
    { note: '[batch, 3] over axis 1, kept', operands: [real([B, 3])], build: one((x) => sum(x, [1], true)) },
    { note: '[batch, 2, 3] over axes 0, 2', operands: [real([B, 2, 3])], build: one((x) => sum(x, [0, 2])) },
    { note: '[batch, 3] over everything', operands: [real([B, 3])], build: one((x) => sum(x)) },
  ],
  reduceMax: [
    { note: '[batch, 4] over axis 1', operands: [distinct([B, 4])], build: one((x) => reduce('reduceMax', x, [1])) },
    { note: '[batch, 3] over the batch, kept', operands: [distinct([B, 3])], build: one((x) => reduce('reduceMax', x, [0], true)) },
    { note: '[batch, 3] over everything', operands: [distinct([B, 3])], build: one((x) => reduce('reduceMax', x)) },
  ],
  reduceMin: [
    { note: '[batch, 4] over axis 1', operands: [distinct([B, 4])], build: one((x) => reduce('reduceMin', x, [1])) },
    { note: '[batch, 3] over the batch', operands: [distinct([B, 3])], build: one((x) => reduce('reduceMin', x, [0])) },
  ],
  reduceLogSumExp: [
    { note: '[batch, 4] over axis 1', operands: [real([B, 4], -4, 4)], build: one((x) => reduce('reduceLogSumExp', x, [1])), hvp: true },
    { note: '[batch, 3] over the batch, kept', operands: [real([B, 3])], build: one((x) => reduce('reduceLogSumExp', x, [0], true)) },
    { note: '[batch, 2, 3] over everything', operands: [real([B, 2, 3])], build: one((x) => reduce('reduceLogSumExp', x)) },
  ],
  matmul: [
    { note: '[batch, 3] · [3, 2]', operands: [real([B, 3]), real([3, 2])], build: two(matmul), hvp: true },
    { note: '[2, 3] · [3, batch]', operands: [real([2, 3]), real([3, B])], build: two(matmul), hvp: true },
    { note: 'batched [batch, 2, 3] · [batch, 3, 2]', operands: [real([B, 2, 3]), real([B, 3, 2])], build: two(matmul), hvp: true },
    { note: '[3, batch] · [batch, 2] (contracting the batch)', operands: [real([3, B]), real([B, 2])], build: two(matmul) },
  ],
  gather: [
    { note: 'rows of a [5, 3] table at [batch] indices', operands: [real([5, 3]), index([B], 5)], build: two(gather) },
    { note: 'rows of a [4, 2] table at [batch, 2] indices', operands: [real([4, 2]), index([B, 2], 4)], build: two(gather) },
  ],
  scatterAdd: [
    { note: '[batch, 2] values into 4 rows', operands: [index([B], 4), real([B, 2])], build: two((i, v) => scatterAdd(i, v, 4)) },
  ],
  oneHot: [
    { note: 'oneHot([batch], 4) ⊙ x[batch, 4]', operands: [index([B], 4), real([B, 4])], build: two((i, x) => mul(oneHot(i, 4), x)) },
  ],
  dimSize: [
    { note: 'batch · Σ x[batch, 3] over axis 1', operands: [real([B, 3])], build: one((x) => mul(dimSize(B), sum(x, [1]))) },
    { note: 'x[batch, 2] / batch', operands: [real([B, 2])], build: one((x) => div(x, dimSize(B))) },
  ],

  // Composed nn functions.
  mean: [
    { note: 'mean over the batch', operands: [real([B, 3])], build: one((x) => mean(x, [0])) },
    { note: 'mean of everything', operands: [real([B, 3])], build: one((x) => mean(x)) },
  ],
  dot: [{ note: 'dot of [batch] vectors', operands: [real([B]), real([B])], build: two(dot) }],
  outer: [{ note: 'outer of [batch] and [3]', operands: [real([B]), real([3])], build: two(outer) }],
  norm: [
    { note: 'row norms of [batch, 3]', operands: [real([B, 3])], build: one((x) => norm(x, [1])), hvp: true },
    { note: 'norm of [batch, 3]', operands: [real([B, 3])], build: one((x) => norm(x)), hvp: true },
  ],
  softmax: [{ note: 'softmax of [batch, 4] rows', operands: [real([B, 4])], build: one((x) => softmax(x)) }],
  logSoftmax: [{ note: 'logSoftmax of [batch, 4] rows', operands: [real([B, 4])], build: one((x) => logSoftmax(x)) }],
  softmaxCrossEntropy: [
    { note: 'mean over [batch, 4] logits', operands: [real([B, 4]), index([B], 4)], build: two((z, y) => softmaxCrossEntropy(z, y)), hvp: true },
    { note: 'sum over [batch, 4] logits', operands: [real([B, 4]), index([B], 4)], build: two((z, y) => softmaxCrossEntropy(z, y, 'sum')), hvp: true },
    {
      note: 'of logits X·W with X [batch, 3], W [3, 4]',
      operands: [real([B, 3]), real([3, 4]), index([B], 4)],
      build: ([x, w, y]) => softmaxCrossEntropy(matmul(x!, w!), y!),
      hvp: true,
    },
  ],
  mse: [
    { note: 'prediction [batch, 3] against a target [batch, 3]', operands: [real([B, 3]), real([B, 3])], build: two(mse) },
    { note: 'prediction [batch, 3] against a target [3]', operands: [real([B, 3]), real([3])], build: two(mse) },
  ],
  leakyRelu: [{ note: '[batch, 3]', operands: [away([B, 3])], build: one((x) => leakyRelu(x)) }],
  elu: [{ note: '[batch, 3]', operands: [away([B, 3])], build: one((x) => elu(x)) }],
  gelu: [{ note: '[batch, 3]', operands: [real([B, 3], -3, 3)], build: one(gelu) }],
  where: [
    {
      note: 'where(c [batch, 3], a [batch, 3], b [3])',
      operands: [real([B, 3]), real([B, 3]), real([3])],
      build: ([c, a, b]) => where(apply('gt', c!, constant(0)), a!, b!),
    },
    {
      note: 'select(c [batch, 3], a [3], b [])',
      operands: [real([B, 3]), real([3]), real([])],
      build: ([c, a, b]) => select(apply('lt', c!, constant(0.2)), a!, b!),
    },
    {
      note: 'select(c [batch, 3], a [batch, 1], b [1, 3])',
      operands: [real([B, 3]), real([B, 1]), real([1, 3])],
      build: ([c, a, b]) => select(apply('gt', c!, constant(0)), mul(a!, a!), pow(b!, constant(3))),
    },
  ],
  stack: [
    { note: 'two [batch, 3] on axis 1', operands: [real([B, 3]), real([B, 3])], build: (xs) => stack(xs, 1) },
    { note: '[batch, 2] and [batch, 2] on axis 0', operands: [real([B, 2]), real([B, 2])], build: (xs) => stack(xs, 0) },
  ],
  matmulAny: [
    { note: '[batch, 3] · [3]', operands: [real([B, 3]), real([3])], build: two(matmulAny) },
    { note: '[3] · [3, batch]', operands: [real([3]), real([3, B])], build: two(matmulAny) },
    { note: '[batch, 3] · [3, 2]', operands: [real([B, 3]), real([3, 2])], build: two(matmulAny) },
  ],

  // Binary elementwise ops under broadcasting.
  add: broadcasting('add', anyReal, anyReal),
  sub: broadcasting('sub', anyReal, anyReal),
  mul: broadcasting('mul', anyReal, anyReal),
  div: broadcasting('div', anyReal, away),
  pow: broadcasting('pow', positive, (s) => real(s, -1.5, 1.5)),
  max: [...broadcasting('max', away, small), ...broadcasting('max', small, away)],
  min: [...broadcasting('min', away, small), ...broadcasting('min', small, away)],
  atan2: broadcasting('atan2', anyReal, away),
  hypot: broadcasting('hypot', away, anyReal),
};

// ---------------------------------------------------------------------------
// Sampling.

const uniform = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();
const tensorOf = (shape: readonly number[], f: (k: number) => number): Tensor => ({
  shape: [...shape],
  data: Float64Array.from({ length: sizeOf(shape) }, (_, k) => f(k)),
});

function sampleData(s: Sample, shape: readonly number[], random: () => number): Tensor {
  const n = sizeOf(shape);
  switch (s.kind) {
    case 'index':
      return tensorOf(shape, () => Math.floor(random() * s.below));
    case 'real':
      return tensorOf(shape, () => uniform(random, s.lo, s.hi));
    case 'away':
      return tensorOf(shape, () => (random() < 0.5 ? -1 : 1) * uniform(random, 0.4, 2));
    case 'distinct': {
      // A shuffle of 0.5-spaced levels with ±0.05 jitter: no two elements within 0.4.
      const levels = Array.from({ length: n }, (_, k) => 0.5 * k - 0.25 * n);
      for (let k = n - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        [levels[k], levels[j]] = [levels[j]!, levels[k]!];
      }
      return tensorOf(shape, (k) => levels[k]! + uniform(random, -0.05, 0.05));
    }
  }
}

/**
 * Ranges of A and B in x = D ⊙ A + B. Narrow where ties or kinks must stay
 * away: distinct levels up to 0.25·n ≤ 6 move by at most 0.06 + 0.01.
 */
function affineRanges(s: Sample): { a: [number, number]; b: [number, number] } {
  if (s.kind === 'distinct') return { a: [0.99, 1.01], b: [-0.01, 0.01] };
  if (s.kind === 'away') return { a: [0.9, 1.1], b: [-0.02, 0.02] };
  return { a: [0.8, 1.2], b: [-0.1, 0.1] };
}

// ---------------------------------------------------------------------------
// Building and running a case.

const isBatched = (shape: Shape) => shape.some((d) => typeof d === 'string');

interface Built {
  readonly out: Node;
  readonly loss: Node;
  /** Parameters (fixed shapes), in the layout's order. */
  readonly wrt: InputNode[];
  /** Batched real data D, differentiated only in the reference evaluation. */
  readonly data: InputNode[];
  readonly inputs: InputNode[];
  readonly sample: ReadonlyMap<string, { sample: Sample; shape: Shape; range?: [number, number] }>;
}

function build(c: BatchCase): Built {
  const wrt: InputNode[] = [];
  const data: InputNode[] = [];
  const others: InputNode[] = [];
  const sample = new Map<string, { sample: Sample; shape: Shape; range?: [number, number] }>();
  const operands = c.operands.map((o, i) => {
    const x = input(`x${i}`, o.shape);
    if (o.sample.kind === 'index') {
      others.push(x);
      sample.set(x.name, { sample: o.sample, shape: o.shape });
      return x;
    }
    if (!isBatched(o.shape)) {
      wrt.push(x);
      sample.set(x.name, { sample: o.sample, shape: o.shape });
      return x;
    }
    // x = D ⊙ A + B with A, B of the trailing fixed shape.
    const lastSymbolic = o.shape.reduce<number>((last, dim, k) => (typeof dim === 'string' ? k : last), -1);
    const rest = o.shape.slice(lastSymbolic + 1);
    const a = input(`a${i}`, rest);
    const b = input(`b${i}`, rest);
    const d = input(`d${i}`, o.shape);
    const ranges = affineRanges(o.sample);
    wrt.push(a, b);
    data.push(d);
    sample.set(a.name, { sample: o.sample, shape: rest, range: ranges.a });
    sample.set(b.name, { sample: o.sample, shape: rest, range: ranges.b });
    sample.set(d.name, { sample: o.sample, shape: o.shape });
    return add(mul(d, a), b);
  });
  const out = c.build(operands);
  const u = input('u', out.shape);
  others.push(u);
  sample.set('u', { sample: { kind: 'real', lo: -1, hi: 1 }, shape: out.shape });
  const loss = sum(mul(u, out));
  return { out, loss, wrt, data, inputs: [...wrt, ...data, ...others], sample };
}

type Kernel = (...args: unknown[]) => unknown;
const flat = (ts: readonly Tensor[]) => ts.flatMap((t) => [...t.data]);
const inner = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const absInner = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + Math.abs(v * b[i]!), 0);

function expectAllClose(actual: readonly number[], expected: readonly number[], tol: Tolerance, what: string): void {
  const bad = mismatches(actual, expected, tol);
  expect(bad.slice(0, 5), `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`).toEqual([]);
}

/** Compiled against reference to rounding, relative to the values' scale. */
const expectRounding = (actual: readonly number[], expected: readonly number[], what: string) =>
  expectAllClose(actual, expected, { rtol: 1e-12, atol: 1e-12 * Math.max(maxAbs(actual), maxAbs(expected)) }, what);

const POINTS = 2;

function runCase(c: BatchCase, model: CompiledModel, built: Built, batch: number, seed: number): void {
  const random = seededRandom(seed);
  const sizes = { [B]: batch };
  const d = model.derivatives;
  const kernel = (name: string) => model.kernels[name] as Kernel;
  const referenceGradient = gradient(built.loss, [...built.wrt, ...built.data]);
  const u = (() => {
    const s = built.sample.get('u')!;
    return sampleData(s.sample, concreteShape(s.shape, sizes), random);
  })();
  const toArg = (t: Tensor, node: InputNode) => (node.shape.length === 0 ? t.data[0]! : t.data);
  const sizeArgs = [batch];

  for (let p = 0; p < POINTS; p++) {
    const where = `${c.note} at batch ${batch}, point ${p}`;
    const values: Record<string, Tensor> = { u };
    for (const x of built.inputs) {
      if (x.name === 'u') continue;
      const s = built.sample.get(x.name)!;
      const shape = concreteShape(s.shape, sizes);
      values[x.name] = s.range ? tensorOf(shape, () => uniform(random, ...s.range!)) : sampleData(s.sample, shape, random);
    }
    const args = d.inputs.map((x) => toArg(values[x.name]!, x));
    const reference = (roots: readonly Node[], at: Record<string, Tensor> = values) => {
      const v = evaluateTensors(roots, at, sizes);
      return flat(roots.map((r) => v.get(r)!));
    };

    // (1) value and gradient against the reference evaluation.
    const value = kernel('value')(...args, ...sizeArgs) as number;
    const [refValue] = reference([built.loss]);
    expectRounding([value], [refValue!], `${where}: value`);
    const gradOut = new Float64Array(model.size);
    const vgValue = kernel('valueAndGradient')(...args, ...sizeArgs, gradOut) as number;
    expectRounding([vgValue], [refValue!], `${where}: valueAndGradient's value`);
    const refGrads = evaluateTensors(referenceGradient, values, sizes);
    const refParamGrad = flat(referenceGradient.slice(0, built.wrt.length).map((g) => refGrads.get(g)!));
    const grad = [...gradOut];
    expectRounding(grad, refParamGrad, `${where}: gradient`);

    // (2) central differences of the reference loss along a random direction over parameters and data.
    const moving = [...built.wrt, ...built.data];
    const dirs = moving.map((x) => tensorOf(values[x.name]!.shape, () => uniform(random, -1, 1)));
    const along = (t: number) => {
      const moved = { ...values };
      moving.forEach((x, k) => {
        moved[x.name] = { shape: values[x.name]!.shape, data: values[x.name]!.data.map((v, i) => v + t * dirs[k]!.data[i]!) };
      });
      return reference([built.loss], moved);
    };
    const fd = differentiate(along, 1e-3);
    expect(fd.reliable, `${where}: finite differences: ${fd.why}`).toBe(true);
    const dataGrad = flat(referenceGradient.slice(built.wrt.length).map((g) => refGrads.get(g)!));
    const paramDir = flat(dirs.slice(0, built.wrt.length));
    const dataDir = flat(dirs.slice(built.wrt.length));
    const predicted = inner(grad, paramDir) + inner(dataGrad, dataDir);
    const scale = absInner(grad, paramDir) + absInner(dataGrad, dataDir);
    expect(
      close(predicted, fd.derivative[0]!, { rtol: 1e-6, atol: 1e-9 * (1 + scale + fd.scale) }),
      `${where}: <∇f, v> = ${predicted}, differences ${fd.derivative[0]}`,
    ).toBe(true);

    // (3) forward mode against reverse: J·v = <∇f, v>.
    const tangentArgs = d.tangents.map((t, k) => toArg(dirs[k]!, t));
    const jv = kernel('jvp')(...args, ...tangentArgs, ...sizeArgs) as number;
    expect(
      close(jv, inner(grad, paramDir), { rtol: 1e-12, atol: 1e-12 * absInner(grad, paramDir) }),
      `${where}: J·v = ${jv}, <∇f, v> = ${inner(grad, paramDir)}`,
    ).toBe(true);

    // (4) H·v against differences of the compiled gradient.
    if (!c.hvp) continue;
    const hv = [...(kernel('hvp')(...args, ...tangentArgs, ...sizeArgs, new Float64Array(model.size)) as Float64Array)];
    const gradAt = (t: number) => {
      const moved = d.inputs.map((x, k) => {
        const j = built.wrt.indexOf(x);
        if (j < 0) return args[k];
        const data = values[x.name]!.data.map((v, i) => v + t * dirs[j]!.data[i]!);
        return x.shape.length === 0 ? data[0]! : data;
      });
      const g = new Float64Array(model.size);
      kernel('valueAndGradient')(...moved, ...sizeArgs, g);
      return [...g];
    };
    const fd2 = differentiate(gradAt, 1e-3);
    expect(fd2.reliable, `${where}: differences of the gradient: ${fd2.why}`).toBe(true);
    expectAllClose(hv, fd2.derivative, { rtol: 1e-5, atol: 1e-8 * (1 + fd2.scale) }, `${where}: H·v`);
  }
}

const BATCH_OPS = [
  'broadcastTo', 'reshape', 'transpose', 'slice', 'pad', 'concat',
  'reduceSum', 'reduceMax', 'reduceMin', 'reduceLogSumExp',
  'matmul', 'gather', 'scatterAdd', 'oneHot', 'dimSize',
  'mean', 'dot', 'outer', 'norm', 'softmax', 'logSoftmax', 'softmaxCrossEntropy', 'mse',
  'leakyRelu', 'elu', 'gelu', 'where', 'stack', 'matmulAny',
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'atan2', 'hypot',
];

it('every structural op, nn function and broadcasting binary op has batched cases', () => {
  expect(Object.keys(CASES).sort()).toEqual([...BATCH_OPS].sort());
  for (const op of BATCH_OPS) {
    expect(CASES[op]!.length, op).toBeGreaterThan(0);
    // A batched operand, or (broadcastTo from a fixed shape) a batched output.
    expect(CASES[op]!.every((c) => c.operands.some((o) => isBatched(o.shape)) || isBatched(build(c).out.shape)), op).toBe(true);
  }
});

describe.each(Object.entries(CASES))('%s with a symbolic batch', (op, cases) => {
  cases.forEach((c, k) => {
    it(c.note, () => {
      const built = build(c);
      const model = compileModel({ inputs: built.inputs, loss: built.loss, wrt: built.wrt, source: `tensorBatch ${c.note}` });
      for (const batch of [1, 7]) runCase(c, model, built, batch, 1000 * k + batch + op.length);
    });
  });
});

