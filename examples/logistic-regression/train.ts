/**
 * Logistic regression on real data, with the module gradc generated from
 * logistic.model.ts: Iris versicolor vs virginica (the two species that
 * overlap, so the maximum-likelihood fit is finite), four standardized
 * measurements. Newton-CG uses the generated gradient and Hessian-vector
 * product; L-BFGS the gradient alone; both reach the same optimum.
 * Run: `npx tsx examples/logistic-regression/train.ts`.
 */
import {
  fitStandardizer,
  loadIris,
  minimizeLBFGS,
  minimizeNewtonCG,
  standardize,
  subset,
  trainValidationSplit,
  type Dataset,
  type MinimizeResult,
} from '../../runtime/index.ts';
import { lossFlat, lossLayout, probability, unpackLoss } from './logistic.grad.ts';

/** L2 strength λ in (λ/2)‖w‖². */
export const LAMBDA = 1e-2;

export interface Problem {
  readonly train: Dataset;
  readonly validation: Dataset;
}

/** Versicolor (y = 0) and virginica (y = 1); 30 % held out per class; standardized with the training part's statistics. */
export function irisProblem(seed = 1): Problem {
  const iris = loadIris();
  const rows = Array.from({ length: iris.count }, (_, i) => i).filter((i) => iris.y[i]! > 0);
  const two = subset(iris, rows);
  const binary: Dataset = { ...two, y: two.y.map((c) => (c === 2 ? 1 : 0)), classes: ['versicolor', 'virginica'] };
  const split = trainValidationSplit(binary, { validationFraction: 0.3, seed, stratify: true });
  const s = fitStandardizer(split.train);
  return { train: standardize(split.train, s), validation: standardize(split.validation, s) };
}

/** Share of rows where P(virginica) > 1/2 agrees with the label. */
export function accuracy(params: Float64Array, data: Dataset): number {
  const { w, b } = unpackLoss(params);
  const p = probability(w, b[0]!, data.x);
  return p.reduce((hits, pi, i) => hits + ((pi > 0.5 ? 1 : 0) === data.y[i] ? 1 : 0), 0) / data.count;
}

export interface Fits {
  readonly newtonCG: MinimizeResult & { readonly hessianVectorProducts: number };
  readonly lbfgs: MinimizeResult;
}

export function fit(problem: Problem): Fits {
  const { objective, hvp } = lossFlat(problem.train.x, problem.train.y, LAMBDA);
  const x0 = new Float64Array(lossLayout.size);
  return {
    newtonCG: minimizeNewtonCG(objective, hvp, x0, { gradTol: 1e-10 }),
    lbfgs: minimizeLBFGS(objective, x0, { gradTol: 1e-10 }),
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const problem = irisProblem();
  const fits = fit(problem);
  const { newtonCG, lbfgs } = fits;
  console.log(`Iris versicolor vs virginica: ${problem.train.count} training and ${problem.validation.count} held-out flowers, λ = ${LAMBDA}`);
  console.log(`Newton-CG: loss ${newtonCG.f.toFixed(6)} in ${newtonCG.iterations} iterations, ${newtonCG.hessianVectorProducts} Hessian-vector products`);
  console.log(`L-BFGS:    loss ${lbfgs.f.toFixed(6)} in ${lbfgs.iterations} iterations, ${lbfgs.functionEvaluations} gradient evaluations`);
  const { w, b } = unpackLoss(newtonCG.x);
  console.log(`weights (sepal length, sepal width, petal length, petal width): ${Array.from(w, (wi) => wi.toFixed(3)).join(', ')}; bias ${b[0]!.toFixed(3)}`);
  console.log(`accuracy: training ${(100 * accuracy(newtonCG.x, problem.train)).toFixed(1)} %, held out ${(100 * accuracy(newtonCG.x, problem.validation)).toFixed(1)} %`);
}
