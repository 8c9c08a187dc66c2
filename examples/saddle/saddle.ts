/**
 * Saddle points, shown (the notes: "gradients around saddle points are close to zero
 * which makes learning slow … partially solved by a noisy estimate of the gradient,
 * which SGD does implicitly"). On f(x, y) = x² + y⁴/4 − y²/2 (saddle.model.ts: a
 * saddle at (0, 0), minima at (0, ±1)), from (1.5, 10⁻⁶), just off the saddle's
 * attracting line y = 0, four methods with the generated module's kernels:
 *
 * - gradient descent (the runtime's SGD optimizer with the exact gradient),
 * - SGD: the same step with a noisy gradient (Gaussian noise, σ = 0.1, seeded),
 * - Newton's method, undamped: x ← x − H⁻¹∇f,
 * - the runtime's Newton minimizer with its saddle-free modification (Dauphin et
 *   al. 2014: −|H|⁻¹∇f, and a step along negative curvature at a saddle).
 *
 * It prints, for each, the steps spent on the plateau (|y| < 0.01 after x has
 * settled) and where it ended, and draws the trajectories on the surface
 * (saddle-surface.svg/png) and the loss against steps (saddle-loss.svg/png).
 *
 * Run: `npx tsx examples/saddle/saddle.ts`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SGD, lossSurface, minimizeNewton, writeLineChart, writeSurfacePlot } from '../../runtime/index.ts';
import { standardNormal } from '../../runtime/linalg/lanczos.ts';
import { SeededRng } from '../../runtime/train/rng.ts';
import { saddleFlat } from './saddle.grad.ts';

export const START: readonly [number, number] = [1.5, 1e-6];
const LR = 0.1;
const NOISE = 0.1;

export interface Run {
  readonly name: string;
  /** (x, y) after each step, the start first. */
  readonly path: [number, number][];
  readonly losses: number[];
}

const f = saddleFlat();

function record(name: string, step: (x: Float64Array) => void, steps: number): Run {
  const x = Float64Array.from(START);
  const path: [number, number][] = [[x[0]!, x[1]!]];
  const losses = [f.value(x)];
  for (let t = 0; t < steps; t++) {
    step(x);
    path.push([x[0]!, x[1]!]);
    losses.push(f.value(x));
  }
  return { name, path, losses };
}

export function gradientDescent(steps: number): Run {
  const sgd = new SGD({ lr: LR });
  const g = new Float64Array(2);
  return record('gradient descent', (x) => {
    f.objective(x, g);
    sgd.step(x, g);
  }, steps);
}

export function noisySgd(steps: number, seed = 1): Run {
  const sgd = new SGD({ lr: LR });
  const g = new Float64Array(2);
  const rng = SeededRng.fromSeed(seed);
  return record('SGD (noisy)', (x) => {
    f.objective(x, g);
    for (let i = 0; i < 2; i++) g[i]! += NOISE * standardNormal(rng);
    sgd.step(x, g);
  }, steps);
}

export function undampedNewton(steps: number): Run {
  const g = new Float64Array(2);
  const h = new Float64Array(4);
  return record('Newton', (x) => {
    f.objective(x, g);
    f.hessian(x, h);
    // x ← x − H⁻¹ g, the 2 × 2 inverse written out.
    const det = h[0]! * h[3]! - h[1]! * h[2]!;
    const dx = (h[3]! * g[0]! - h[1]! * g[1]!) / det;
    const dy = (h[0]! * g[1]! - h[2]! * g[0]!) / det;
    x[0]! -= dx;
    x[1]! -= dy;
  }, steps);
}

export function saddleFreeNewton(steps: number): Run {
  const path: [number, number][] = [[START[0], START[1]]];
  const losses = [f.value(Float64Array.from(START))];
  minimizeNewton(f.objective, f.hessian, Float64Array.from(START), {
    modification: 'saddle-free',
    maxIter: steps,
    callback: (info) => {
      path.push([info.x[0]!, info.x[1]!]);
      losses.push(info.f);
    },
  });
  return { name: 'saddle-free Newton', path, losses };
}

/** Steps with |y| < 0.01 once |x| < 0.01: the iterations spent at the saddle. */
export function plateauSteps(run: Run): number {
  return run.path.filter(([x, y]) => Math.abs(x) < 0.01 && Math.abs(y) < 0.01).length;
}

export function runAll(steps = 200): Run[] {
  return [gradientDescent(steps), noisySgd(steps), undampedNewton(Math.min(steps, 20)), saddleFreeNewton(Math.min(steps, 50))];
}

async function main(): Promise<void> {
  const runs = runAll();
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const r of runs) {
    const [x, y] = r.path.at(-1)!;
    console.log(`${r.name.padEnd(22)} ${String(r.path.length - 1).padStart(4)} steps, ${String(plateauSteps(r)).padStart(4)} at the saddle, ended at (${x.toFixed(4)}, ${y.toFixed(4)}), f = ${r.losses.at(-1)!.toFixed(6)}`);
  }
  const surface = lossSurface((p) => f.value(p), new Float64Array(2), Float64Array.from([1, 0]), Float64Array.from([0, 1]), { range: [-1.6, 1.6], resolution: 81 });
  const surfaceFiles = await writeSurfacePlot(
    {
      surface,
      title: 'f = x² + y⁴/4 − y²/2 from (1.5, 1e-6)',
      xLabel: 'x',
      yLabel: 'y',
      trajectories: runs.map((r) => ({ name: r.name, points: r.path })),
      marks: [
        { name: 'saddle', at: [0, 0] },
        { name: 'minimum', at: [0, 1] },
        { name: 'minimum', at: [0, -1] },
      ],
    },
    join(here, 'saddle-surface'),
  );
  const lossFiles = await writeLineChart(
    {
      title: 'loss against steps (saddle f = 0, minima −0.25)',
      xLabel: 'step',
      yLabel: 'f',
      series: runs.map((r) => ({ name: r.name, points: r.losses.map((l, i) => [i, l] as [number, number]) })),
    },
    join(here, 'saddle-loss'),
  );
  console.log(`plots: ${surfaceFiles.pngPath}, ${lossFiles.pngPath}`);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await main();
