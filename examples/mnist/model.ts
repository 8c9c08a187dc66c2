// The digits MLP, 784 → hidden (ReLU) → 10, with mean softmax cross-entropy: the one
// place that turns a model into kernels for the MNIST job. It builds the model with
// gradc's IR builders and compiles it with compileModel; when examples/mlp's model
// file and its generated module land, this file switches to importing them.
import { compileModel } from '../../compiler/compileModel.ts';
import { emitModule } from '../../compiler/emit/emitModule.ts';
import { loadModule } from '../../compiler/emit/loadModule.ts';
import { add, input } from '../../compiler/ir/build.ts';
import { matmul } from '../../compiler/ir/buildTensor.ts';
import { relu, softmaxCrossEntropy } from '../../compiler/ir/nn.ts';
import { VERSION } from '../../compiler/version.ts';
import { SeededRng, type BatchLogits, type BatchValueAndGradient } from '../../runtime/index.ts';

export interface MlpKernels {
  /** Length of the flat parameter vector (W1, b1, W2, b2, row-major). */
  readonly size: number;
  readonly valueAndGradient: BatchValueAndGradient;
  readonly logits: BatchLogits;
  /** Glorot-uniform weights and zero biases, from a seed. */
  init(seed: number): Float64Array;
}

type Kernel = (...args: (Float64Array | number)[]) => unknown;

export function compileMlp(inputs: number, hidden: number, classes: number): MlpKernels {
  const W1 = input('W1', [inputs, hidden]);
  const b1 = input('b1', [hidden]);
  const W2 = input('W2', [hidden, classes]);
  const b2 = input('b2', [classes]);
  const X = input('X', ['batch', inputs]);
  const y = input('y', ['batch']);
  const z = add(matmul(relu(add(matmul(X, W1), b1)), W2), b2);
  const model = compileModel({ inputs: [W1, b1, W2, b2, X, y], loss: softmaxCrossEntropy(z, y), wrt: [W1, b1, W2, b2], source: 'examples/mnist/model.ts' });
  const logitsModule = loadModule(
    emitModule({
      version: VERSION,
      source: 'examples/mnist/model.ts',
      constants: [],
      kernels: [{ name: 'logits', doc: 'The logits X·W1 … + b2.', params: [W1, b1, W2, b2, X], writes: { param: 'out', nodes: [z], labels: ['logits'] } }],
    }),
  );
  const vg = model.kernels['valueAndGradient'] as Kernel;
  const lg = logitsModule['logits'] as Kernel;
  const views = viewsOf(model.layout.map((e) => [e.offset, e.size] as const));
  return {
    size: model.size,
    valueAndGradient: (p, x, labels, n, g) => {
      const [w1, c1, w2, c2] = views(p);
      return vg(w1!, c1!, w2!, c2!, x, labels, n, g) as number;
    },
    logits: (p, x, n, out) => {
      const [w1, c1, w2, c2] = views(p);
      return lg(w1!, c1!, w2!, c2!, x, n, out) as Float64Array;
    },
    init: (seed) => glorot(model.size, [inputs, hidden, classes], seed),
  };
}

/** Views of the flat vector per parameter block, made once per vector. */
function viewsOf(blocks: readonly (readonly [number, number])[]): (p: Float64Array) => Float64Array[] {
  let last: Float64Array | null = null;
  let views: Float64Array[] = [];
  return (p) => {
    if (p !== last) {
      views = blocks.map(([offset, size]) => p.subarray(offset, offset + size));
      last = p;
    }
    return views;
  };
}

/** W ~ U(−a, a) with a = √(6 / (fan in + fan out)); biases 0. */
function glorot(size: number, [inputs, hidden, classes]: readonly number[], seed: number): Float64Array {
  const rng = SeededRng.fromSeed(seed);
  const p = new Float64Array(size);
  const fill = (from: number, n: number, fanIn: number, fanOut: number): void => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = from; i < from + n; i++) p[i] = (2 * rng.float() - 1) * a;
  };
  fill(0, inputs! * hidden!, inputs!, hidden!);
  fill(inputs! * hidden! + hidden!, hidden! * classes!, hidden!, classes!);
  return p;
}
