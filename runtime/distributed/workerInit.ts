// What a worker thread is started with (its workerData) and what it posts back.
// Typed arrays here are views of SharedArrayBuffers, so structured cloning shares
// them with the worker rather than copying them.
import type { FaultInjection } from './options.ts';

export interface WorkerInit {
  readonly id: number;
  /** Absolute path of the generated module. */
  readonly module: string;
  readonly function: string;
  readonly constants: readonly number[];
  /** The training set, shared: rows [count, features] and targets. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly count: number;
  readonly features: number;
  /** The parameters, shared with the coordinator, which updates them between steps. */
  readonly params: Float64Array;
  /** All gradient slots, back to back, each `params.length` long. */
  readonly slots: Float64Array;
  /** This worker's control words (controlBlock.ts) and its job's indices. */
  readonly control: Int32Array;
  readonly indices: Int32Array;
  readonly inject: FaultInjection;
}

export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'startFailed'; readonly message: string }
  | { readonly kind: 'done'; readonly job: number; readonly loss: number }
  | { readonly kind: 'failed'; readonly job: number; readonly message: string };
