/**
 * MLPs of any depth on the digits, built with gradc's IR builders and compiled by
 * compileModel (a model file would need one parameter per layer written out): L weight
 * layers 784 → w → … → w → 10, an activation after each hidden layer, softmax
 * cross-entropy. Compiled with `health`, so the value-and-gradient kernel that trains
 * also measures, per hidden layer, the share of ReLUs dead for the whole batch or of
 * sigmoid/tanh units saturated (`health()`, the trainer's `health: { compiled }`); a
 * plain forward pass here gives the logits for accuracy.
 */
import { add, compileModel, input, matmul } from '../../compiler/index.ts';
import { relu, sigmoid, softmaxCrossEntropy, tanh } from '../../compiler/frontend/builders/nn.ts';
import type { Node } from '../../compiler/ir/node.ts';
import { SeededRng, type BatchValueAndGradient, type CompiledHealth, type ParameterLayout } from '../../runtime/index.ts';

export type Activation = 'sigmoid' | 'tanh' | 'relu';
/** 'small': every weight U(−0.05, 0.05) whatever the layer's size; 'scaled': Glorot (sigmoid, tanh) or He (relu) uniform. */
export type Init = 'small' | 'scaled';

export const INPUTS = 784;
export const CLASSES = 10;

const ACTIVATIONS: Record<Activation, (x: Node) => Node> = { sigmoid, tanh, relu };

export interface DeepMlp {
  readonly depth: number;
  readonly width: number;
  readonly activation: Activation;
  readonly size: number;
  readonly layout: ParameterLayout;
  readonly valueAndGradient: BatchValueAndGradient;
  /** What the last valueAndGradient call measured: per hidden layer, first to last, its dead (relu) or saturated (sigmoid, tanh) share. */
  readonly health: () => CompiledHealth | null;
  /** Logits [n, 10] of the first n rows of x. */
  forward(params: Float64Array, x: Float64Array, n: number): Float64Array;
  init(kind: Init, seed: number): Float64Array;
}

export function deepMlp(depth: number, width: number, activation: Activation): DeepMlp {
  if (!Number.isInteger(depth) || depth < 2) throw new RangeError(`deepMlp: depth must be an integer >= 2, not ${depth}.`);
  const sizes = [INPUTS, ...Array<number>(depth - 1).fill(width), CLASSES];
  const W = sizes.slice(0, -1).map((fanIn, l) => input(`W${l + 1}`, [fanIn, sizes[l + 1]!]));
  const b = sizes.slice(1).map((fanOut, l) => input(`b${l + 1}`, [fanOut]));
  const X = input('X', ['batch', INPUTS]);
  const labels = input('labels', ['batch']);
  let h: Node = X;
  for (let l = 0; l < depth; l++) {
    const z = add(matmul(h, W[l]!), b[l]!);
    h = l === depth - 1 ? z : ACTIVATIONS[activation](z);
  }
  const params = W.flatMap((w, l) => [w, b[l]!]);
  const compiled = compileModel({ inputs: [...params, X, labels], loss: softmaxCrossEntropy(h, labels), wrt: params, source: `a ${depth}-layer ${activation} MLP` }, { health: true });
  const kernel = compiled.kernels['valueAndGradient'] as (...args: (Float64Array | number)[]) => number;
  const layout: ParameterLayout = { params: compiled.layout.map((e) => ({ name: e.name, shape: e.shape as number[], offset: e.offset, size: e.size })) };
  const views = (p: Float64Array): Float64Array[] => compiled.layout.map((e) => p.subarray(e.offset, e.offset + e.size));
  const act: (v: number) => number = activation === 'relu' ? (v) => (v > 0 ? v : 0) : activation === 'tanh' ? Math.tanh : (v) => 1 / (1 + Math.exp(-v));
  return {
    depth,
    width,
    activation,
    size: compiled.size,
    layout,
    valueAndGradient: (p, x, y, n, gradOut) => kernel(...views(p), x.subarray(0, n * INPUTS), y.subarray(0, n), n, gradOut),
    health: compiled.health!,
    forward(p, x, n) {
      const v = views(p);
      let cur = x.subarray(0, n * INPUTS);
      for (let l = 0; l < depth; l++) {
        const [fanIn, fanOut] = [sizes[l]!, sizes[l + 1]!];
        const w = v[2 * l]!;
        const bias = v[2 * l + 1]!;
        const next = new Float64Array(n * fanOut);
        for (let r = 0; r < n; r++) {
          for (let j = 0; j < fanOut; j++) {
            let s = bias[j]!;
            for (let k = 0; k < fanIn; k++) s += cur[r * fanIn + k]! * w[k * fanOut + j]!;
            next[r * fanOut + j] = l === depth - 1 ? s : act(s);
          }
        }
        cur = next;
      }
      return cur;
    },
    init(kind, seed) {
      const rng = SeededRng.fromSeed(seed);
      const out = new Float64Array(compiled.size);
      compiled.layout.forEach((e) => {
        if (e.shape.length !== 2) return;
        const [fanIn, fanOut] = e.shape as [number, number];
        const a = kind === 'small' ? 0.05 : activation === 'relu' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
        for (let i = e.offset; i < e.offset + e.size; i++) out[i] = (2 * rng.float() - 1) * a;
      });
      return out;
    },
  };
}
