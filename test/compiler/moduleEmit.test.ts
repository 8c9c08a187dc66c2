/**
 * `--emit`: one generated-module format whose contents are chosen per build.
 * The VJP of a tensor-output model function (`logitsVjp`, reverse mode) is
 * checked against the dense Jacobian built column by column from its JVP and
 * against central differences of `logits`; the dense Hessian kind against
 * Hessian-vector products and finite differences of the gradient; a smaller
 * selection drops what it does not name and still type-checks strictly.
 */
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { DERIVATIVE_KINDS } from '../../compiler/autodiff/derive.ts';
import { UsageError } from '../../compiler/errors.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { typeCheckModule } from '../../compiler/load/typeCheckModule.ts';
import { DEFAULT_EMIT, MODULE_KINDS, parseEmit } from '../../compiler/module/emitSpec.ts';
import type { EmitSpec } from '../../compiler/module/emitSpec.ts';
import { seededRandom } from './gradcheck.ts';

const MLP = `import { add, matmul, relu, softmaxCrossEntropy, tanh } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** Class scores. */
export function logits(W1: Param<Tensor<[4, 5]>>, b1: Param<Tensor<[5]>>, W2: Param<Tensor<[5, 3]>>, b2: Param<Tensor<[3]>>, X: Tensor<['batch', 4]>): Tensor<['batch', 3]> {
  const hidden = tanh(add(matmul(X, W1), b1));
  return add(matmul(hidden, W2), b2);
}

/** Cross-entropy. */
export function loss(W1: Param<Tensor<[4, 5]>>, b1: Param<Tensor<[5]>>, W2: Param<Tensor<[5, 3]>>, b2: Param<Tensor<[3]>>, X: Tensor<['batch', 4]>, labels: Tensor<['batch']>): number {
  return softmaxCrossEntropy(logits(W1, b1, W2, b2, X), labels);
}
`;
const PATH = 'models/emit.model.ts';
const N = 4 * 5 + 5 + 5 * 3 + 3;
const BATCH = 3;
const M = BATCH * 3;

type Fn = (...args: (number | Float64Array)[]) => unknown;
const build = (emit: EmitSpec) => compileModelFile(PATH, { text: MLP, emit }).files[0]!.content;
const load = (emit: EmitSpec) => {
  const mod = loadModule(build(emit));
  return (name: string) => mod[name] as Fn;
};

function point(seed: number) {
  const random = seededRandom(seed);
  const uniform = (a: number, b: number) => a + (b - a) * random();
  const theta = Float64Array.from({ length: N }, () => uniform(-0.8, 0.8));
  const X = Float64Array.from({ length: BATCH * 4 }, () => uniform(-1, 1));
  const labels = Float64Array.from({ length: BATCH }, (_, i) => i % 3);
  const u = Float64Array.from({ length: M }, () => uniform(-1, 1));
  return { theta, X, labels, u };
}

/** The four parameter views of a flat θ, in layout order. */
const views = (theta: Float64Array): Float64Array[] => [theta.subarray(0, 20), theta.subarray(20, 25), theta.subarray(25, 40), theta.subarray(40, 43)];

describe('gradc compile --emit', () => {
  it('knows one kind per derivative the driver builds, and flat', () => {
    expect([...DERIVATIVE_KINDS, 'jacobian', 'flat'].sort()).toEqual([...MODULE_KINDS].sort());
    expect(parseEmit('js')).toEqual({ language: 'js', kinds: DEFAULT_EMIT });
    expect(parseEmit(['value', 'js', 'vjp'])).toEqual({ language: 'js', kinds: ['value', 'vjp'] });
    expect(() => parseEmit(['ts', 'js'])).toThrow(/one language, not ts and js/);
    expect(() => parseEmit(['value', 'hesian' as never], '--emit')).toThrow(UsageError);
    expect(() => parseEmit(['hesian' as never], '--emit')).toThrow(/'hesian' is not a language .* did you mean 'hessian'/);
  });

  it('logitsVjp (reverse mode) equals uᵀJ for the dense Jacobian built from logitsJvp, and central differences of logits', () => {
    const k = load(['value', 'jvp', 'vjp', 'flat']);
    for (const seed of [1, 2, 3]) {
      const { theta, X, u } = point(seed);
      const J = new Float64Array(M * N);
      const e = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        e.fill(0);
        e[j] = 1;
        const col = k('logitsJvp')(...views(theta), X, e) as Float64Array;
        for (let r = 0; r < M; r++) J[r * N + j] = col[r]!;
      }
      const expected = Array.from({ length: N }, (_, j) => {
        let s = 0;
        for (let r = 0; r < M; r++) s += u[r]! * J[r * N + j]!;
        return s;
      });
      const vjp = k('logitsVjp')(...views(theta), X, u) as Float64Array;
      expect(vjp).toHaveLength(N);
      vjp.forEach((g, j) => expect(g).toBeCloseTo(expected[j]!, 12));
      // The flat variant is the same function of one vector.
      const flat = (k('logitsFlat')(X) as { vjp: (x: Float64Array, u: Float64Array) => Float64Array }).vjp(theta, u);
      expect(Array.from(flat)).toEqual(Array.from(vjp));
      // Central differences of ⟨u, logits(θ)⟩ along each coordinate.
      const pairing = (t: Float64Array) => {
        const z = k('logits')(...views(t), X) as Float64Array;
        return z.reduce((s, zi, r) => s + u[r]! * zi, 0);
      };
      for (let j = 0; j < N; j++) {
        const h = 1e-6;
        const plus = Float64Array.from(theta);
        const minus = Float64Array.from(theta);
        plus[j] += h;
        minus[j] -= h;
        expect(vjp[j]).toBeCloseTo((pairing(plus) - pairing(minus)) / (2 * h), 7);
      }
    }
  });

  it('the jacobian kind: logitsJacobian equals the Jacobian from JVP columns, by VJP rows (batch 3) and by JVP columns (batch 20)', () => {
    const k = load(['value', 'jacobian', 'flat']);
    for (const batch of [3, 20]) {
      const m = batch * 3;
      const { theta } = point(batch);
      const random = seededRandom(batch + 100);
      const X = Float64Array.from({ length: batch * 4 }, () => 2 * random() - 1);
      const J = k('logitsJacobian')(...views(theta), X) as Float64Array;
      expect(J).toHaveLength(m * N);
      const e = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        e.fill(0);
        e[j] = 1;
        const col = k('logitsJvp')(...views(theta), X, e) as Float64Array;
        for (let r = 0; r < m; r++) expect(J[r * N + j]).toBeCloseTo(col[r]!, 12);
      }
      const flat = new Float64Array(m * N);
      (k('logitsFlat')(X) as { jacobian: (x: Float64Array, out: Float64Array) => Float64Array }).jacobian(theta, flat);
      expect(Array.from(flat)).toEqual(Array.from(J));
    }
  });

  it('the hessian kind: lossHessian equals the flat Hessian, is symmetric and matches differences of the gradient', () => {
    const k = load(['value', 'gradient', 'hessian', 'flat']);
    const { theta, X, labels } = point(4);
    const H = k('lossHessian')(...views(theta), X, labels) as Float64Array;
    expect(H).toHaveLength(N * N);
    const flat = new Float64Array(N * N);
    (k('lossFlat')(X, labels) as { hessian: (x: Float64Array, out: Float64Array) => void }).hessian(theta, flat);
    expect(Array.from(H)).toEqual(Array.from(flat));
    const grad = (t: Float64Array) => k('lossGradient')(...views(t), X, labels) as Float64Array;
    for (const j of [0, 7, 22, 31, 42]) {
      const h = 1e-5;
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[j] += h;
      minus[j] -= h;
      const gp = grad(plus);
      const gm = grad(minus);
      for (let i = 0; i < N; i++) {
        expect(H[i * N + j]).toBeCloseTo(H[j * N + i]!, 14);
        expect(H[i * N + j]).toBeCloseTo((gp[i]! - gm[i]!) / (2 * h), 6);
      }
    }
  });

  it('carries only what it names: value,gradient has no JVP, HVP or flat variants, and type-checks strictly', () => {
    const small = build(['value', 'gradient']);
    const full = build([...MODULE_KINDS]);
    const standard = build('ts');
    for (const name of ['logits', 'loss', 'lossValueAndGradient', 'lossGradient']) expect(small).toContain(`export function ${name}(`);
    for (const name of ['logitsJvp', 'lossJvp', 'lossHvp', 'lossGgnvp', 'lossFlat', 'logitsFlat', 'logitsVjp']) expect(small).not.toContain(`function ${name}(`);
    for (const name of ['logitsVjp', 'lossHessian', 'lossGgnvp', 'logitsFlat']) expect(full).toContain(`export function ${name}(`);
    expect(small.length).toBeLessThan(standard.length / 2);
    expect(standard.length).toBeLessThan(full.length);
    expect(typeCheckModule(small)).toEqual([]);
    expect(typeCheckModule(full)).toEqual([]);
  });

  it('value,gradient,flat: flat variants with value and objective only (FlatGradient), for a trainer', () => {
    const source = build(['value', 'gradient', 'flat']);
    expect(source).toContain('export function lossFlat(X: Float64Array, labels: Float64Array): FlatGradient<');
    expect(source).not.toMatch(/function lossHvp|function lossJvp|lossHvpKernel|lossJvpKernel/);
    expect(typeCheckModule(source)).toEqual([]);
    const mod = loadModule(source);
    const { theta, X, labels } = point(5);
    const flat = (mod['lossFlat'] as Fn)(X, labels) as { objective: (x: Float64Array, g: Float64Array) => number; value: (x: Float64Array) => number };
    const g = new Float64Array(N);
    const value = flat.objective(theta, g);
    expect(value).toBe(flat.value(theta));
    expect(Array.from(g)).toEqual(Array.from((mod['lossGradient'] as Fn)(...views(theta), X, labels) as Float64Array));
  });

  it('--emit js,value,gradient writes JavaScript with only those functions', () => {
    const files = compileModelFile(PATH, { text: MLP, emit: ['js', 'value', 'gradient'] }).files;
    expect(files.map((f) => f.path)).toEqual(['models/emit.grad.js', 'models/emit.grad.d.ts']);
    expect(files[0]!.content).toContain('export function lossGradient(');
    expect(files[0]!.content).not.toContain('lossHvp');
  });
});
