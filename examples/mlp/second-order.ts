/**
 * The digits MLP of mlp.model.ts (784 → 64 relu → 10, mean softmax cross-entropy),
 * trained three ways on the same data from the same start: Adam on mini-batches, the
 * natural gradient with the compiled Fisher-vector product, and Krylov subspace
 * descent (Vinyals & Povey 2012) with the compiled Gauss–Newton product. The plot
 * (second-order.svg/png) shows the full training loss and the held-out accuracy
 * against the work done, in passes over the training data.
 *
 * Everything comes from the generated module mlp.grad.ts with no glue code: the loss
 * returns softmaxCrossEntropy(logits, labels), a convex loss of the logits, so
 * `lossFlat(X, labels)` has `ggnvp`, the generalized Gauss–Newton product Jᵀ H_L J v;
 * for softmax cross-entropy that is the Fisher-vector product, so the natural gradient
 * and KSD take it as it is. Each run binds one flat loss and moves it from batch to
 * batch with `setData`, which allocates nothing.
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
import { Adam, NaturalGradient, loadMnist, minimizeKrylovSubspace, trainValidationSplit, SeededRng } from '../../runtime/index.ts';
import { logitsFlat, lossFlat, lossLayout } from './mlp.grad.ts';

export const HIDDEN = 64;
const CLASSES = 10;
const PIXELS = 784;

/** The flat loss of mlp.model.ts with one batch bound: value, objective, hvp, ggnvp, setData. */
export type FlatLoss = ReturnType<typeof lossFlat>;

/** Images and labels of a batch (views of the training set, made once). */
export interface Batch {
  readonly X: Float64Array;
  readonly labels: Float64Array;
}

export interface Setup {
  readonly size: number;
  /** Consecutive batches of the training set. */
  readonly batches: readonly Batch[];
  readonly batchSize: number;
  /** The loss on the whole training set. */
  readonly full: FlatLoss;
  readonly trainCount: number;
  /** A flat loss bound to batch 0; `setData(b.X, b.labels)` moves it to batch b. */
  batchLoss(): FlatLoss;
  /** Accuracy on the held-out digits. */
  accuracy(theta: Float64Array): number;
  /** Glorot-uniform weights, zero biases. */
  init(seed: number): Float64Array;
}

export function setup(trainCount: number, testCount: number, batchSize: number, seed = 7): Setup {
  const { train, validation } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed, stratify: true });
  const slice = (from: number, count: number): Batch => ({
    X: train.x.subarray(from * PIXELS, (from + count) * PIXELS),
    labels: train.y.subarray(from, from + count),
  });
  const batches = Array.from({ length: Math.floor(trainCount / batchSize) }, (_, b) => slice(b * batchSize, batchSize));
  const all = slice(0, trainCount);
  const test = logitsFlat(validation.x.subarray(0, testCount * PIXELS));
  const logits = new Float64Array(test.outputSize);
  const offset = (name: string) => lossLayout.params.find((p) => p.name === name)!.offset;
  return {
    size: lossLayout.size,
    batches,
    batchSize,
    full: lossFlat(all.X, all.labels),
    trainCount,
    batchLoss: () => lossFlat(batches[0]!.X, batches[0]!.labels),
    accuracy(theta) {
      test.value(theta, logits);
      let right = 0;
      for (let i = 0; i < testCount; i++) {
        let best = 0;
        for (let c = 1; c < CLASSES; c++) if (logits[i * CLASSES + c]! > logits[i * CLASSES + best]!) best = c;
        if (best === validation.y[i]) right++;
      }
      return right / testCount;
    },
    init(initSeed) {
      const rand = SeededRng.fromSeed(initSeed).asFunction();
      const theta = new Float64Array(lossLayout.size);
      const glorot = (from: number, fanIn: number, fanOut: number) => {
        const a = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = from; i < from + fanIn * fanOut; i++) theta[i] = a * (2 * rand() - 1);
      };
      glorot(offset('W1'), PIXELS, HIDDEN);
      glorot(offset('W2'), HIDDEN, CLASSES);
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
  const f = s.batchLoss();
  rec.record(theta);
  for (let epoch = 0; epoch < passes; epoch++) {
    for (const batch of s.batches) {
      f.setData(batch.X, batch.labels);
      f.objective(theta, g);
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
  const f = s.batchLoss();
  const opt = new NaturalGradient(f.ggnvp, { lr: 1, damping, cgMaxIter, cgTol: 1e-4, adaptDamping: true, loss: f.value });
  rec.record(theta);
  for (let step = 0; rec.work < passes * s.trainCount; step++) {
    const batch = s.batches[step % s.batches.length]!;
    f.setData(batch.X, batch.labels);
    f.objective(theta, g);
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
  // Two flat losses: the curvature batch and the held-out batch of the subspace BFGS.
  const curvature = s.batchLoss();
  const heldOut = s.batchLoss();
  const rotate = (iteration: number) => {
    for (const [f, offset] of [[curvature, 0], [heldOut, 1]] as const) {
      const b = s.batches[(2 * iteration + offset) % s.batches.length]!;
      f.setData(b.X, b.labels);
    }
  };
  let iteration = 0;
  rotate(iteration);
  const theta0 = s.init(seed);
  rec.record(theta0);
  minimizeKrylovSubspace(
    (x, gOut) => ((rec.work += s.trainCount), s.full.objective(x, gOut)),
    (x, v, out) => ((rec.work += s.batchSize), curvature.ggnvp(x, v, out)),
    theta0,
    {
      subspaceDimension,
      subspaceIterations,
      subspaceObjective: (x, gOut) => ((rec.work += s.batchSize), heldOut.objective(x, gOut)),
      gradTol: 0,
      callback: (info) => {
        rec.record(info.x);
        rotate(++iteration);
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
