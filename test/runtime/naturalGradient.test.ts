// Natural gradient on softmax regression (issue 8, must-show 4): the Fisher-vector
// product equals F v with F formed densely from its definition; the CG solve
// equals a direct solve of (F + λI) δ = g; a small natural-gradient step changes
// the predicted probabilities the same way (to 1e-6 relative) under an invertible
// linear reparametrization of the weights, where a plain gradient step does not.
import { describe, expect, it } from 'vitest';
import { minimizeBFGS, minimizeNaturalGradient, NaturalGradient, NaturalGradientSolver, SeededRng } from '../../runtime/index.ts';
import { maxAbsDiff, solveDense } from './minimize/problems.ts';
import { allProbabilities, denseFisher, softmaxFisherProduct, softmaxObjective, softmaxProblem } from './naturalGradientSoftmax.ts';

// 100 examples: enough that the classes overlap and the maximum-likelihood fit is finite (with 40 the draws of seed 11 are separable).
const prob = softmaxProblem(100, 4, 3, 11); // 3 features + bias, 3 classes: 12 parameters
const m = prob.k * prob.d;
const objective = softmaxObjective(prob);
const fvp = softmaxFisherProduct(prob);
const rand = SeededRng.fromSeed(5).asFunction();
const randomVector = (len: number, scale = 1) => Float64Array.from({ length: len }, () => scale * (2 * rand() - 1));
const w0 = randomVector(m, 0.5);

function gradientAt(w: Float64Array): Float64Array {
  const g = new Float64Array(w.length);
  objective(w, g);
  return g;
}

function matVec(a: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  return Float64Array.from({ length: a.length / n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j]! * v[j]!;
    return s;
  });
}

function transpose(a: Float64Array, n: number): Float64Array {
  return Float64Array.from({ length: n * n }, (_, idx) => a[(idx % n) * n + Math.floor(idx / n)]!);
}

function relDiff(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe('the Fisher-vector product of softmax regression', () => {
  const fisher = denseFisher(prob, w0);

  it('equals F v with F formed densely from E[∇log p ∇log pᵀ], for random v', () => {
    const out = new Float64Array(m);
    for (let trial = 0; trial < 5; trial++) {
      const v = randomVector(m);
      fvp(w0, v, out);
      expect(maxAbsDiff(out, matVec(fisher, v))).toBeLessThan(1e-14 * Math.max(1, Math.max(...out.map(Math.abs))) * m);
    }
  });

  it('F is the Hessian of the loss here (the logits are linear in θ), by central differences of the gradient', () => {
    const h = 1e-5;
    for (let j = 0; j < m; j++) {
      const plus = w0.slice();
      const minus = w0.slice();
      plus[j]! += h;
      minus[j]! -= h;
      const gp = gradientAt(plus);
      const gm = gradientAt(minus);
      const column = Float64Array.from(gp, (v, i) => (v - gm[i]!) / (2 * h));
      expect(maxAbsDiff(column, fisher.subarray(j * m, (j + 1) * m))).toBeLessThan(1e-8);
    }
  });

  it('F is singular (softmax is shift-invariant per feature): the damping is what makes the system solvable', () => {
    const shift = new Float64Array(m);
    for (let c = 0; c < prob.k; c++) shift[c * prob.d + 1] = 1; // add the same weight to every class
    const out = new Float64Array(m);
    fvp(w0, shift, out);
    expect(Math.max(...out.map(Math.abs))).toBeLessThan(1e-15);
  });
});

describe('NaturalGradientSolver', () => {
  it('CG with Fisher-vector products equals the direct solve of (F + λI) δ = g', () => {
    const g = gradientAt(w0);
    for (const damping of [1e-1, 1e-3]) {
      const a = denseFisher(prob, w0);
      for (let i = 0; i < m; i++) a[i * m + i]! += damping;
      const direct = solveDense(a, g);
      const solver = new NaturalGradientSolver(fvp, { damping, cgTol: 1e-12, cgMaxIter: 200 });
      const delta = new Float64Array(m);
      const r = solver.solve(w0, g, delta);
      expect(r.relativeResidual).toBeLessThan(1e-11);
      expect(r.cgIterations).toBeLessThanOrEqual(m + 5);
      expect(relDiff(delta, direct)).toBeLessThan(1e-9);
    }
  });
});

describe('reparametrization invariance (must-show 4)', () => {
  // θ = A φ with an invertible A: the loss in φ is f(Aφ), its gradient Aᵀ∇f and its
  // Fisher AᵀFA. A step in φ moves θ by A Δφ.
  const a = Float64Array.from({ length: m * m }, (_, idx) => (idx % (m + 1) === 0 ? 1.5 : 0) + 0.4 * (2 * rand() - 1));
  const aT = transpose(a, m);
  const phi0 = randomVector(m, 0.3);
  const theta0 = matVec(a, phi0);
  const gPhi = matVec(aT, gradientAt(theta0));
  const fvpPhi = (phi: Float64Array, v: Float64Array, out: Float64Array) => {
    const inner = new Float64Array(m);
    fvp(matVec(a, phi), matVec(a, v), inner);
    out.set(matVec(aT, inner));
  };
  const p0 = allProbabilities(prob, theta0);
  const lr = 1e-3;

  /** Δp after one step of `makeOpt()` in θ, and after the same step in φ mapped back to θ. */
  function probabilityChanges(stepTheta: (theta: Float64Array) => void, stepPhi: (phi: Float64Array) => void) {
    const theta = theta0.slice();
    stepTheta(theta);
    const phi = phi0.slice();
    stepPhi(phi);
    const dTheta = allProbabilities(prob, theta).map((v, i) => v - p0[i]!);
    const dPhi = allProbabilities(prob, matVec(a, phi)).map((v, i) => v - p0[i]!);
    return { dTheta, dPhi };
  }

  it('A is well conditioned enough to be a fair test (its direct inverse reproduces φ)', () => {
    expect(maxAbsDiff(solveDense(a, theta0), phi0)).toBeLessThan(1e-12);
  });

  it('a natural-gradient step with tiny damping changes the probabilities identically in θ and in φ', () => {
    const options = { lr, damping: 1e-10, cgTol: 1e-13, cgMaxIter: 500 };
    const { dTheta, dPhi } = probabilityChanges(
      (theta) => new NaturalGradient(fvp, options).step(theta, gradientAt(theta0)),
      (phi) => new NaturalGradient(fvpPhi, options).step(phi, gPhi),
    );
    expect(Math.sqrt(dTheta.reduce((s, v) => s + v * v, 0))).toBeGreaterThan(1e-5); // the step does move the predictions
    expect(relDiff(dPhi, dTheta)).toBeLessThan(1e-6);
  });

  it('a plain gradient step does not: the reparametrization changes where it goes', () => {
    const { dTheta, dPhi } = probabilityChanges(
      (theta) => gradientAt(theta0).forEach((g, i) => (theta[i]! -= lr * g)),
      (phi) => gPhi.forEach((g, i) => (phi[i]! -= lr * g)),
    );
    expect(relDiff(dPhi, dTheta)).toBeGreaterThan(0.1);
  });
});

describe('minimizeNaturalGradient', () => {
  it('reaches the maximum-likelihood fit (‖∇f‖∞ ≤ 1e-9) in far fewer iterations than BFGS', () => {
    const r = minimizeNaturalGradient(objective, fvp, new Float64Array(m), { gradTol: 1e-9, damping: 1e-3, cgTol: 1e-10, cgMaxIter: 100 });
    expect(r.status, r.reason).toBe('gradient-tolerance');
    const b = minimizeBFGS(objective, new Float64Array(m), { gradTol: 1e-9 });
    expect(b.status, b.reason).toBe('gradient-tolerance');
    expect(Math.max(...Array.from(b.x, Math.abs))).toBeLessThan(10); // a finite fit, not weights running off on separable data
    expect(r.f).toBeCloseTo(b.f, 12);
    expect(r.iterations).toBeLessThan(b.iterations / 2);
    expect(r.steps['natural-gradient']).toBe(r.iterations);
    // Each iteration: CG products plus one for the model's predicted decrease (damping adaptation).
    expect(r.fisherVectorProducts).toBeGreaterThanOrEqual(r.cgIterations + r.iterations);
    // Steps that the quadratic model predicts well shrink the damping.
    expect(r.damping).toBeLessThan(1e-3);
  });

  it('the callback sees each iteration and can stop the run', () => {
    const seen: number[] = [];
    const r = minimizeNaturalGradient(objective, fvp, new Float64Array(m), { callback: (info) => (seen.push(info.f), info.iteration === 3) });
    expect(r.status).toBe('callback');
    expect(seen).toHaveLength(3);
    expect(seen[2]!).toBeLessThan(seen[0]!);
  });
});

describe('NaturalGradient (optimizer)', () => {
  const lossAt = (w: Float64Array) => objective(w, new Float64Array(m));

  it('lowers the loss with lr 1 and fixed damping, step after step', () => {
    const opt = new NaturalGradient(fvp, { damping: 1e-2 });
    const w = new Float64Array(m);
    const g = new Float64Array(m);
    const losses = [objective(w, g)];
    for (let t = 0; t < 6; t++) {
      opt.step(w, g);
      losses.push(objective(w, g));
    }
    for (let t = 1; t < losses.length; t++) expect(losses[t]!).toBeLessThan(losses[t - 1]!);
    expect(opt.steps).toBe(6);
    expect(opt.fisherVectorProducts).toBeGreaterThanOrEqual(opt.cgIterations);
  });

  it('a state dict restores the run exactly (damping adaptation included)', () => {
    const options = { damping: 1, adaptDamping: true, loss: lossAt, lr: 0.7 };
    const run = (opt: NaturalGradient, w: Float64Array, steps: number) => {
      const g = new Float64Array(m);
      for (let t = 0; t < steps; t++) {
        objective(w, g);
        opt.step(w, g);
      }
    };
    const a = new NaturalGradient(fvp, options);
    const wa = new Float64Array(m);
    run(a, wa, 3);
    const b = new NaturalGradient(fvp, { ...options, damping: 123 });
    b.loadStateDict(a.stateDict());
    expect(b.damping).toBe(a.damping);
    expect(a.damping).not.toBe(1); // it adapted
    const wb = wa.slice();
    run(a, wa, 3);
    run(b, wb, 3);
    expect(Array.from(wb)).toEqual(Array.from(wa));
    expect(b.steps).toBe(6);
  });

  it('damping adaptation undoes a step that raises the loss and raises λ by 3/2', () => {
    const opt = new NaturalGradient(fvp, { lr: 50, damping: 1e-4, adaptDamping: true, loss: lossAt });
    const w = w0.slice();
    const g = gradientAt(w);
    opt.step(w, g);
    expect(opt.rejectedSteps).toBe(1);
    expect(Array.from(w)).toEqual(Array.from(w0));
    expect(opt.damping).toBeCloseTo(1.5e-4, 18);
  });

  it('says what to pass when damping adaptation has no loss', () => {
    expect(() => new NaturalGradient(fvp, { adaptDamping: true })).toThrow(/adaptDamping needs options\.loss/);
  });
});
