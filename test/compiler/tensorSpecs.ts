/**
 * Op specs for the structural tensor ops (broadcast, reshape, reductions,
 * matmul, indexing, …) and the checks that run them. Each case gives operand
 * shapes and how to sample them, builds the op, and names an independent
 * oracle (plain index arithmetic) for its reference evaluation. Derivatives
 * are checked on the op's whole tensor output:
 *  (a) J·V against finite differences, element by element;
 *  (b) <J V, U> = <V, Jᵀ U> for a random cotangent U of the output's shape;
 *  (c) for f = Σ U ⊙ out ⊙ out, H·V against differences of ∇f and
 *      <H V, W> = <V, H W>;
 * and integer operands (indices) carry an exactly zero derivative;
 *  (d) the compiled kernels of that f (value, gradient, J·V, H·V) against the
 *      reference evaluation of the optimized IR they were emitted from, and
 *      the value against the un-optimized IR.
 */
import { expect } from 'vitest';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileModel } from '../../compiler/api/compileModel.ts';
import { jvp } from '../../compiler/autodiff/forward.ts';
import { constant, input, mul } from '../../compiler/ir/build.ts';
import {
  broadcastTo, concat, dimSize, gather, matmul, oneHot, pad, reduce, reshape, scatterAdd, slice, sum, transpose,
} from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { Value } from '../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import type { Shape } from '../../compiler/ir/shape.ts';
import { concreteShape, sizeOf, stridesOf } from '../../compiler/ir/tensor.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { close, differentiate, maxAbs, mismatches, seededRandom } from './gradcheck.ts';
import type { Tolerance } from './gradcheck.ts';

/** How one operand is sampled: reals from [lo, hi], well-separated reals (no ties), or integer indices below `below`. */
export type Operand =
  | { readonly shape: Shape; readonly kind: 'real'; readonly lo: number; readonly hi: number }
  | { readonly shape: Shape; readonly kind: 'distinct' }
  | { readonly shape: Shape; readonly kind: 'index'; readonly below: number };

/** Reads the output element at `index` from the operands, by plain index arithmetic. */
type Oracle = (xs: readonly Tensor[], index: readonly number[], out: readonly number[]) => number;

export interface TensorCase {
  readonly note: string;
  readonly operands: readonly Operand[];
  readonly build: (xs: readonly Node[]) => Node;
  readonly oracle: Oracle;
  /** Sizes of symbolic dimensions. */
  readonly sizes?: Readonly<Record<string, number>>;
}

/** A tie or other documented kink of an op whose output is a scalar: its exact gradient, and H = 0. */
export interface TensorKink {
  readonly what: string;
  readonly shape: readonly number[];
  readonly values: readonly number[];
  readonly build: (x: Node) => Node;
  readonly gradient: readonly number[];
}

export interface TensorSpec {
  readonly kind: 'tensor';
  readonly cases: readonly TensorCase[];
  readonly kinks?: readonly TensorKink[];
}

// ---------------------------------------------------------------------------
// Index arithmetic for the oracles.

export const at = (t: Tensor, index: readonly number[]): number => {
  const strides = stridesOf(t.shape);
  return t.data[index.reduce((acc, v, k) => acc + v * strides[k]!, 0)]!;
};

/** Every multi-index of `shape`, row-major. */
function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const index = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < sizeOf(shape); n++) {
    out.push([...index]);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++index[k]! < shape[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}

const flatOf = (index: readonly number[], shape: readonly number[]): number => {
  const strides = stridesOf(shape);
  return index.reduce((acc, v, k) => acc + v * strides[k]!, 0);
};

/** Folds the elements of x that reduce to output `index` (axes reduced, keepDims or not). */
function reduceOracle(axes: readonly number[], keepDims: boolean, fold: (values: number[]) => number): Oracle {
  return ([x], index) => {
    const values = indices(x!.shape)
      .filter((i) => {
        const kept = i.filter((_, k) => !axes.includes(k));
        const want = keepDims ? index.filter((_, k) => !axes.includes(k)) : index;
        return kept.every((v, k) => v === want[k]);
      })
      .map((i) => at(x!, i));
    return fold(values);
  };
}

const total = (vs: number[]) => vs.reduce((a, b) => a + b, 0);
export const real = (shape: Shape, lo = -2, hi = 2): Operand => ({ shape, kind: 'real', lo, hi });

const broadcastOracle: Oracle = ([x], index) =>
  at(x!, index.slice(index.length - x!.shape.length).map((v, k) => (x!.shape[k] === 1 ? 0 : v)));
const flatOracle: Oracle = ([x], index, out) => x!.data[flatOf(index, out)]!;

function transposeOracle(perm: readonly number[]): Oracle {
  return ([x], index) => {
    const source = new Array<number>(perm.length);
    perm.forEach((p, k) => (source[p] = index[k]!));
    return at(x!, source);
  };
}

function concatOracle(axis: number): Oracle {
  return (xs, index) => {
    let offset = index[axis]!;
    for (const x of xs) {
      if (offset < x.shape[axis]!) return at(x, index.map((v, k) => (k === axis ? offset : v)));
      offset -= x.shape[axis]!;
    }
    throw new Error('index outside the concatenation');
  };
}

const matmulOracle: Oracle = ([a, b], index) => {
  const r = index.length;
  const lead = index.slice(0, r - 2);
  const [i, j] = [index[r - 2]!, index[r - 1]!];
  let s = 0;
  for (let p = 0; p < a!.shape[r - 1]!; p++) s += at(a!, [...lead, i, p]) * at(b!, [...lead, p, j]);
  return s;
};

const validRow = (v: number, rows: number) => Number.isInteger(v) && v >= 0 && v < rows;

const gatherOracle: Oracle = ([table, idx], index) => {
  const lead = idx!.shape.length;
  const row = at(idx!, index.slice(0, lead));
  return validRow(row, table!.shape[0]!) ? at(table!, [row, ...index.slice(lead)]) : NaN;
};

const scatterOracle: Oracle = ([idx, values], index) => {
  return total(
    indices(idx!.shape)
      .filter((i) => at(idx!, i) === index[0])
      .map((i) => at(values!, [...i, ...index.slice(1)])),
  );
};

// ---------------------------------------------------------------------------
// The specs.

const max = (vs: number[]) => Math.max(...vs);
const min = (vs: number[]) => Math.min(...vs);
const lse = (vs: number[]) => Math.log(total(vs.map(Math.exp)));

export const TENSOR_SPECS = {
  broadcastTo: {
    kind: 'tensor',
    cases: [
      { note: '[3] → [2, 3]', operands: [real([3])], build: ([x]) => broadcastTo(x!, [2, 3]), oracle: broadcastOracle },
      { note: '[2, 1] → [2, 3]', operands: [real([2, 1])], build: ([x]) => broadcastTo(x!, [2, 3]), oracle: broadcastOracle },
      { note: '[] → [2, 2]', operands: [real([])], build: ([x]) => broadcastTo(x!, [2, 2]), oracle: broadcastOracle },
    ],
  },
  reshape: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] → [3, 2]', operands: [real([2, 3])], build: ([x]) => reshape(x!, [3, 2]), oracle: flatOracle },
      { note: '[6] → [2, 1, 3]', operands: [real([6])], build: ([x]) => reshape(x!, [2, 1, 3]), oracle: flatOracle },
    ],
  },
  transpose: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] perm [1, 0]', operands: [real([2, 3])], build: ([x]) => transpose(x!, [1, 0]), oracle: transposeOracle([1, 0]) },
      { note: '[2, 3, 4] perm [2, 0, 1]', operands: [real([2, 3, 4])], build: ([x]) => transpose(x!, [2, 0, 1]), oracle: transposeOracle([2, 0, 1]) },
    ],
  },
  slice: {
    kind: 'tensor',
    cases: [
      { note: '[4, 3] rows 1..3', operands: [real([4, 3])], build: ([x]) => slice(x!, 0, 1, 3), oracle: ([x], i) => at(x!, [i[0]! + 1, i[1]!]) },
      { note: '[2, 4] columns 2..4', operands: [real([2, 4])], build: ([x]) => slice(x!, -1, 2, 4), oracle: ([x], i) => at(x!, [i[0]!, i[1]! + 2]) },
    ],
  },
  pad: {
    kind: 'tensor',
    cases: [
      {
        note: '[2, 3] by 1 before, 2 after on axis 1',
        operands: [real([2, 3])],
        build: ([x]) => pad(x!, 1, 1, 2),
        oracle: ([x], i) => (i[1]! >= 1 && i[1]! < 4 ? at(x!, [i[0]!, i[1]! - 1]) : 0),
      },
    ],
  },
  concat: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] ++ [2, 1] on axis 1', operands: [real([2, 3]), real([2, 1])], build: (xs) => concat(xs, 1), oracle: concatOracle(1) },
      { note: 'three on axis 0', operands: [real([1, 3]), real([2, 3]), real([1, 3])], build: (xs) => concat(xs, 0), oracle: concatOracle(0) },
    ],
  },
  reduceSum: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] over axis 1', operands: [real([2, 3])], build: ([x]) => sum(x!, [1]), oracle: reduceOracle([1], false, total) },
      { note: '[2, 3, 2] over axes 0, 2, kept', operands: [real([2, 3, 2])], build: ([x]) => sum(x!, [0, 2], true), oracle: reduceOracle([0, 2], true, total) },
      { note: '[3, 2] over everything', operands: [real([3, 2])], build: ([x]) => sum(x!), oracle: reduceOracle([0, 1], false, total) },
    ],
  },
  reduceMax: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] over axis 1', operands: [{ shape: [2, 3], kind: 'distinct' }], build: ([x]) => reduce('reduceMax', x!, [1]), oracle: reduceOracle([1], false, max) },
      { note: '[2, 3] over everything, kept', operands: [{ shape: [2, 3], kind: 'distinct' }], build: ([x]) => reduce('reduceMax', x!, [0, 1], true), oracle: reduceOracle([0, 1], true, max) },
    ],
    kinks: [
      { what: 'a two-way tie splits 1/2, 1/2', shape: [4], values: [1, 3, 3, 2], build: (x) => reduce('reduceMax', x), gradient: [0, 0.5, 0.5, 0] },
      { what: 'a three-way tie splits in thirds', shape: [3], values: [-0.5, -0.5, -0.5], build: (x) => reduce('reduceMax', x), gradient: [1 / 3, 1 / 3, 1 / 3] },
    ],
  },
  reduceMin: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] over axis 0', operands: [{ shape: [2, 3], kind: 'distinct' }], build: ([x]) => reduce('reduceMin', x!, [0]), oracle: reduceOracle([0], false, min) },
      { note: '[3, 2] over everything', operands: [{ shape: [3, 2], kind: 'distinct' }], build: ([x]) => reduce('reduceMin', x!), oracle: reduceOracle([0, 1], false, min) },
    ],
    kinks: [
      { what: 'a two-way tie splits 1/2, 1/2', shape: [4], values: [2, -1, 0.5, -1], build: (x) => reduce('reduceMin', x), gradient: [0, 0.5, 0, 0.5] },
    ],
  },
  reduceLogSumExp: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] over axis 1', operands: [real([2, 3])], build: ([x]) => reduce('reduceLogSumExp', x!, [1]), oracle: reduceOracle([1], false, lse) },
      { note: '[2, 2] over everything, kept', operands: [real([2, 2], -5, 5)], build: ([x]) => reduce('reduceLogSumExp', x!, [0, 1], true), oracle: reduceOracle([0, 1], true, lse) },
    ],
  },
  matmul: {
    kind: 'tensor',
    cases: [
      { note: '[2, 3] · [3, 2]', operands: [real([2, 3]), real([3, 2])], build: ([a, b]) => matmul(a!, b!), oracle: matmulOracle },
      { note: 'batched [2, 2, 3] · [2, 3, 1]', operands: [real([2, 2, 3]), real([2, 3, 1])], build: ([a, b]) => matmul(a!, b!), oracle: matmulOracle },
    ],
  },
  gather: {
    kind: 'tensor',
    cases: [
      {
        note: 'rows of a [4, 3] table at [2, 2] indices',
        operands: [real([4, 3]), { shape: [2, 2], kind: 'index', below: 4 }],
        build: ([t, i]) => gather(t!, i!),
        oracle: gatherOracle,
      },
      {
        // A scalar element of a differentiated vector: read at a checked index (it once emitted a call to an undefined gather).
        note: 'one element of a [4] vector at a scalar index',
        operands: [real([4]), { shape: [], kind: 'index', below: 4 }],
        build: ([t, i]) => gather(t!, i!),
        oracle: gatherOracle,
      },
      {
        // Its reverse rule scatters a constant cotangent (once an internal error in scatterAdd's emission).
        note: '3 · x[1] of a [4] vector',
        operands: [real([4])],
        build: ([t]) => mul(constant(3), gather(t!, constant(1))),
        oracle: ([t]) => 3 * t!.data[1]!,
      },
    ],
  },
  scatterAdd: {
    kind: 'tensor',
    cases: [
      {
        note: '[5, 2] values into 4 rows',
        operands: [{ shape: [5], kind: 'index', below: 4 }, real([5, 2])],
        build: ([i, v]) => scatterAdd(i!, v!, 4),
        oracle: scatterOracle,
      },
    ],
  },
  oneHot: {
    kind: 'tensor',
    cases: [
      {
        note: '[3] indices, depth 4',
        operands: [{ shape: [3], kind: 'index', below: 4 }],
        build: ([i]) => oneHot(i!, 4),
        oracle: ([i], index) => (at(i!, index.slice(0, 1)) === index[1] ? 1 : 0),
      },
      {
        note: '[3] indices, a named depth k (a vocabulary given at run time)',
        operands: [{ shape: [3], kind: 'index', below: 4 }, real([])],
        build: ([i, scale]) => mul(oneHot(i!, 'k'), scale!),
        oracle: ([i, scale], index) => (at(i!, index.slice(0, 1)) === index[1] ? scale!.data[0]! : 0),
        sizes: { k: 4 },
      },
    ],
  },
  dimSize: {
    kind: 'tensor',
    cases: [
      {
        note: 'n · Σx for x of symbolic shape [n]',
        operands: [real(['n'])],
        build: ([x]) => mul(dimSize('n'), sum(x!)),
        oracle: ([x]) => x!.shape[0]! * total([...x!.data]),
        sizes: { n: 4 },
      },
    ],
  },
} satisfies Record<string, TensorSpec>;

// ---------------------------------------------------------------------------
// Running a case.

const POINTS = 4;
const FIRST_ORDER: Tolerance = { rtol: 1e-6, atol: 1e-9 };
const SECOND_ORDER: Tolerance = { rtol: 1e-5, atol: 1e-8 };

const isIndex = (o: Operand) => o.kind === 'index';

function sampleOperand(o: Operand, shape: readonly number[], random: () => number): Tensor {
  const n = sizeOf(shape);
  let data: number[];
  if (o.kind === 'index') data = Array.from({ length: n }, () => Math.floor(random() * o.below));
  else if (o.kind === 'real') data = Array.from({ length: n }, () => o.lo + (o.hi - o.lo) * random());
  else {
    // A shuffle of 0.5-spaced levels with ±0.1 jitter: no two elements within 0.3.
    const levels = Array.from({ length: n }, (_, k) => 0.5 * k - 0.25 * n);
    for (let k = n - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [levels[k], levels[j]] = [levels[j]!, levels[k]!];
    }
    data = levels.map((v) => v + 0.2 * random() - 0.1);
  }
  return { shape: [...shape], data: Float64Array.from(data) };
}

const direction = (shape: readonly number[], random: () => number): Tensor => ({
  shape: [...shape],
  data: Float64Array.from({ length: sizeOf(shape) }, () => 2 * random() - 1),
});

const inner = (a: Tensor, b: Tensor): number => a.data.reduce((s, v, i) => s + v * b.data[i]!, 0);
const absInner = (a: Tensor, b: Tensor): number => a.data.reduce((s, v, i) => s + Math.abs(v * b.data[i]!), 0);
const moved = (x: Tensor, v: Tensor, t: number): Tensor => ({ shape: x.shape, data: x.data.map((xi, i) => xi + t * v.data[i]!) });

function expectAllClose(actual: readonly number[], expected: readonly number[], tol: Tolerance, what: string): void {
  const bad = mismatches(actual, expected, tol);
  expect(bad.slice(0, 5), `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`).toEqual([]);
}

/** The nodes and evaluation of one tensor case. */
class CaseRun {
  readonly vars: InputNode[];
  readonly out: Node;
  readonly diff: number[];
  readonly shapes: number[][];
  readonly outShape: number[];
  private readonly sizes: Readonly<Record<string, number>>;

  constructor(readonly c: TensorCase) {
    this.sizes = c.sizes ?? {};
    this.vars = c.operands.map((o, i) => input(`x${i}`, o.shape));
    this.out = c.build(this.vars);
    this.diff = c.operands.flatMap((o, i) => (isIndex(o) ? [] : [i]));
    this.shapes = c.operands.map((o) => concreteShape(o.shape, this.sizes));
    this.outShape = concreteShape(this.out.shape, this.sizes);
  }

  eval(roots: readonly Node[], inputs: Readonly<Record<string, Value>>): Tensor[] {
    const values = evaluateTensors(roots, inputs, this.sizes);
    return roots.map((r) => values.get(r)!);
  }

  point(xs: readonly Tensor[]): Record<string, Tensor> {
    return Object.fromEntries(this.vars.map((v, i) => [v.name, xs[i]!]));
  }
}

export function checkOracle(c: TensorCase, seed: number): void {
  const run = new CaseRun(c);
  const random = seededRandom(seed);
  for (let p = 0; p < POINTS; p++) {
    const xs = c.operands.map((o, i) => sampleOperand(o, run.shapes[i]!, random));
    const [out] = run.eval([run.out], run.point(xs));
    expect(out!.shape).toEqual(run.outShape);
    const expected = indices(run.outShape).map((i) => c.oracle(xs, i, run.outShape));
    expectAllClose([...out!.data], expected, { rtol: 1e-13, atol: 1e-13 }, `${c.note}: reference evaluation vs index arithmetic`);
  }
}

/** (a), (b), (c) and the zero derivative of index operands, on the reference IR. */
export function checkDerivatives(c: TensorCase, seed: number): void {
  const run = new CaseRun(c);
  const random = seededRandom(seed);
  const { vars, diff, out } = run;
  const dots = vars.map((v) => input(`${v.name}Dot`, v.shape));
  const ws = vars.map((v) => input(`${v.name}W`, v.shape));
  const uBar = input('uBar', out.shape);
  const seeded = (tangents: readonly InputNode[], which: readonly number[]) => new Map(which.map((i) => [vars[i]!, tangents[i]!]));

  const [jv] = jvp([out], seeded(dots, diff));
  const vjp = gradient(sum(mul(out, uBar)), diff.map((i) => vars[i]!));
  const f2 = sum(mul(uBar, mul(out, out)));
  const g2 = gradient(f2, diff.map((i) => vars[i]!));
  const hv = jvp(g2, seeded(dots, diff));
  const hw = jvp(g2, seeded(ws, diff));
  const indexOnly = c.operands.flatMap((o, i) => (isIndex(o) ? [i] : []));
  const [zeroDot] = jvp([out], seeded(dots, indexOnly));
  const zeroBar = gradient(sum(mul(out, uBar)), indexOnly.map((i) => vars[i]!));

  for (let p = 0; p < POINTS; p++) {
    const xs = c.operands.map((o, i) => sampleOperand(o, run.shapes[i]!, random));
    const vs = run.shapes.map((s) => direction(s, random));
    const wsV = run.shapes.map((s) => direction(s, random));
    const u = direction(run.outShape, random);
    const inputs: Record<string, Value> = {
      ...run.point(xs),
      ...Object.fromEntries(dots.map((d, i) => [d.name, vs[i]!])),
      ...Object.fromEntries(ws.map((w, i) => [w.name, wsV[i]!])),
      uBar: u,
    };
    const along = (t: number) => run.point(xs.map((x, i) => (diff.includes(i) ? moved(x, vs[i]!, t) : x)));
    const h = 1e-3 * Math.max(1, ...xs.map((x) => maxAbs([...x.data])));
    const where = `${c.note} at point ${p}`;

    // Index operands: piecewise constant, so exactly zero in both modes.
    if (indexOnly.length > 0) {
      const [zd, ...zb] = run.eval([zeroDot!, ...zeroBar], inputs);
      expect([...zd!.data].every((v) => v === 0), `${where}: tangent through indices`).toBe(true);
      expect(zb.every((t) => t.data.every((v) => v === 0)), `${where}: cotangent of indices`).toBe(true);
    }
    if (diff.length === 0) continue;

    // (a) forward mode against differences of the whole output.
    const fd = differentiate((t) => [...run.eval([out], { ...inputs, ...along(t) })[0]!.data], h);
    expect(fd.reliable, `${where}: finite differences: ${fd.why}`).toBe(true);
    const [jvValue] = run.eval([jv!], inputs);
    expectAllClose([...jvValue!.data], fd.derivative, { ...FIRST_ORDER, atol: FIRST_ORDER.atol * (1 + fd.scale) }, `${where}: J·V`);

    // (b) <J V, U> = <V, Jᵀ U>.
    const bars = run.eval(vjp, inputs);
    const lhs = inner(jvValue!, u);
    const rhs = diff.reduce((s, i, k) => s + inner(vs[i]!, bars[k]!), 0);
    const scale = absInner(jvValue!, u) + diff.reduce((s, i, k) => s + absInner(vs[i]!, bars[k]!), 0);
    expect(close(lhs, rhs, { rtol: 1e-12, atol: 1e-13 * scale }), `${where}: <JV,U> = ${lhs}, <V,JᵀU> = ${rhs}`).toBe(true);

    // (c) H·V against differences of ∇f for f = Σ U ⊙ out², and <H V, W> = <V, H W>.
    const fd2 = differentiate((t) => run.eval(g2, { ...inputs, ...along(t) }).flatMap((g) => [...g.data]), h);
    expect(fd2.reliable, `${where}: finite differences of the gradient: ${fd2.why}`).toBe(true);
    const hvValues = run.eval(hv, inputs);
    expectAllClose(hvValues.flatMap((t) => [...t.data]), fd2.derivative, { ...SECOND_ORDER, atol: SECOND_ORDER.atol * (1 + fd2.scale) }, `${where}: H·V`);
    const hwValues = run.eval(hw, inputs);
    const hvW = diff.reduce((s, i, k) => s + inner(hvValues[k]!, wsV[i]!), 0);
    const vHw = diff.reduce((s, i, k) => s + inner(vs[i]!, hwValues[k]!), 0);
    const sym = diff.reduce((s, i, k) => s + absInner(hvValues[k]!, wsV[i]!) + absInner(vs[i]!, hwValues[k]!), 0);
    expect(close(hvW, vHw, { rtol: 1e-10, atol: 1e-12 * (sym + fd2.scale) }), `${where}: <HV,W> = ${hvW}, <V,HW> = ${vHw}`).toBe(true);
  }
}

/** The documented tie-breaking, exactly: gradient, J·eᵢ and H·eᵢ = 0. */
export function checkTensorKink(k: TensorKink): void {
  const x = input('x', k.shape);
  const xDot = input('xDot', k.shape);
  const f = k.build(x);
  const [g] = gradient(f, [x]);
  const [dot] = jvp([f], new Map([[x, xDot]]));
  const hv = jvp([g!], new Map([[x, xDot]]));
  const point = { shape: [...k.shape], data: Float64Array.from(k.values) };
  const units = k.values.map((_, i) => ({ shape: [...k.shape], data: Float64Array.from(k.values, (_, j) => (i === j ? 1 : 0)) }));
  const values = (roots: readonly Node[], xDotValue: Tensor) => {
    const v = evaluateTensors(roots, { x: point, xDot: xDotValue });
    return roots.flatMap((r) => [...v.get(r)!.data]);
  };
  const zero = { shape: [...k.shape], data: new Float64Array(k.values.length) };
  expect(values([g!], zero), `${k.what}: reverse`).toEqual(k.gradient);
  expect(units.map((e) => values([dot!], e)[0]), `${k.what}: forward`).toEqual(k.gradient);
  expect(units.flatMap((e) => values(hv, e)).map((v) => v + 0), `${k.what}: H·eᵢ`).toEqual(new Array<number>(k.values.length ** 2).fill(0));
}

type Kernel = (...args: unknown[]) => unknown;

/** Compiled kernels and the reference evaluation agree to rounding, relative to the values' scale. */
function expectCompiledClose(actual: readonly number[], expected: readonly number[], what: string): void {
  const scale = Math.max(maxAbs(actual), maxAbs(expected));
  expectAllClose(actual, expected, { rtol: 1e-12, atol: 1e-12 * scale }, what);
}

/** (d) The kernels compiled for f = Σ U ⊙ out ⊙ out against the reference evaluation. */
export function checkCompiledTensor(c: TensorCase, seed: number): void {
  const run = new CaseRun(c);
  const random = seededRandom(seed);
  const uBar = input('uBar', run.out.shape);
  const f = sum(mul(uBar, mul(run.out, run.out)));
  // Parameters need sizes known at compile time; with none left, U itself is differentiated.
  const numeric = run.diff.map((i) => run.vars[i]!).filter((x) => x.shape.every((dim) => typeof dim === 'number'));
  const wrt = numeric.length > 0 ? numeric : [uBar];
  const model = compileModel({ inputs: [...run.vars, uBar], loss: f, wrt, source: `opSpec ${c.note}` });
  const d = model.derivatives;
  const kernel = (name: string) => model.kernels[name] as Kernel;
  // Kernel parameters: inputs (wrt first), then the sizes of symbolic dimensions, sorted.
  const sizeArgs = Object.keys(run.c.sizes ?? {}).sort().map((k) => run.c.sizes![k]!);
  const arg = (t: Tensor, node: Node) => (node.shape.length === 0 ? t.data[0]! : t.data);
  for (let p = 0; p < POINTS; p++) {
    const xs = c.operands.map((o, i) => sampleOperand(o, run.shapes[i]!, random));
    const values: Record<string, Tensor> = { ...run.point(xs), uBar: direction(run.outShape, random) };
    const vs = wrt.map((x) => direction(values[x.name]!.shape, random));
    const tangents: Record<string, Tensor> = Object.fromEntries(d.tangents.map((t, k) => [t.name, vs[k]!]));
    const args = d.inputs.map((x) => arg(values[x.name]!, x));
    const tangentArgs = d.tangents.map((t) => arg(tangents[t.name]!, t));
    const reference = (roots: readonly Node[]) => run.eval(roots, { ...values, ...tangents }).flatMap((t) => [...t.data]);
    const where = `${c.note} at point ${p}`;

    const value = kernel('value')(...args, ...sizeArgs) as number;
    expectCompiledClose([value], reference([d.value]), `${where}: value vs optimized IR`);
    expectCompiledClose([value], reference([f]), `${where}: value vs un-optimized IR`);
    const gradOut = new Float64Array(model.size);
    kernel('valueAndGradient')(...args, ...sizeArgs, gradOut);
    expectCompiledClose([...gradOut], reference(d.gradient), `${where}: gradient`);
    const jv = kernel('jvp')(...args, ...tangentArgs, ...sizeArgs) as number;
    expectCompiledClose([jv], reference([d.jvp]), `${where}: J·V`);
    const hv = kernel('hvp')(...args, ...tangentArgs, ...sizeArgs, new Float64Array(model.size)) as Float64Array;
    expectCompiledClose([...hv], reference(d.hvp), `${where}: H·V`);
  }
}
