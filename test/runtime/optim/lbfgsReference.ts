// torch.optim.LBFGS.step and its _strong_wolfe / _cubic_interpolate, transcribed
// line by line from torch/optim/lbfgs.py onto plain number arrays, for the tests of
// the LBFGS class. Written separately and plainly on purpose: no buffers, no reuse,
// clones where Python clones.

export interface RefOptions {
  lr: number;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}

export interface RefState {
  funcEvals: number;
  nIter: number;
  d?: number[];
  t?: number;
  oldDirs?: number[][];
  oldStps?: number[][];
  ro?: number[];
  H_diag?: number;
  prevFlatGrad?: number[];
  prevLoss?: number;
}

/** The loss and gradient at the current params. */
export type RefClosure = () => [number, number[]];

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const absMax = (a: number[]): number => Math.max(...a.map(Math.abs));

function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

type ObjFunc = (x: number[], t: number, d: number[]) => [number, number[]];

function strongWolfe(objFunc: ObjFunc, x: number[], t: number, d: number[], f: number, g: number[], gtd: number): [number, number[], number, number] {
  const c1 = 1e-4;
  const c2 = 0.9;
  const toleranceChange = 1e-9;
  const maxLs = 25;
  const dNorm = absMax(d);
  g = g.slice();
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: number[][] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.slice()], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.slice()], [gtdPrev, gtdNew]];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.slice();
    gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];
  }
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const bMax = Math.max(...bracket);
    const bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.slice();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.slice();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

/** One LBFGS.step(closure) on `params` (mutated), with `state` carried between calls. */
export function refStep(params: number[], closure: RefClosure, o: RefOptions, state: RefState): number {
  const addGrad = (t: number, d: number[]): void => d.forEach((di, i) => (params[i] = params[i]! + t * di));
  let [origLoss, flatGrad] = closure();
  let loss = origLoss;
  let currentEvals = 1;
  state.funcEvals += 1;
  let optCond = absMax(flatGrad) <= o.toleranceGrad;
  if (optCond) return origLoss;
  let { d, t, oldDirs, oldStps, ro, H_diag, prevFlatGrad, prevLoss } = state;
  let nIter = 0;
  while (nIter < o.maxIter) {
    nIter += 1;
    state.nIter += 1;
    if (state.nIter === 1) {
      d = flatGrad.map((v) => -v);
      oldDirs = [];
      oldStps = [];
      ro = [];
      H_diag = 1;
    } else {
      const y = flatGrad.map((v, i) => v - prevFlatGrad![i]!);
      const s = d!.map((v) => v * t!);
      const ys = dot(y, s);
      if (ys > 1e-10) {
        if (oldDirs!.length === o.historySize) {
          oldDirs!.shift();
          oldStps!.shift();
          ro!.shift();
        }
        oldDirs!.push(y);
        oldStps!.push(s);
        ro!.push(1.0 / ys);
        H_diag = ys / dot(y, y);
      }
      const numOld = oldDirs!.length;
      const al: number[] = new Array<number>(o.historySize);
      const q = flatGrad.map((v) => -v);
      for (let i = numOld - 1; i >= 0; i--) {
        al[i] = dot(oldStps![i]!, q) * ro![i]!;
        for (let j = 0; j < q.length; j++) q[j] = q[j]! + -al[i]! * oldDirs![i]![j]!;
      }
      const r = q.map((v) => v * H_diag!);
      d = r;
      for (let i = 0; i < numOld; i++) {
        const beI = dot(oldDirs![i]!, r) * ro![i]!;
        for (let j = 0; j < r.length; j++) r[j] = r[j]! + (al[i]! - beI) * oldStps![i]![j]!;
      }
    }
    prevFlatGrad = flatGrad.slice();
    prevLoss = loss;
    t = state.nIter === 1 ? Math.min(1.0, 1.0 / flatGrad.reduce((s, v) => s + Math.abs(v), 0)) * o.lr : o.lr;
    const gtd = dot(flatGrad, d!);
    if (gtd > -o.toleranceChange) break;
    let lsFuncEvals = 0;
    if (o.lineSearchFn !== null) {
      const xInit = params.slice();
      const objFunc: ObjFunc = (x, tt, dd) => {
        addGrad(tt, dd);
        const [l, g] = closure();
        params.splice(0, params.length, ...x);
        return [l, g.slice()];
      };
      [loss, flatGrad, t, lsFuncEvals] = strongWolfe(objFunc, xInit, t, d!, loss, flatGrad, gtd);
      addGrad(t, d!);
      optCond = absMax(flatGrad) <= o.toleranceGrad;
    } else {
      addGrad(t, d!);
      if (nIter !== o.maxIter) {
        [loss, flatGrad] = closure();
        optCond = absMax(flatGrad) <= o.toleranceGrad;
        lsFuncEvals = 1;
      }
    }
    currentEvals += lsFuncEvals;
    state.funcEvals += lsFuncEvals;
    if (nIter === o.maxIter) break;
    if (currentEvals >= o.maxEval) break;
    if (optCond) break;
    if (absMax(d!.map((v) => v * t!)) <= o.toleranceChange) break;
    if (Math.abs(loss - prevLoss) < o.toleranceChange) break;
  }
  Object.assign(state, { d, t, oldDirs, oldStps, ro, H_diag, prevFlatGrad, prevLoss });
  return origLoss;
}
