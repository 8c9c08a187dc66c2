/**
 * Minimize the Rosenbrock function with the module gradc generated from
 * rosenbrock.model.ts: the 2-D valley with the runtime's Adam, a cosine
 * schedule with warm restarts and gradient clipping, then the 16-D chain with
 * Newton-CG, whose Hessian-vector products come from the same module.
 * Run: `npx tsx examples/rosenbrock/train.ts`.
 * After editing the model file: `npm run gradc -- compile examples/rosenbrock/rosenbrock.model.ts`.
 */
import { readFileSync } from 'node:fs';
import { Adam, CosineAnnealingWarmRestarts, clipGradNorm, minimizeNewtonCG, type NewtonCGResult } from '../../runtime/index.ts';
import { rosenbrockFlat, rosenbrockNFlat, rosenbrockNLayout } from './rosenbrock.grad.ts';

export interface RunResult {
  readonly x: Float64Array;
  readonly loss: number;
  readonly steps: number;
}

/** 3500 steps end the third cosine cycle (500 + 1000 + 2000) at the smallest learning rate. */
export function train(steps = 3500, log: (line: string) => void = () => {}): RunResult {
  const { objective } = rosenbrockFlat();
  const params = Float64Array.from([-1.2, 1]); // the standard start
  const grad = new Float64Array(2);
  const optimizer = new Adam({ lr: 0.05 });
  const schedule = new CosineAnnealingWarmRestarts(optimizer, { T0: 500, TMult: 2, etaMin: 1e-4 });
  let loss = objective(params, grad);
  for (let step = 1; step <= steps; step++) {
    clipGradNorm(grad, 10);
    optimizer.step(params, grad);
    schedule.step();
    loss = objective(params, grad);
    if (step % 500 === 0) {
      log(`step ${String(step).padStart(5)}  loss ${loss.toExponential(3)}  x = (${params[0]!.toFixed(6)}, ${params[1]!.toFixed(6)})  lr ${optimizer.lr.toExponential(2)}`);
    }
  }
  return { x: params, loss, steps };
}

/** Newton-CG on the 16-D chain from the standard extended start (−1.2, 1, −1.2, 1, …). */
export function newtonCG(): NewtonCGResult {
  const { objective, hvp } = rosenbrockNFlat();
  const x0 = Float64Array.from({ length: rosenbrockNLayout.size }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  return minimizeNewtonCG(objective, hvp, x0, { gradTol: 1e-10, maxIter: 500 });
}

/** The gradient kernel as gradc wrote it into rosenbrock.grad.ts. */
function gradientKernelText(): string {
  const source = readFileSync(new URL('./rosenbrock.grad.ts', import.meta.url), 'utf8');
  const start = source.indexOf('function rosenbrockValueAndGradientKernel(');
  return source.slice(start, source.indexOf('\n}\n', start) + 2);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  console.log('gradc: minimizing (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1)');
  console.log(`the gradient kernel gradc generated in rosenbrock.grad.ts:\n${gradientKernelText()}`);
  const result = train(3500, (line) => console.log(line));
  const error = Math.hypot(result.x[0]! - 1, result.x[1]! - 1);
  console.log(`Adam: f = ${result.loss.toExponential(3)}, distance to the minimum (1, 1) = ${error.toExponential(3)}`);
  const n = newtonCG();
  const distance = Math.sqrt(n.x.reduce((s, xi) => s + (xi - 1) ** 2, 0));
  console.log(`Newton-CG, 16-D: f = ${n.f.toExponential(3)} after ${n.iterations} iterations and ${n.hessianVectorProducts} Hessian-vector products, distance to (1, …, 1) = ${distance.toExponential(3)}`);
}
