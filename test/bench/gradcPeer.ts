// Hook for gradc's own peer in the benchmark.
//
// gradc's tensor emitter is still being written, so for now this returns null
// and the harness prints "gradc: pending (tensor kernels not landed yet)" in
// its row. To fill it in: compile the model of mlp.ts with gradc (784→hidden
// ReLU→classes, mean softmax cross-entropy over integer labels), import the
// generated module, and return a StepFn that calls its value-and-gradient
// function. Compiling and importing happen here, once per config, outside the
// timed region; the returned step is what is timed.
//
// The StepFn contract (defined in mlp.ts, repeated here):
//   (params:  Float64Array  flat W1 [inputs, hidden], b1 [hidden],
//                           W2 [hidden, classes], b2 [classes], row-major,
//                           at the offsets of paramLayout(config),
//    X:       Float64Array  [batch, inputs] row-major,
//    labels:  Float64Array  [batch] integer class ids 0..classes-1,
//    gradOut: Float64Array  same layout as params, overwritten with ∂loss/∂params)
//   => number               the mean softmax cross-entropy loss over the batch.
// If the generated layout orders parameters differently, map it here once;
// copying on every call would be timed as part of the step, fairly so.
//
// Before timing, the harness checks the step's loss and every gradient block
// against the baseline on the same seeded data to 1e-10 relative, and aborts
// if they disagree.

import type { MlpConfig, StepFn } from './mlp.ts';

export async function makeGradcStep(_config: MlpConfig): Promise<StepFn | null> {
  return null;
}
