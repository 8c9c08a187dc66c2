// TensorFlow.js peers: the same MLP step written with TF.js ops and
// differentiated by tf.variableGrads, on the pure-JS CPU backend or the
// WebAssembly backend. TF.js computes in float32 only.
//
// The timed step keeps weights, batch and one-hot labels resident as TF.js
// tensors (made once, outside the timed region) and reads back only the loss,
// as TF.js training code does; the gradients are complete when it returns,
// since the cpu and wasm backends run each op eagerly and synchronously.

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PARAM_BLOCKS, blockRanges } from './mlp.ts';
import type { MlpConfig, Problem } from './mlp.ts';

export type TfBackend = 'cpu' | 'wasm';

export interface TfStep {
  /** The timed step: loss and all weight gradients; returns the loss. */
  readonly run: () => number;
  /** One step whose gradients are copied out (float32 → float64) in the StepFn layout. */
  readonly check: (gradOut: Float64Array) => number;
  readonly dispose: () => void;
}

let wasmPathsSet = false;

/** Makes `backend` the current TF.js backend; throws with the reason if it cannot start. */
export async function useTfBackend(backend: TfBackend): Promise<void> {
  if (backend === 'wasm' && !wasmPathsSet) {
    // In Node the backend reads its .wasm binaries from disk; by default it
    // looks beside the running script, so point it into the installed package.
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(path.join(path.dirname(pkg), 'dist') + path.sep);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(backend))) {
    throw new Error(`tf.setBackend('${backend}') failed to initialize the backend`);
  }
  await tf.ready();
}

/** What the wasm backend chose at start-up, for the report header. */
export async function wasmFeatures(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}`;
}

export const tfVersion: string = tf.version.tfjs;

// PROD only silences TF.js warnings, here the hint to install the native
// tfjs-node backend, which this benchmark deliberately does not use.
tf.enableProdMode();

let serial = 0;

/** Builds the step on the current backend (call useTfBackend first). */
export function makeTfStep(c: MlpConfig, problem: Problem): TfStep {
  const ranges = blockRanges(c);
  const shapes = {
    W1: [c.inputs, c.hidden], b1: [c.hidden], W2: [c.hidden, c.classes], b2: [c.classes],
  } as const;
  const id = `bench${serial++}`;
  const vars = PARAM_BLOCKS.map((block) => {
    const [from, to] = ranges[block];
    const values = Float32Array.from(problem.params.subarray(from, to));
    return tf.variable(tf.tensor(values, [...shapes[block]], 'float32'), true, `${id}/${block}`);
  });
  const [w1, b1, w2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const x = tf.tensor2d(Float32Array.from(problem.X), [c.batch, c.inputs], 'float32');
  const onehot = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Int32Array.from(problem.labels), 'int32'), c.classes).toFloat());

  const loss = (): tf.Scalar => {
    const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
    const logits = tf.add(tf.matMul(h1, w2), b2);
    // Default reduction: the mean over the batch, as in the other peers.
    return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(onehot, logits);
  };

  const run = (): number =>
    tf.tidy(() => tf.variableGrads(loss, vars).value.dataSync()[0]);

  const check = (gradOut: Float64Array): number =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, vars);
      PARAM_BLOCKS.forEach((block, i) => {
        const grad = grads[vars[i].name];
        if (grad === undefined) throw new Error(`TF.js returned no gradient for ${block}`);
        gradOut.set(grad.dataSync(), ranges[block][0]);
      });
      return value.dataSync()[0];
    });

  return { run, check, dispose: () => tf.dispose([...vars, x, onehot]) };
}
