/**
 * The error surface of a trained network, drawn without writing code: the Iris MLP of
 * examples/iris (mlp.model.ts → mlp.grad.ts) trained briefly with Adam, then
 *
 * - the loss along the straight line from the initial to the trained parameters
 *   (Goodfellow, Vinyals & Saxe 2015): surface-line.svg/png;
 * - the loss on the plane through the trained parameters spanned by two random
 *   filter-normalized directions (Li et al. 2018), with the training trajectory
 *   projected onto it: surface-random.svg/png;
 * - the loss on the plane of the training path's two principal directions, where the
 *   path itself lies (a random plane in 67 dimensions is nearly orthogonal to it):
 *   surface-pca.svg/png;
 * - the loss on the plane of the top two Hessian eigenvectors, found by Lanczos on
 *   the generated Hessian-vector product: surface-hessian.svg/png, the two sharpest
 *   directions of the minimum.
 *
 * Everything is evaluated on the full training set through the generated flat loss
 * `lossFlat(X, labels)`: `value` for the surfaces, `hvp` for the eigenvectors.
 *
 * Run: `npx tsx examples/surface/surface.ts [epochs]` (default 60).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Adam,
  batchLoss,
  filterNormalize,
  fitStandardizer,
  lanczosEigen,
  loadIris,
  lossAlongLine,
  lossSurface,
  projectOntoPlane,
  randomDirection,
  standardize,
  train,
  trajectoryDirections,
  writeLineChart,
  writeSurfacePlot,
  type LossLine,
  type LossSurface,
} from '../../runtime/index.ts';
import { irisKernels } from '../iris/models.ts';
import { lossFlat, lossLayout } from '../iris/mlp.grad.ts';

const SEED = 3;

export interface SurfaceRun {
  readonly initial: Float64Array;
  readonly trained: Float64Array;
  /** Parameters after each epoch, the initial ones first. */
  readonly trajectory: Float64Array[];
  readonly line: LossLine;
  readonly random: LossSurface;
  readonly hessian: LossSurface;
  /** The plane of the trajectory's two principal directions, and the share of its variation each explains. */
  readonly pca: LossSurface;
  readonly pcaDirections: readonly [Float64Array, Float64Array];
  readonly explained: readonly [number, number];
  /** The top two Hessian eigenvalues at the trained parameters. */
  readonly eigenvalues: Float64Array;
  readonly randomDirections: readonly [Float64Array, Float64Array];
  readonly eigenvectors: readonly [Float64Array, Float64Array];
  readonly value: (x: Float64Array) => number;
}

export async function surfaceRun(epochs = 60, resolution = 41): Promise<SurfaceRun> {
  const iris = loadIris();
  const data = standardize(iris, fitStandardizer(iris));
  const model = irisKernels('MLP');
  const initial = model.init(SEED);
  const params = initial.slice();
  const trajectory = [initial.slice()];
  await train({
    params,
    examples: data.count,
    loss: batchLoss(data, model.valueAndGradient),
    optimizer: new Adam({ lr: 0.02 }),
    epochs,
    batchSize: 16,
    seed: SEED,
    progress: false,
    callbacks: { onEpoch: () => void trajectory.push(params.slice()) },
  });
  const full = lossFlat(data.x, data.y);
  const value = (x: Float64Array): number => full.value(x);
  const line = lossAlongLine(value, initial, params, { range: [-0.25, 1.25], points: 61 });
  const randomDirections = [filterNormalize(randomDirection(params.length, 1), params, lossLayout), filterNormalize(randomDirection(params.length, 2), params, lossLayout)] as const;
  const random = lossSurface(value, params, randomDirections[0], randomDirections[1], { range: [-1, 1], resolution });
  const { directions: pcaDirections, explained } = trajectoryDirections(trajectory, params);
  const span = projectOntoPlane(trajectory, params, ...pcaDirections).reduce((m, [a, b]) => Math.max(m, Math.abs(a), Math.abs(b)), 0);
  const pca = lossSurface(value, params, pcaDirections[0], pcaDirections[1], { range: [-1.2 * span, 1.2 * span], resolution });
  const top = lanczosEigen((v, out) => full.hvp(params, v, out), params.length, 2, { seed: SEED });
  const eigenvectors = [top.vectors[0]!, top.vectors[1]!] as const;
  // Eigenvectors are unit vectors: scale the window to the parameters' size.
  const reach = 0.5 * Math.sqrt(params.reduce((s, p) => s + p * p, 0));
  const hessian = lossSurface(value, params, eigenvectors[0], eigenvectors[1], { range: [-reach, reach], resolution });
  return { initial, trained: params, trajectory, line, random, pca, pcaDirections, explained, hessian, eigenvalues: top.values, randomDirections, eigenvectors, value };
}

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 60);
  const run = await surfaceRun(epochs);
  const here = fileURLToPath(new URL('.', import.meta.url));
  const files = [
    await writeLineChart(
      { title: `Iris MLP: loss from the initial (α = 0) to the trained (α = 1) parameters`, xLabel: 'α', yLabel: 'training loss', series: [{ name: 'loss', points: Array.from(run.line.alphas, (a, i) => [a, run.line.losses[i]!] as [number, number]) }] },
      join(here, 'surface-line'),
    ),
    await writeSurfacePlot(
      {
        surface: run.random,
        title: 'Iris MLP around the trained parameters: two filter-normalized random directions',
        trajectories: [{ name: 'Adam (projected)', points: projectOntoPlane(run.trajectory, run.trained, ...run.randomDirections) }],
        marks: [{ name: 'trained', at: [0, 0] }],
      },
      join(here, 'surface-random'),
    ),
    await writeSurfacePlot(
      {
        surface: run.pca,
        title: `Iris MLP: the training path's two principal directions (${(100 * run.explained[0]).toFixed(0)} % and ${(100 * run.explained[1]).toFixed(0)} % of it)`,
        xLabel: 'principal direction 1',
        yLabel: 'principal direction 2',
        trajectories: [{ name: 'Adam (projected)', points: projectOntoPlane(run.trajectory, run.trained, ...run.pcaDirections) }],
        marks: [{ name: 'trained', at: [0, 0] }],
      },
      join(here, 'surface-pca'),
    ),
    await writeSurfacePlot(
      {
        surface: run.hessian,
        title: `Iris MLP: top two Hessian eigenvectors (λ = ${run.eigenvalues[0]!.toPrecision(3)}, ${run.eigenvalues[1]!.toPrecision(3)})`,
        xLabel: 'eigenvector 1',
        yLabel: 'eigenvector 2',
        marks: [{ name: 'trained', at: [0, 0] }],
      },
      join(here, 'surface-hessian'),
    ),
  ];
  const at = (s: LossSurface) => s.losses[((s.ys.length - 1) / 2) * s.xs.length + (s.xs.length - 1) / 2]!;
  console.log(`loss: initial ${run.value(run.initial).toFixed(4)}, trained ${run.value(run.trained).toFixed(4)} (the centre of both planes: ${at(run.random).toFixed(4)})`);
  console.log(`along the line: max ${Math.max(...run.line.losses).toFixed(4)}, min ${Math.min(...run.line.losses).toFixed(4)}`);
  console.log(`top Hessian eigenvalues: ${Array.from(run.eigenvalues, (v) => v.toPrecision(4)).join(', ')}`);
  console.log(`plots: ${files.map((f) => f.pngPath).join(', ')}`);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await main();
