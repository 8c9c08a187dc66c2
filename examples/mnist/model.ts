// The digits MLP, 784 → hidden (ReLU) → 10, with mean softmax cross-entropy: the one
// place that turns a model into kernels for the MNIST job. It builds the model with
// gradc's IR builders and compiles it with compileModel; when examples/mlp's model
// file and its generated module land, this file switches to importing them.
import { compileModel } from '../../compiler/compileModel.ts';
import { emitModule } from '../../compiler/emit/emitModule.ts';
import { loadModule } from '../../compiler/emit/loadModule.ts';
import { add, input } from '../../compiler/ir/build.ts';
import { matmul } from '../../compiler/ir/buildTensor.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { relu, softmaxCrossEntropy } from '../../compiler/ir/nn.ts';
import { VERSION } from '../../compiler/version.ts';
import { SeededRng, type BatchLogits, type BatchValueAndGradient } from '../../runtime/index.ts';

export interface ClassifierKernels {
  /** Length of the flat parameter vector (the parameters in order, row-major). */
  readonly size: number;
  readonly valueAndGradient: BatchValueAndGradient;
  readonly logits: BatchLogits;
  /** Glorot-uniform weight matrices and zero biases, from a seed. */
  init(seed: number): Float64Array;
}

export function compileMlp(inputs: number, hidden: number, classes: number): ClassifierKernels {
  const W1 = input('W1', [inputs, hidden]);
  const b1 = input('b1', [hidden]);
  const W2 = input('W2', [hidden, classes]);
  const b2 = input('b2', [classes]);
  const X = input('X', ['batch', inputs]);
  const z = add(matmul(relu(add(matmul(X, W1), b1)), W2), b2);
  return compileClassifier([W1, b1, W2, b2], X, z, 'examples/mnist/model.ts');
}

type Kernel = (...args: (Float64Array | number)[]) => unknown;

/**
 * Kernels for a classifier with logits `z` of the parameters and a batch `X`: the
 * mean softmax cross-entropy with its gradient (compileModel), and the logits
 * themselves (a tensor-output kernel from the same emitter).
 */
export function compileClassifier(params: readonly InputNode[], X: InputNode, z: Node, source: string): ClassifierKernels {
  const y = input('y', ['batch']);
  const model = compileModel({ inputs: [...params, X, y], loss: softmaxCrossEntropy(z, y), wrt: params, source });
  const logitsModule = loadModule(
    emitModule({
      version: VERSION,
      source,
      constants: [],
      kernels: [{ name: 'logits', doc: 'The class scores of each row of X.', params: [...params, X], writes: { param: 'out', nodes: [z], labels: ['logits'] } }],
    }),
  );
  const vg = model.kernels['valueAndGradient'] as Kernel;
  const lg = logitsModule['logits'] as Kernel;
  const views = viewsOf(model.layout.map((e) => [e.offset, e.size] as const));
  return {
    size: model.size,
    valueAndGradient: (p, x, labels, n, g) => vg(...views(p), x, labels, n, g) as number,
    logits: (p, x, n, out) => lg(...views(p), x, n, out) as Float64Array,
    init: (seed) => glorot(model.layout.map((e) => e.shape as readonly number[]), model.size, seed),
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

/** Each matrix W ~ U(−a, a) with a = √(6 / (fan in + fan out)); vectors (biases) 0. */
function glorot(shapes: readonly (readonly number[])[], size: number, seed: number): Float64Array {
  const rng = SeededRng.fromSeed(seed);
  const p = new Float64Array(size);
  let offset = 0;
  for (const shape of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 2) {
      const a = Math.sqrt(6 / (shape[0]! + shape[1]!));
      for (let i = offset; i < offset + n; i++) p[i] = (2 * rng.float() - 1) * a;
    }
    offset += n;
  }
  return p;
}
