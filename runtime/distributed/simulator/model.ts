// What a simulated cluster is made of: how long a worker takes to compute a gradient,
// what moving parameters and gradients costs, and what the server does with them.
// Every time is in milliseconds, every size in bytes.

/**
 * The spread of one job's compute time around its mean, as a factor of mean 1:
 * `deterministic` (always 1); `lognormal` exp(σZ − σ²/2); `shiftedExponential`
 * shift + (1 − shift)·Exp(1), a floor plus a memoryless tail (shift in [0, 1)).
 */
export type ComputeNoise =
  | { readonly kind: 'deterministic' }
  | { readonly kind: 'lognormal'; readonly sigma: number }
  | { readonly kind: 'shiftedExponential'; readonly shift: number };

/** One gradient's compute time: (fixedMs + msPerExample · examples) · noise. */
export interface ComputeModel {
  readonly fixedMs: number;
  readonly msPerExample: number;
  readonly noise: ComputeNoise;
}

/**
 * One slow worker: each of its jobs first waits `extraMs` off the CPU (the distributed
 * bench's injected sleep, a stalled disk or network), then computes `factor` times as long.
 */
export interface Straggler {
  readonly worker: number;
  readonly extraMs?: number;
  readonly factor?: number;
}

/**
 * Moving data: a message costs latencyMs + bytes / bytesPerMs. With `serverBytesPerMs`
 * the server's own link is one shared pipe, so pushes (and pulls) to many workers take
 * turns on it; without, each worker has its own path (shared memory, a big switch).
 */
export interface TransportModel {
  readonly latencyMs: number;
  readonly bytesPerMs: number;
  readonly serverBytesPerMs?: number;
  readonly parameterBytes: number;
  readonly gradientBytes: number;
}

/** The server's work, one gradient at a time: adding a gradient into the sum (sync), and the optimizer's update. */
export interface ServerModel {
  readonly reduceMs: number;
  readonly applyMs: number;
}

export interface ClusterModel {
  readonly compute: ComputeModel;
  readonly transport: TransportModel;
  readonly server: ServerModel;
  readonly straggler?: Straggler;
  /** CPU cores the workers share (worker threads on one machine); leave out for one machine each. */
  readonly cores?: number;
  readonly seed: number;
}

/** The same cluster with no transport cost: worker threads exchanging through shared memory. */
export const FREE_TRANSPORT: TransportModel = { latencyMs: 0, bytesPerMs: Infinity, parameterBytes: 0, gradientBytes: 0 };
