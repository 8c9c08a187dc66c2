/**
 * The digits MLP of mlp.model.ts (784 → 64 relu → 10, mean softmax cross-entropy),
 * trained three ways on the same data from the same start: Adam on mini-batches, the
 * natural gradient with the compiled Fisher-vector product, and Krylov subspace
 * descent (Vinyals & Povey 2012) with the compiled Gauss–Newton product. The plot
 * (second-order.svg/png) shows the full training loss and the held-out accuracy
 * against the work done, in passes over the training data.
 *
 * The curvature comes from `compileCurvature`, which compiles the generalized
 * Gauss–Newton product Jᵀ H_L J v of the same network. The network is built here
 * with the IR API, since the model file's generated module has no curvature kernel.
 * For softmax cross-entropy that product is the Fisher-vector product, so the natural
 * gradient and KSD take it as it is.
 *
 * Work is counted in example-gradients: a gradient or a Gauss–Newton product on b
 * examples costs b, a loss without gradient b/2 (it is a forward pass, and a
 * product is about a forward and a backward pass, like a gradient). One pass is
 * TRAIN examples.
 *
 * Settings: each method's best of a small grid at 15 passes (held-out accuracy):
 * Adam lr {3e-4, 1e-3, 3e-3, 1e-2} → 1e-2; natural gradient (CG cap, initial λ)
 * {(5, 1e-2), (10, 1e-2), (5, 1e-1), (3, 1e-2), (5, 1), (10, 1), (20, 1)} → (3, 1e-2);
 * KSD (K, BFGS steps) {(10, 10), (20, 15), (30, 20)} → (10, 10).
 *
 * Run: `npx tsx examples/mlp/second-order.ts` (about half a minute).
 */
import { add, compileCurvature, input, matmul, relu, softmaxCrossEntropy, type BoundCurvature, type Node } from '../../compiler/index.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import { Adam, NaturalGradient, loadMnist, minimizeKrylovSubspace, mulberry32, trainValidationSplit, type Dataset } from '../../runtime/index.ts';

export const HIDDEN = 64;
const CLASSES = 10;
const PIXELS = 784;

export interface Setup {
  readonly size: number;
  /** Consecutive batches of the training set, bound to the compiled kernels. */
  readonly batches: readonly BoundCurvature[];
  readonly batchSize: number;
  /** The whole training set. */
  readonly full: BoundCurvature;
  readonly trainCount: number;
  /** Accuracy on the held-out digits. */
  accuracy(theta: Float64Array): number;
  /** Glorot-uniform weights, zero biases. */
  init(seed: number): Float64Array;
}

export function setup(trainCount: number, testCount: number, batchSize: number, seed = 7): Setup {
  const W1 = input('W1', [PIXELS, HIDDEN]);
  const b1 = input('b1', [HIDDEN]);
  const W2 = input('W2', [HIDDEN, CLASSES]);
  const b2 = input('b2', [CLASSES]);
  const X = input('X', ['batch', PIXELS]);
  const y = input('y', ['batch']);
  const z = add(matmul(relu(add(matmul(X, W1), b1)), W2), b2);
  const model = compileCurvature({
    inputs: [W1, b1, W2, b2, X, y],
    wrt: [W1, b1, W2, b2],
    outputs: z,
    loss: (s: Node) => softmaxCrossEntropy(s, y),
    source: 'examples/mlp/second-order.ts',
  });
  const { train, validation } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed, stratify: true });
  const bind = (data: Dataset, from: number, count: number): BoundCurvature =>
    model.bind({ X: tensor([count, PIXELS], data.x.subarray(from * PIXELS, (from + count) * PIXELS)), y: tensor([count], data.y.subarray(from, from + count)) });
  const batches = Array.from({ length: Math.floor(trainCount / batchSize) }, (_, b) => bind(train, b * batchSize, batchSize));
  const test = bind(validation, 0, testCount);
  const logits = new Float64Array(testCount * CLASSES);
  return {
    size: model.size,
    batches,
    batchSize,
    full: bind(train, 0, trainCount),
    trainCount,
    accuracy(theta) {
      test.outputs(theta, logits);
      let right = 0;
      for (let i = 0; i < testCount; i++) {
        let best = 0;
        for (let c = 1; c < CLASSES; c++) if (logits[i * CLASSES + c]! > logits[i * CLASSES + best]!) best = c;
        if (best === validation.y[i]) right++;
      }
      return right / testCount;
    },
    init(initSeed) {
      const rand = mulberry32(initSeed);
      const theta = new Float64Array(model.size);
      const glorot = (from: number, fanIn: number, fanOut: number) => {
        const a = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = from; i < from + fanIn * fanOut; i++) theta[i] = a * (2 * rand() - 1);
      };
      glorot(0, PIXELS, HIDDEN);
      glorot(PIXELS * HIDDEN + HIDDEN, HIDDEN, CLASSES);
      return theta;
    },
  };
}

/** One point of a training curve. */
export interface CurvePoint {
  /** Passes over the training data (see the cost model above). */
  readonly passes: number;
  readonly loss: number;
  readonly accuracy: number;
}

export interface Run {
  readonly method: string;
  readonly curve: CurvePoint[];
  /** What the method did, in a phrase. */
  readonly note?: string;
}

/** Counts work in example-gradients and records the curve. */
class Recorder {
  work = 0;
  readonly curve: CurvePoint[] = [];
  constructor(private readonly s: Setup) {}

  record(theta: Float64Array): void {
    this.curve.push({ passes: this.work / this.s.trainCount, loss: this.s.full.value(theta), accuracy: this.s.accuracy(theta) });
  }
}

/** Adam on shuffled-in-order mini-batches, one epoch = one pass. */
export function runAdam(s: Setup, passes: number, lr = 1e-2, seed = 1): Run {
  const theta = s.init(seed);
  const g = new Float64Array(s.size);
  const opt = new Adam({ lr });
  const rec = new Recorder(s);
  rec.record(theta);
  for (let epoch = 0; epoch < passes; epoch++) {
    for (const batch of s.batches) {
      batch.valueAndGradient(theta, g);
      opt.step(theta, g);
      rec.work += s.batchSize;
    }
    rec.record(theta);
  }
  return { method: `Adam (lr ${lr}, batch ${s.batchSize})`, curve: rec.curve };
}

/**
 * The NaturalGradient optimizer: per step, the gradient, the Fisher-vector products
 * and the two losses of damping adaptation all on one batch of `stepBatches` batches
 * (rotating), with CG capped at `cgMaxIter` products.
 */
export function runNaturalGradient(s: Setup, passes: number, cgMaxIter = 3, damping = 1e-2, seed = 1): Run {
  const theta = s.init(seed);
  const g = new Float64Array(s.size);
  const rec = new Recorder(s);
  let current = s.batches[0]!;
  const opt = new NaturalGradient((x, v, out) => current.gaussNewtonVectorProduct(x, v, out), {
    lr: 1,
    damping,
    cgMaxIter,
    cgTol: 1e-4,
    adaptDamping: true,
    loss: (x) => current.value(x),
  });
  rec.record(theta);
  for (let step = 0; rec.work < passes * s.trainCount; step++) {
    current = s.batches[step % s.batches.length]!;
    current.valueAndGradient(theta, g);
    const products = opt.fisherVectorProducts;
    opt.step(theta, g);
    rec.work += s.batchSize * (2 + opt.fisherVectorProducts - products); // gradient + 2 half-cost losses + products
    if ((step + 1) % 2 === 0 || rec.work >= passes * s.trainCount) rec.record(theta);
  }
  const note = `${opt.steps} steps, ${opt.rejectedSteps} undone, final λ ${opt.damping.toExponential(1)}`;
  return { method: `natural gradient (CG ≤ ${cgMaxIter}, adaptive λ, batch ${s.batchSize})`, curve: rec.curve, note };
}

/**
 * minimizeKrylovSubspace: the gradient on the whole training set, the Gauss–Newton
 * products on one batch and the subspace BFGS on the next (a held-out batch, as in
 * the paper), both rotating every iteration.
 */
export function runKrylov(s: Setup, passes: number, subspaceDimension = 10, subspaceIterations = 10, seed = 1): Run {
  const rec = new Recorder(s);
  let iteration = 0;
  const batch = (offset: number) => s.batches[(2 * iteration + offset) % s.batches.length]!;
  const theta0 = s.init(seed);
  rec.record(theta0);
  minimizeKrylovSubspace(
    (x, gOut) => ((rec.work += s.trainCount), s.full.valueAndGradient(x, gOut)),
    (x, v, out) => ((rec.work += s.batchSize), batch(0).gaussNewtonVectorProduct(x, v, out)),
    theta0,
    {
      subspaceDimension,
      subspaceIterations,
      subspaceObjective: (x, gOut) => ((rec.work += s.batchSize), batch(1).valueAndGradient(x, gOut)),
      gradTol: 0,
      callback: (info) => {
        rec.record(info.x);
        iteration++;
        return rec.work >= passes * s.trainCount;
      },
    },
  );
  return { method: `Krylov subspace descent (K = ${subspaceDimension}, ${subspaceIterations} BFGS steps)`, curve: rec.curve };
}

async function main(): Promise<void> {
  const PASSES = 20;
  const started = performance.now();
  const s = setup(4000, 1000, 200);
  console.log(`MLP 784→${HIDDEN}→10 (${s.size} parameters), ${s.trainCount} training digits, 1000 held out; ${PASSES} passes each`);
  const runs = [runAdam(s, PASSES), runNaturalGradient(s, PASSES), runKrylov(s, PASSES)];
  for (const r of runs) {
    const last = r.curve[r.curve.length - 1]!;
    console.log(`${r.method}: training loss ${last.loss.toFixed(4)}, held-out accuracy ${(100 * last.accuracy).toFixed(1)}% after ${last.passes.toFixed(1)} passes${r.note === undefined ? '' : `; ${r.note}`}`);
  }
  const { writeLineCharts } = await import('../../runtime/plot/lineChart.ts');
  const series = (pick: (p: CurvePoint) => number) => runs.map((r) => ({ name: r.method.replace(/ \(.*\)$/, '').replace('Krylov subspace descent', 'KSD'), points: r.curve.map((p) => [p.passes, pick(p)] as const) }));
  const base = new URL('./second-order', import.meta.url).pathname;
  await writeLineCharts(
    [
      { title: 'training loss (all training digits)', xLabel: 'passes over the training data', yLabel: 'mean cross-entropy', logY: true, series: series((p) => p.loss) },
      { title: 'held-out accuracy', xLabel: 'passes over the training data', yLabel: 'accuracy', series: series((p) => p.accuracy) },
    ],
    base,
    'MNIST digits MLP: Adam, natural gradient and Krylov subspace descent',
  );
  console.log(`wrote ${base}.svg and .png in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await main();
