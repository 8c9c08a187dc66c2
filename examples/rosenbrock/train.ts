/**
 * Compile the Rosenbrock function with gradc and minimize it with the
 * runtime's Adam, a cosine schedule with warm restarts and gradient clipping.
 * Run: `npm run demo` (or `npx tsx examples/rosenbrock/train.ts`).
 */
import { compileExpression } from '../../compiler/index.ts';
import { Adam, CosineAnnealingWarmRestarts, clipGradNorm } from '../../runtime/index.ts';

export const ROSENBROCK = '(1 - x)^2 + 100 * (y - x^2)^2';

export interface RunResult {
  readonly x: Float64Array;
  readonly loss: number;
  readonly steps: number;
}

/** 3500 steps end the third cosine cycle (500 + 1000 + 2000) at the smallest learning rate. */
export function train(steps = 3500, log: (line: string) => void = () => {}): RunResult {
  const f = compileExpression(ROSENBROCK, { wrt: ['x', 'y'] });
  const objective = f.objective();
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

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  console.log(`gradc: minimizing ${ROSENBROCK} from (-1.2, 1)`);
  const source = compileExpression(ROSENBROCK, { wrt: ['x', 'y'] }).source;
  const kernel = source.slice(source.indexOf('/** f and its gradient'), source.indexOf('\n}\n', source.indexOf('export function valueAndGradient')) + 2);
  console.log(`the gradient kernel gradc emitted:\n${kernel}`);
  const result = train(3500, (line) => console.log(line));
  const error = Math.hypot(result.x[0]! - 1, result.x[1]! - 1);
  console.log(`done: f = ${result.loss.toExponential(3)}, distance to the minimum (1, 1) = ${error.toExponential(3)}`);
}
