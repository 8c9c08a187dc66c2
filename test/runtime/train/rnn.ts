// A small Elman RNN with a hand-written window gradient, for the truncated-BPTT tests:
//
//   h_t = tanh(Wh h_{t−1} + wx x_t + b),   p_t = v·h_t + c,   L = mean ½ (p_t − y_t)²
//
// over the sequences and steps of one window, starting from hIn (a constant: no
// gradient flows into it). Parameters, flat: Wh [H, H] row-major, wx [H], b [H], v [H], c.
import type { RecurrentStep } from '../../../runtime/index.ts';

export const H = 3;
export const PARAMS = H * H + 3 * H + 1;

export interface Window {
  /** Inputs and targets, [sequences, k] row-major. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly k: number;
}

export const rnnStep: RecurrentStep<Window> = (params, { x, y, k }, hIn, gradOut, hOut) => {
  const n = x.length / k;
  const [wh, wx, b, v] = [0, H * H, H * H + H, H * H + 2 * H].map((o, i) => params.subarray(o, o + (i === 0 ? H * H : H))) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const c = params[PARAMS - 1]!;
  const hs = new Float64Array(n * (k + 1) * H);
  const count = n * k;
  let loss = 0;
  const dp = new Float64Array(n * k);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < H; j++) hs[s * (k + 1) * H + j] = hIn[s * H + j]!;
    for (let t = 0; t < k; t++) {
      const prev = s * (k + 1) * H + t * H;
      let p = c;
      for (let i = 0; i < H; i++) {
        let a = wx[i]! * x[s * k + t]! + b[i]!;
        for (let j = 0; j < H; j++) a += wh[i * H + j]! * hs[prev + j]!;
        const h = Math.tanh(a);
        hs[prev + H + i] = h;
        p += v[i]! * h;
      }
      const r = p - y[s * k + t]!;
      loss += 0.5 * r * r;
      dp[s * k + t] = r / count;
    }
    for (let j = 0; j < H; j++) hOut[s * H + j] = hs[s * (k + 1) * H + k * H + j]!;
  }
  gradOut.fill(0);
  const gWh = gradOut.subarray(0, H * H);
  const gwx = gradOut.subarray(H * H, H * H + H);
  const gb = gradOut.subarray(H * H + H, H * H + 2 * H);
  const gv = gradOut.subarray(H * H + 2 * H, H * H + 3 * H);
  const dh = new Float64Array(H);
  const da = new Float64Array(H);
  for (let s = 0; s < n; s++) {
    dh.fill(0);
    for (let t = k - 1; t >= 0; t--) {
      const cur = s * (k + 1) * H + (t + 1) * H;
      const g = dp[s * k + t]!;
      gradOut[PARAMS - 1] += g;
      for (let i = 0; i < H; i++) {
        gv[i] += g * hs[cur + i]!;
        dh[i] += g * v[i]!;
        // d tanh(a)/da = 1 − tanh² a
        da[i] = dh[i]! * (1 - hs[cur + i]! ** 2);
      }
      dh.fill(0);
      for (let i = 0; i < H; i++) {
        gwx[i] += da[i]! * x[s * k + t]!;
        gb[i] += da[i]!;
        for (let j = 0; j < H; j++) {
          gWh[i * H + j] += da[i]! * hs[cur - H + j]!;
          dh[j] += da[i]! * wh[i * H + j]!;
        }
      }
    }
  }
  return loss / count;
};

/** Sequences of uniform inputs whose target is the input `delay` steps back (0 before the start). */
export function delayTask(sequences: number, length: number, delay: number, rand: () => number): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: sequences * length }, () => 2 * rand() - 1);
  const y = new Float64Array(sequences * length);
  for (let s = 0; s < sequences; s++) for (let t = delay; t < length; t++) y[s * length + t] = x[s * length + t - delay]!;
  return { x, y };
}

/** Window `w` (steps w·k … w·k + k − 1) of the sequences `indices`. */
export function windowOf(data: { x: Float64Array; y: Float64Array }, length: number, k: number) {
  return (indices: Int32Array, w: number): Window => {
    const x = new Float64Array(indices.length * k);
    const y = new Float64Array(indices.length * k);
    indices.forEach((s, r) => {
      x.set(data.x.subarray(s * length + w * k, s * length + w * k + k), r * k);
      y.set(data.y.subarray(s * length + w * k, s * length + w * k + k), r * k);
    });
    return { x, y, k };
  };
}
