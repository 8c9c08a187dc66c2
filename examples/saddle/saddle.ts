/**
 * Saddle points, shown (the notes: "gradients around saddle points are close to zero
 * which makes learning slow … partially solved by a noisy estimate of the gradient,
 * which SGD does implicitly"). On two problems of saddle.model.ts — f(x, y) = x² + y⁴/4
 * − y²/2 (a saddle at (0, 0), minima at (0, ±1)) from (1.5, 10⁻⁶), just off the
 * saddle's attracting line y = 0, and a two-layer linear network y = w₂w₁x from the
 * small initialization (10⁻⁴, 5·10⁻⁵) next to its saddle at w = 0 — four methods with
 * the generated module's kernels:
 *
 * - gradient descent (the runtime's SGD optimizer with the exact gradient),
 * - SGD: the same step with a noisy gradient (Gaussian noise, σ = 0.1, seeded),
 * - Newton's method, undamped: x ← x − H⁻¹∇f,
 * - the runtime's Newton minimizer with its saddle-free modification (Dauphin et
 *   al. 2014: −|H|⁻¹∇f, and a step along negative curvature at a saddle).
 *
 * It prints, for each, the steps spent within 0.01 of the saddle and where it ended,
 * and draws the trajectories on the surface and the loss against steps
 * (saddle-surface, saddle-loss, linear-net-surface, linear-net-loss: .svg and .png).
 *
 * Run: `npx tsx examples/saddle/saddle.ts`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SGD, lossSurface, minimizeNewton, writeLineChart, writeSurfacePlot } from '../../runtime/index.ts';
import { SeededRng } from '../../runtime/random/seededRng.ts';
import { linearNetFlat, saddleFlat, type FlatObjective } from './saddle.grad.ts';

export interface Problem {
  readonly name: string;
  /** What the methods use of the generated flat objective. */
  readonly f: Pick<FlatObjective, 'value' | 'objective' | 'hessian'>;
  readonly start: readonly [number, number];
  /** The saddle, where the methods are judged to be "at" it within 0.01. */
  readonly saddle: readonly [number, number];
}

/** The 2-D function: saddle at the origin, minima at (0, ±1). */
export const TWO_MINIMA: Problem = { name: 'x² + y⁴/4 − y²/2', f: saddleFlat(), start: [1.5, 1e-6], saddle: [0, 0] };

/** 64 points x in [−1, 1], y = 2x: the linear network's data. */
function lineData(): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: 64 }, (_, i) => -1 + (2 * i) / 63);
  return { x, y: x.map((v) => 2 * v) };
}

/** The two-layer linear network from a small initialization next to its saddle at (0, 0). */
export const LINEAR_NET: Problem = (() => {
  const { x, y } = lineData();
  return { name: 'linear network y = w₂w₁x', f: linearNetFlat(x, y), start: [1e-4, 5e-5], saddle: [0, 0] };
})();

const LR = 0.1;
const NOISE = 0.1;

export interface Run {
  readonly name: string;
  /** (x, y) after each step, the start first. */
  readonly path: [number, number][];
  readonly losses: number[];
}

function record(problem: Problem, name: string, step: (x: Float64Array) => void, steps: number): Run {
  const { f } = problem;
  const x = Float64Array.from(problem.start);
  const path: [number, number][] = [[x[0]!, x[1]!]];
  const losses = [f.value(x)];
  for (let t = 0; t < steps; t++) {
    step(x);
    path.push([x[0]!, x[1]!]);
    losses.push(f.value(x));
  }
  return { name, path, losses };
}

export function gradientDescent(problem: Problem, steps: number): Run {
  const sgd = new SGD({ lr: LR });
  const g = new Float64Array(2);
  return record(problem, 'gradient descent', (x) => {
    problem.f.objective(x, g);
    sgd.step(x, g);
  }, steps);
}

export function noisySgd(problem: Problem, steps: number, seed = 1): Run {
  const sgd = new SGD({ lr: LR });
  const g = new Float64Array(2);
  const rng = SeededRng.fromSeed(seed);
  return record(problem, 'SGD (noisy)', (x) => {
    problem.f.objective(x, g);
    for (let i = 0; i < 2; i++) g[i]! += NOISE * rng.normal();
    sgd.step(x, g);
  }, steps);
}

export function undampedNewton(problem: Problem, steps: number): Run {
  const g = new Float64Array(2);
  const h = new Float64Array(4);
  return record(problem, 'Newton', (x) => {
    problem.f.objective(x, g);
    problem.f.hessian(x, h);
    // x ← x − H⁻¹ g, the 2 × 2 inverse written out.
    const det = h[0]! * h[3]! - h[1]! * h[2]!;
    const dx = (h[3]! * g[0]! - h[1]! * g[1]!) / det;
    const dy = (h[0]! * g[1]! - h[2]! * g[0]!) / det;
    x[0]! -= dx;
    x[1]! -= dy;
  }, steps);
}

export function saddleFreeNewton(problem: Problem, steps: number): Run {
  const { f, start } = problem;
  const path: [number, number][] = [[start[0], start[1]]];
  const losses = [f.value(Float64Array.from(start))];
  minimizeNewton((x, g) => f.objective(x, g), (x, out) => f.hessian(x, out), Float64Array.from(start), {
    modification: 'saddle-free',
    maxIter: steps,
    callback: (info) => {
      path.push([info.x[0]!, info.x[1]!]);
      losses.push(info.f);
    },
  });
  return { name: 'saddle-free Newton', path, losses };
}

/** Steps within 0.01 of the saddle in both coordinates: the iterations spent at it. */
export function plateauSteps(problem: Problem, run: Run): number {
  const [sx, sy] = problem.saddle;
  return run.path.filter(([x, y]) => Math.abs(x - sx) < 0.01 && Math.abs(y - sy) < 0.01).length;
}

export function runAll(problem: Problem, steps = 200): Run[] {
  return [gradientDescent(problem, steps), noisySgd(problem, steps), undampedNewton(problem, Math.min(steps, 20)), saddleFreeNewton(problem, Math.min(steps, 50))];
}

function report(problem: Problem, runs: readonly Run[]): void {
  console.log(`${problem.name}, from (${problem.start.join(', ')}):`);
  for (const r of runs) {
    const [x, y] = r.path.at(-1)!;
    console.log(`  ${r.name.padEnd(20)} ${String(r.path.length - 1).padStart(4)} steps, ${String(plateauSteps(problem, r)).padStart(4)} at the saddle, ended at (${x.toFixed(4)}, ${y.toFixed(4)}), f = ${r.losses.at(-1)!.toFixed(6)}`);
  }
}

async function plots(problem: Problem, runs: readonly Run[], range: readonly [number, number], marks: { name: string; at: [number, number] }[], base: string, labels: [string, string]): Promise<string[]> {
  const { f } = problem;
  const surface = lossSurface((p) => f.value(p), new Float64Array(2), Float64Array.from([1, 0]), Float64Array.from([0, 1]), { range, resolution: 81 });
  const surfaceFiles = await writeSurfacePlot(
    { surface, title: `${problem.name} from (${problem.start.join(', ')})`, xLabel: labels[0], yLabel: labels[1], trajectories: runs.map((r) => ({ name: r.name, points: r.path })), marks },
    `${base}-surface`,
  );
  const lossFiles = await writeLineChart(
    { title: `${problem.name}: loss against steps`, xLabel: 'step', yLabel: 'loss', series: runs.map((r) => ({ name: r.name, points: r.losses.map((l, i) => [i, l] as [number, number]) })) },
    `${base}-loss`,
  );
  return [surfaceFiles.pngPath, lossFiles.pngPath];
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const twoMinima = runAll(TWO_MINIMA);
  const net = runAll(LINEAR_NET);
  report(TWO_MINIMA, twoMinima);
  report(LINEAR_NET, net);
  const files = [
    ...(await plots(TWO_MINIMA, twoMinima, [-1.6, 1.6], [{ name: 'saddle', at: [0, 0] }, { name: 'minimum', at: [0, 1] }, { name: 'minimum', at: [0, -1] }], join(here, 'saddle'), ['x', 'y'])),
    ...(await plots(LINEAR_NET, net, [-2.2, 2.2], [{ name: 'saddle', at: [0, 0] }, { name: 'w₁w₂ = 2', at: [Math.SQRT2, Math.SQRT2] }], join(here, 'linear-net'), ['w₁', 'w₂'])),
  ];
  console.log(`plots: ${files.join(', ')}`);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await main();
