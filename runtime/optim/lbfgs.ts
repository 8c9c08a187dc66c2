// L-BFGS with torch.optim.LBFGS's step(closure) semantics (torch/optim/lbfgs.py).
// One step() runs up to maxIter L-BFGS iterations:
//
//   d = −g on the very first iteration (H_diag = 1), else the two-loop recursion
//       d = −H g over the history, H₀ = H_diag I;
//   the history gains (y, s) = (g − g_prev, t d) only when yᵀs > 1e-10, and then
//       H_diag = yᵀs / yᵀy (the oldest pair is dropped beyond historySize);
//   t = min(1, 1/‖g‖₁)·lr on the very first iteration, lr afterwards;
//   x ← x + t d, with t from PyTorch's strong Wolfe search if lineSearchFn is set.
//
// It stops when gᵀd > −toleranceChange (before moving), or after moving when
// maxIter or maxEval is reached, max|g| ≤ toleranceGrad, max|t d| ≤ toleranceChange,
// or |loss − prev_loss| < toleranceChange. step() returns the loss at the START of
// the step (PyTorch's orig_loss). The counters funcEvals and nIter, the history,
// d, t, H_diag and the previous gradient persist across steps, so consecutive steps
// continue one run (the first iteration of a later step updates the history with
// the pair left by the previous step).
//
// The closure: `closure(gradOut)` must compute the loss at `opt.params` (the array
// given to the constructor, which step() moves in place) and write the gradient
// into gradOut. During a line search params temporarily hold trial points; they
// are restored bit for bit before step() moves them.
import { check, type HyperValue, type OptimizerStateDict, type StateValue } from './optimizer.ts';
import { hyperBoolean, hyperNumber, stateBuffer, stateNumber } from './optimizerSpec.ts';
import { TorchStrongWolfe, type DirectionalEvaluate } from './lineSearch/torchStrongWolfe.ts';
import { axpy, dot, norm1, normInf } from '../linalg/vector.ts';

/** Computes the loss at the optimizer's params and writes its gradient into gradOut. */
export type LBFGSClosure = (gradOut: Float64Array) => number;

export interface LBFGSOptions {
  /** Step size (the line search's first trial). Default 1. */
  readonly lr?: number;
  /** Iterations per step(). Default 20. */
  readonly maxIter?: number;
  /** Closure evaluations per step(). Default floor(maxIter · 5 / 4). */
  readonly maxEval?: number;
  /** First-order optimality: stop when max|g| ≤ toleranceGrad. Default 1e-7. */
  readonly toleranceGrad?: number;
  /** Stop on steps, loss changes or slopes below this. Default 1e-9. */
  readonly toleranceChange?: number;
  /** Curvature pairs kept. Default 100. */
  readonly historySize?: number;
  /** null (fixed step t) or 'strong_wolfe'. Default null. */
  readonly lineSearchFn?: 'strong_wolfe' | null;
}

export class LBFGS {
  readonly type = 'LBFGS';
  readonly params: Float64Array;
  lr: number;
  initialLr: number | undefined = undefined;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
  /** Closure evaluations over all steps (PyTorch's state['func_evals']). */
  funcEvals = 0;
  /** Iterations over all steps (PyTorch's state['n_iter']). */
  nIter = 0;
  private d: Float64Array | null = null;
  private t: number | null = null;
  /** History, oldest first: y (old_dirs) and s (old_stps) and ρ = 1/yᵀs (ro). */
  private oldDirs: Float64Array[] = [];
  private oldStps: Float64Array[] = [];
  private ro: number[] = [];
  private hDiag = 1;
  private prevFlatGrad: Float64Array | null = null;
  private prevLoss: number | null = null;
  private readonly work: LBFGSWork;

  constructor(params: Float64Array, options: LBFGSOptions = {}) {
    this.params = params;
    this.lr = options.lr ?? 1;
    this.maxIter = options.maxIter ?? 20;
    this.maxEval = options.maxEval ?? Math.floor((this.maxIter * 5) / 4);
    this.toleranceGrad = options.toleranceGrad ?? 1e-7;
    this.toleranceChange = options.toleranceChange ?? 1e-9;
    this.historySize = options.historySize ?? 100;
    this.lineSearchFn = options.lineSearchFn ?? null;
    check(this.lr >= 0, `Invalid learning rate: ${this.lr}; it must be a number >= 0.`);
    check(Number.isInteger(this.historySize) && this.historySize >= 1, `Invalid historySize: ${this.historySize}; it must be an integer >= 1.`);
    this.work = new LBFGSWork(params.length);
  }

  /** Runs up to maxIter iterations from params (moved in place); returns the loss at the start. */
  step(closure: LBFGSClosure): number {
    const { params, work } = this;
    const flatGrad = work.flatGrad;
    const origLoss = closure(flatGrad);
    let loss = origLoss;
    let currentEvals = 1;
    this.funcEvals++;
    let optCond = normInf(flatGrad) <= this.toleranceGrad;
    if (optCond) return origLoss;
    const phi = this.lineSearchFn === 'strong_wolfe' ? this.directionalEvaluate(closure) : null;
    for (let nIter = 1; nIter <= this.maxIter; nIter++) {
      this.nIter++;
      const d = this.direction(flatGrad);
      (this.prevFlatGrad ??= new Float64Array(params.length)).set(flatGrad);
      this.prevLoss = loss;
      let t = this.nIter === 1 ? Math.min(1, 1 / norm1(flatGrad)) * this.lr : this.lr;
      this.t = t;
      const gtd = dot(flatGrad, d);
      if (gtd > -this.toleranceChange) break; // the slope along d is below tolerance
      let lsFuncEvals = 0;
      if (phi !== null) {
        const ls = work.lineSearch;
        work.xInit.set(params);
        ls.search(phi, work.xInit, t, d, loss, flatGrad, gtd);
        loss = ls.f;
        t = ls.t;
        lsFuncEvals = ls.evaluations;
        flatGrad.set(ls.g);
        moveParams(params, t, d);
        optCond = normInf(flatGrad) <= this.toleranceGrad;
      } else {
        moveParams(params, t, d);
        // Not re-evaluated after the last iteration: the next step() evaluates anyway.
        if (nIter !== this.maxIter) {
          loss = closure(flatGrad);
          optCond = normInf(flatGrad) <= this.toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      this.t = t;
      currentEvals += lsFuncEvals;
      this.funcEvals += lsFuncEvals;
      if (nIter === this.maxIter || currentEvals >= this.maxEval || optCond) break;
      if (maxAbsScaled(d, t) <= this.toleranceChange || Math.abs(loss - this.prevLoss) < this.toleranceChange) break;
    }
    return origLoss;
  }

  /** Forgets all state (history, counters), as a newly built optimizer. */
  zeroState(): void {
    this.funcEvals = 0;
    this.nIter = 0;
    this.d = null;
    this.t = null;
    this.oldDirs = [];
    this.oldStps = [];
    this.ro = [];
    this.hDiag = 1;
    this.prevFlatGrad = null;
    this.prevLoss = null;
  }

  /** The search direction d (this.d, updated in place); updates the history first. */
  private direction(flatGrad: Float64Array): Float64Array {
    const d = (this.d ??= new Float64Array(flatGrad.length));
    if (this.nIter === 1) {
      for (let i = 0; i < d.length; i++) d[i] = -flatGrad[i];
      this.oldDirs = [];
      this.oldStps = [];
      this.ro = [];
      this.hDiag = 1;
      return d;
    }
    this.updateHistory(flatGrad, d);
    this.twoLoop(flatGrad, d);
    return d;
  }

  /** y = g − g_prev, s = t d; kept when yᵀs > 1e-10, which also sets H_diag = yᵀs / yᵀy. */
  private updateHistory(flatGrad: Float64Array, d: Float64Array): void {
    const w = this.work;
    const { spareY: y, spareS: s } = w;
    const prev = this.prevFlatGrad ?? flatGrad;
    const t = this.t ?? 0;
    for (let i = 0; i < y.length; i++) {
      y[i] = flatGrad[i] - prev[i];
      s[i] = d[i] * t;
    }
    const ys = dot(y, s);
    if (!(ys > 1e-10)) return;
    // Drop the oldest pair when full, recycling its buffers for the next candidate.
    const full = this.oldDirs.length === this.historySize;
    const nextY = full ? this.oldDirs.shift() : undefined;
    const nextS = full ? this.oldStps.shift() : undefined;
    if (full) this.ro.shift();
    this.oldDirs.push(y);
    this.oldStps.push(s);
    this.ro.push(1 / ys);
    this.hDiag = ys / dot(y, y);
    w.spareY = nextY ?? new Float64Array(y.length);
    w.spareS = nextS ?? new Float64Array(y.length);
  }

  /** d ← −H g by the two-loop recursion over the history, H₀ = H_diag I. */
  private twoLoop(flatGrad: Float64Array, d: Float64Array): void {
    const { oldDirs, oldStps, ro } = this;
    const num = oldDirs.length;
    const al = this.work.alphas(num);
    for (let i = 0; i < d.length; i++) d[i] = -flatGrad[i]; // q
    for (let i = num - 1; i >= 0; i--) {
      al[i] = dot(oldStps[i], d) * ro[i];
      axpy(-al[i], oldDirs[i], d);
    }
    for (let i = 0; i < d.length; i++) d[i] *= this.hDiag; // r = q H_diag
    for (let i = 0; i < num; i++) {
      const be = dot(oldDirs[i], d) * ro[i];
      axpy(al[i] - be, oldStps[i], d);
    }
  }

  /** PyTorch's _directional_evaluate: the loss at params + t d (params equal x), then params ← x. */
  private directionalEvaluate(closure: LBFGSClosure): DirectionalEvaluate {
    const params = this.params;
    return (x, t, d, gOut) => {
      moveParams(params, t, d);
      const f = closure(gOut);
      params.set(x);
      return f;
    };
  }

  stateDict(): OptimizerStateDict {
    const { maxIter, maxEval, toleranceGrad, toleranceChange, historySize } = this;
    const hyper: Record<string, HyperValue> = { maxIter, maxEval, toleranceGrad, toleranceChange, historySize, strongWolfe: this.lineSearchFn === 'strong_wolfe' };
    const state: Record<string, StateValue> = {
      funcEvals: this.funcEvals,
      nIter: this.nIter,
      d: this.d?.slice() ?? null,
      t: this.t,
      oldDirs: concat(this.oldDirs),
      oldStps: concat(this.oldStps),
      ro: Float64Array.from(this.ro),
      hDiag: this.hDiag,
      prevFlatGrad: this.prevFlatGrad?.slice() ?? null,
      prevLoss: this.prevLoss,
    };
    return { type: this.type, lr: this.lr, initialLr: this.initialLr, hyper, state };
  }

  loadStateDict(dict: OptimizerStateDict): void {
    if (dict.type !== this.type) throw new TypeError(`Cannot load a ${dict.type} state dict into LBFGS; build a ${dict.type} instead.`);
    const { hyper: h, state: s } = dict;
    this.lr = dict.lr;
    this.initialLr = dict.initialLr;
    this.maxIter = hyperNumber(h, 'maxIter');
    this.maxEval = hyperNumber(h, 'maxEval');
    this.toleranceGrad = hyperNumber(h, 'toleranceGrad');
    this.toleranceChange = hyperNumber(h, 'toleranceChange');
    this.historySize = hyperNumber(h, 'historySize');
    this.lineSearchFn = hyperBoolean(h, 'strongWolfe') ? 'strong_wolfe' : null;
    this.funcEvals = stateNumber(s, 'funcEvals');
    this.nIter = stateNumber(s, 'nIter');
    this.d = stateBuffer(s, 'd')?.slice() ?? null;
    this.t = s['t'] === null ? null : stateNumber(s, 't');
    const ro = stateBuffer(s, 'ro') ?? new Float64Array(0);
    this.ro = Array.from(ro);
    this.oldDirs = split(stateBuffer(s, 'oldDirs'), ro.length, this.params.length);
    this.oldStps = split(stateBuffer(s, 'oldStps'), ro.length, this.params.length);
    this.hDiag = stateNumber(s, 'hDiag');
    this.prevFlatGrad = stateBuffer(s, 'prevFlatGrad')?.slice() ?? null;
    this.prevLoss = s['prevLoss'] === null ? null : stateNumber(s, 'prevLoss');
  }
}

/** Per-optimizer scratch, allocated once: nothing here is state. */
class LBFGSWork {
  readonly flatGrad: Float64Array;
  readonly xInit: Float64Array;
  /** Buffers for the next (y, s) pair; they join the history when it is kept. */
  spareY: Float64Array;
  spareS: Float64Array;
  private al = new Float64Array(0);
  private ls: TorchStrongWolfe | null = null;

  constructor(private readonly n: number) {
    this.flatGrad = new Float64Array(n);
    this.xInit = new Float64Array(n);
    this.spareY = new Float64Array(n);
    this.spareS = new Float64Array(n);
  }

  get lineSearch(): TorchStrongWolfe {
    return (this.ls ??= new TorchStrongWolfe(this.n));
  }

  /** The two-loop coefficients αᵢ (PyTorch's state['al']), at least `num` long. */
  alphas(num: number): Float64Array {
    if (this.al.length < num) this.al = new Float64Array(num);
    return this.al;
  }
}

/** x ← x + t d (PyTorch's _add_grad). */
function moveParams(x: Float64Array, t: number, d: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] += t * d[i];
}

/** max |dᵢ t| (PyTorch's d.mul(t).abs().max()). */
function maxAbsScaled(d: Float64Array, t: number): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i] * t));
  return m;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const n = parts.length === 0 ? 0 : parts[0].length;
  const out = new Float64Array(parts.length * n);
  parts.forEach((p, k) => out.set(p, k * n));
  return out;
}

function split(flat: Float64Array | null, count: number, n: number): Float64Array[] {
  if (flat === null || flat.length !== count * n) {
    throw new TypeError(`LBFGS state dict: a history of ${count} pairs of ${n} numbers should hold ${count * n} numbers but holds ${flat?.length ?? 0}.`);
  }
  return Array.from({ length: count }, (_, k) => flat.slice(k * n, (k + 1) * n));
}
