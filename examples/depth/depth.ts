/**
 * Depth, shown (the notes: "the gradients of activation functions like the sigmoid are
 * all between 0 and 1 … they become smaller, increasingly so towards the beginning of
 * the network"): MLPs of depth 2, 8 and 32 (width 32) with sigmoid, tanh and ReLU,
 * each from a small fixed-range initialisation and from a scaled one (Glorot for
 * sigmoid/tanh, He for ReLU), trained briefly on the digits (SGD with momentum, the
 * trainer's `health` option on, reading the compiled kernel's own statistics). For each:
 * the validation accuracy, the first layer's gradient per weight against the last
 * layer's, whether the trainer warned of vanishing gradients, and, from the --health
 * kernel, the share of dead ReLUs or saturated sigmoid/tanh units over the hidden
 * layers and whether the trainer warned of them; one plot of the per-layer gradient
 * (RMS per weight, first epoch) against the layer for the 32-layer nets
 * (depth-gradients.svg/png), one of the dead and saturated shares by layer (last epoch)
 * for the 8- and 32-layer nets (depth-units.svg/png). Then the exploding case: an Elman RNN on 100-step
 * sequences with and without clipping by norm, with ‖∂L/∂h_t‖ against t from the
 * --health kernel (rnnClipping.ts, rnn-clipping.svg/png).
 *
 * Run: `npx tsx examples/depth/depth.ts` (about a minute and a half).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SGD, batchLoss, classifierMetrics, loadMnist, train, trainValidationSplit, writeLineChart, writeLineCharts, type Dataset, type HealthRecord } from '../../runtime/index.ts';
import { CLASSES, deepMlp, type Activation, type Init } from './deepMlp.ts';
import { rnnClipping } from './rnnClipping.ts';

export interface DepthResult {
  readonly depth: number;
  readonly activation: Activation;
  readonly init: Init;
  readonly accuracy: number;
  /** Per weight layer, first to last: the gradient's RMS per weight (median over the first epoch's steps). */
  readonly layerGradients: readonly number[];
  /** First layer's over last layer's. */
  readonly firstOverLast: number;
  readonly vanishingWarned: boolean;
  /**
   * Per hidden layer, first to last, from the compiled kernel (mean over the last epoch's steps): the share of
   * units that are 0 for a whole batch of 64 (relu), or of unit activations whose derivative is below 0.01 (sigmoid, tanh).
   */
  readonly unitsByLayer: readonly number[];
  /** Their mean over the hidden layers. */
  readonly units: number;
  /** Whether the trainer warned of dying ReLUs (relu) or saturation (sigmoid, tanh) in any epoch. */
  readonly unitsWarned: boolean;
}

export interface DepthData {
  readonly trainSet: Dataset;
  readonly validation: Dataset;
}

export function depthData(trainCount = 4000, validationCount = 1000): DepthData {
  const { train: all, validation: held } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
  const take = (d: Dataset, n: number): Dataset => ({ ...d, x: d.x.subarray(0, n * d.features), y: d.y.subarray(0, n), count: n });
  return { trainSet: take(all, trainCount), validation: take(held, validationCount) };
}

export async function trainDepth(data: DepthData, depth: number, activation: Activation, init: Init, epochs = 2, width = 32): Promise<DepthResult> {
  const model = deepMlp(depth, width, activation);
  const params = model.init(init, 5);
  const healths: HealthRecord[] = [];
  await train({
    params,
    examples: data.trainSet.count,
    loss: batchLoss(data.trainSet, model.valueAndGradient),
    optimizer: new SGD({ lr: 0.05, momentum: 0.9 }),
    epochs,
    batchSize: 64,
    seed: 5,
    layout: model.layout,
    health: { compiled: model.health },
    progress: false,
    callbacks: { onEpoch: (r) => void healths.push(r.health!) },
  });
  const v = data.validation;
  const first = healths[0]!;
  const unitsByLayer = healths.at(-1)!.compiled!.activations.map((a) => a.mean);
  const layerGradients = first.blocks.filter((b) => b.name.startsWith('W')).map((b) => b.gradNorm.median / Math.sqrt(model.layout.params.find((p) => p.name === b.name)!.size));
  return {
    depth,
    activation,
    init,
    accuracy: classifierMetrics(v, { logits: (p, x, n, out) => (out.set(model.forward(p, x, n)), out), classes: CLASSES })(params)['accuracy']!,
    layerGradients,
    firstOverLast: layerGradients[0]! / layerGradients[layerGradients.length - 1]!,
    vanishingWarned: healths.some((h) => h.warnings.some((w) => w.kind === 'vanishing')),
    unitsByLayer,
    units: unitsByLayer.reduce((s, d) => s + d, 0) / unitsByLayer.length,
    unitsWarned: healths.some((h) => h.warnings.some((w) => w.kind === (activation === 'relu' ? 'dead-relu' : 'saturated'))),
  };
}

async function main(): Promise<void> {
  const data = depthData();
  const results: DepthResult[] = [];
  console.log(`digits: ${data.trainSet.count} training, ${data.validation.count} validation; width 32, SGD (lr 0.05, momentum 0.9), batch 64, 2 epochs`);
  console.log('depth  activation  init     val acc  first/last layer gradient  vanishing warned  dead / saturated units  warned');
  for (const depth of [2, 8, 32]) {
    for (const activation of ['sigmoid', 'tanh', 'relu'] as const) {
      for (const init of ['small', 'scaled'] as const) {
        const r = await trainDepth(data, depth, activation, init);
        results.push(r);
        console.log(
          `${String(depth).padStart(5)}  ${activation.padEnd(10)}  ${init.padEnd(7)}  ${(100 * r.accuracy).toFixed(1).padStart(6)}%  ${r.firstOverLast.toExponential(1).padStart(26)}  ${(r.vanishingWarned ? 'yes' : 'no').padStart(16)}  ${`${(100 * r.units).toFixed(0)}% ${activation === 'relu' ? 'dead' : 'saturated'}`.padStart(22)}  ${r.unitsWarned ? 'yes' : 'no'}`,
        );
      }
    }
  }
  const here = fileURLToPath(new URL('.', import.meta.url));
  const files = await writeLineChart(
    {
      title: '32-layer MLPs on the digits: gradient per weight by layer (first epoch)',
      xLabel: 'layer (1 = first)',
      yLabel: 'RMS gradient per weight',
      logY: true,
      width: 560,
      height: 340,
      series: results.filter((r) => r.depth === 32).map((r) => ({ name: `${r.activation}, ${r.init} init`, points: r.layerGradients.map((g, l) => [l + 1, g] as [number, number]) })),
    },
    join(here, 'depth-gradients'),
  );
  console.log(`plot: ${files.pngPath}`);
  const byLayer = (depth: number, relu: boolean) =>
    results.filter((r) => r.depth === depth && (r.activation === 'relu') === relu).map((r) => ({ name: `${r.activation}, ${r.init} init`, points: r.unitsByLayer.map((u, l) => [l + 1, 100 * u] as [number, number]) }));
  const unitFiles = await writeLineCharts(
    [8, 32].flatMap((depth) => [
      { title: `${depth} layers: dead ReLUs`, xLabel: 'hidden layer', yLabel: '% of units dead for a batch', series: byLayer(depth, true) },
      { title: `${depth} layers: saturated sigmoid/tanh`, xLabel: 'hidden layer', yLabel: '% of activations saturated', series: byLayer(depth, false) },
    ]),
    join(here, 'depth-units'),
    "Dead and saturated units by layer, last epoch, from the --health kernel",
  );
  console.log(`plot: ${unitFiles.pngPath}`);

  console.log('\nElman RNN, adding problem, 100-step sequences, Wh at twice its Glorot size, SGD lr 0.1 momentum 0.9:');
  const runs = [await rnnClipping(false), await rnnClipping(true)];
  for (const r of runs) {
    // The per-block check (the whole gradient's norm); the loop's through-time ones are named by the loop's line.
    const warned = r.health.findIndex((h) => h.warnings.some((w) => w.kind === 'exploding' && w.block === undefined));
    console.log(
      `  ${r.clip ? 'clip maxNorm 1' : 'no clipping   '}  largest gradient norm ${Math.max(...r.health.map((h) => h.gradNorm.max)).toExponential(1)}, exploding warned ${warned < 0 ? 'never' : `in epoch ${warned + 1}`}, training loss by epoch ${r.trainLoss.map((l) => l.toFixed(3)).join(' ')}, final MSE ${r.mse.toFixed(3)} (the mean predicts 0.167)`,
    );
    const throughTime = r.health.map((h) => h.warnings.filter((w) => w.block?.endsWith(' h') === true).map((w) => w.kind).join(', ') || 'none');
    console.log(
      `    ‖∂L/∂h‖ of the first step over the last's by epoch (--health kernel): ${r.stateGradients.map((g) => (g[0]! / g[g.length - 1]!).toExponential(1)).join(' ')}; warned through time: ${throughTime.join(' | ')}`,
    );
  }
  const rnnFiles = await writeLineCharts(
    [
      { title: 'largest gradient norm (before clipping)', xLabel: 'epoch', yLabel: '‖g‖', logY: true, series: runs.map((r) => ({ name: r.clip ? 'clip by norm 1' : 'no clipping', points: r.health.map((h, e) => [e + 1, h.gradNorm.max] as [number, number]) })) },
      { title: 'training loss', xLabel: 'epoch', yLabel: 'MSE', series: runs.map((r) => ({ name: r.clip ? 'clip by norm 1' : 'no clipping', points: r.trainLoss.map((l, e) => [e + 1, l] as [number, number]) })) },
      {
        title: '‖∂L/∂h_t‖ against the step t, epoch 1 (--health kernel)',
        xLabel: 'step t',
        yLabel: '‖∂L/∂h_t‖',
        logY: true,
        series: runs.map((r) => ({ name: r.clip ? 'clip by norm 1' : 'no clipping', points: r.stateGradients[0]!.map((g, t) => [t + 1, g] as [number, number]) })),
      },
    ],
    join(here, 'rnn-clipping'),
    'Elman RNN on 100-step adding sequences: exploding gradients, with and without clipping',
  );
  console.log(`plot: ${rnnFiles.pngPath}`);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await main();
