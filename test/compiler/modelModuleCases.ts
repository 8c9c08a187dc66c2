/**
 * Model files for the generated-module tests, built as IR the way the
 * TypeScript front end builds them: one `withOrigin` scope per source
 * statement, so the generated code can name its lines. Between them they
 * cover scalar and tensor parameters, a mix of both, scalar and tensor
 * data, a named batch dimension, tensor outputs and several functions per file.
 */
import { add, constant, input, mul, neg, sub } from '../../compiler/ir/build.ts';
import { matmul, slice, sum } from '../../compiler/ir/buildTensor.ts';
import { matmulAny, mean, relu, sigmoid, softmaxCrossEntropy, softplus } from '../../compiler/frontend/builders/nn.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { nameValue, withOrigin } from '../../compiler/ir/origin.ts';
import type { SourceOrigin } from '../../compiler/ir/origin.ts';
import type { ModuleIR, FunctionIR } from '../../compiler/ir/function.ts';

const isNodeValue = (v: unknown): v is Node => typeof v === 'object' && v !== null && 'op' in v && 'shape' in v;

/** A source file being "parsed": `line(n, text, build)` attributes what `build` creates to line n. */
function source(path: string) {
  const at = (line: number, text: string): SourceOrigin => ({ file: path, line, column: 1, text });
  return {
    at,
    // As the front end does, a `const name = …` line names the value it binds (ir/origin.ts).
    line: <T>(n: number, text: string, build: () => T): T => {
      const value = withOrigin(at(n, text), build);
      const bound = /^(?:const|let) (\w+) =/.exec(text)?.[1];
      if (bound !== undefined && isNodeValue(value)) nameValue(value, bound);
      return value;
    },
  };
}

function fn(
  name: string,
  origin: SourceOrigin,
  params: readonly InputNode[],
  wrt: readonly InputNode[],
  output: Node,
  doc?: string,
): FunctionIR {
  return { name, params, wrt, output, origin, ...(doc === undefined ? {} : { doc }) };
}

const sq = (x: Node) => mul(x, x);

/** (1 - x)² + 100 (y - x²)²: scalar parameters only. */
export function rosenbrockFile(): ModuleIR {
  const s = source('models/rosenbrock.model.ts');
  const x = input('x');
  const y = input('y');
  const a = s.line(4, 'const a = 1 - x;', () => sub(constant(1), x));
  const b = s.line(5, 'const b = y - x * x;', () => sub(y, sq(x)));
  const f = s.line(6, 'return a * a + 100 * b * b;', () => add(sq(a), mul(constant(100), sq(b))));
  return {
    path: 'models/rosenbrock.model.ts',
    functions: [fn('rosenbrock', s.at(3, 'export function rosenbrock(x: Param<number>, y: Param<number>): number {'), [x, y], [x, y], f, 'The 2-D Rosenbrock function.')],
  };
}

/** Σ 100 (x[i+1] - x[i]²)² + (1 - x[i])² over a vector of 6. */
export function rosenbrockNFile(): ModuleIR {
  const s = source('models/rosenbrockN.model.ts');
  const n = 6;
  const x = input('x', [n]);
  const head = s.line(3, 'const head = slice(x, 0, 0, 5);', () => slice(x, 0, 0, n - 1));
  const tail = s.line(4, 'const tail = slice(x, 0, 1, 6);', () => slice(x, 0, 1, n));
  const f = s.line(5, 'return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))));', () =>
    sum(add(mul(constant(100), sq(sub(tail, sq(head)))), sq(sub(constant(1), head)))),
  );
  return {
    path: 'models/rosenbrockN.model.ts',
    functions: [fn('rosenbrockN', s.at(2, 'export function rosenbrockN(x: Param<Tensor<[6]>>): number {'), [x], [x], f)],
  };
}

/**
 * Logistic regression with an L2 penalty (tensor and scalar parameters, tensor
 * and scalar data, a named batch), its predictions (a tensor output), and a
 * least-squares fit in the same file.
 */
export function regressionFile(): ModuleIR {
  const path = 'models/regression.model.ts';
  const s = source(path);
  const w = input('w', [3]);
  const b = input('b');
  const X = input('X', ['n', 3]);
  const y = input('y', ['n']);
  const lambda = input('lambda');
  const z = s.line(4, 'const z = add(matmul(X, w), b);', () => add(matmulAny(X, w), b));
  const nll = s.line(5, 'const nll = mean(sub(softplus(z), mul(y, z)));', () => mean(sub(softplus(z), mul(y, z))));
  const loss = s.line(6, 'return nll + 0.5 * lambda * sum(square(w));', () => add(nll, mul(mul(constant(0.5), lambda), sum(sq(w)))));
  const p = s.line(10, 'return sigmoid(add(matmul(X, w), b));', () => sigmoid(add(matmulAny(X, w), b)));
  const v = input('v', [4]);
  const A = input('A', ['m', 4]);
  const t = input('t', ['m']);
  const r = s.line(14, 'const r = sub(matmul(A, v), t);', () => sub(matmulAny(A, v), t));
  const ls = s.line(15, 'return 0.5 * sum(square(r));', () => mul(constant(0.5), sum(sq(r))));
  return {
    path,
    functions: [
      fn('logistic', s.at(3, 'export function logistic(w: Param<Tensor<[3]>>, b: Param<number>, X: Tensor<["n", 3]>, y: Tensor<["n"]>, lambda: number): number {'), [w, b, X, y, lambda], [w, b], loss, 'Mean logistic loss with an L2 penalty on w.'),
      fn('predict', s.at(9, 'export function predict(w: Param<Tensor<[3]>>, b: Param<number>, X: Tensor<["n", 3]>): Tensor<["n"]> {'), [w, b, X], [w, b], p),
      fn('leastSquares', s.at(13, 'export function leastSquares(v: Param<Tensor<[4]>>, A: Tensor<["m", 4]>, t: Tensor<["m"]>): number {'), [v, A, t], [v], ls),
    ],
  };
}

/** A one-hidden-layer MLP: its loss over a batch, and its logits. */
export function mlpFile(): ModuleIR {
  const path = 'models/mlp.model.ts';
  const s = source(path);
  const W1 = input('W1', [4, 5]);
  const b1 = input('b1', [5]);
  const W2 = input('W2', [5, 3]);
  const b2 = input('b2', [3]);
  const X = input('X', ['batch', 4]);
  const labels = input('labels', ['batch']);
  const hidden = s.line(4, 'const hidden = relu(add(matmul(X, W1), b1));', () => relu(add(matmul(X, W1), b1)));
  const logits = s.line(5, 'const logits = add(matmul(hidden, W2), b2);', () => add(matmul(hidden, W2), b2));
  const loss = s.line(6, 'return softmaxCrossEntropy(logits, labels);', () => softmaxCrossEntropy(logits, labels));
  const params = [W1, b1, W2, b2];
  return {
    path,
    functions: [
      {
        ...fn('loss', s.at(3, 'export function loss(W1: Param<Tensor<[4, 5]>>, …, X: Tensor<["batch", 4]>, labels: Tensor<["batch"]>): number {'), [...params, X, labels], params, loss, 'Mean cross-entropy of the MLP on a batch.'),
        // What the front end records for `return softmaxCrossEntropy(logits, labels)`: the golden shows lossGgnvp.
        gaussNewton: { op: 'softmaxCrossEntropy', outputs: logits, loss: (z) => softmaxCrossEntropy(z, labels) },
      },
      fn('logits', s.at(9, 'export function logits(W1: Param<Tensor<[4, 5]>>, …, X: Tensor<["batch", 4]>): Tensor<["batch", 3]> {'), [...params, X], params, logits),
    ],
  };
}

/** A tensor output without differentiated parameters, and a scalar one without any. */
export function plainFile(): ModuleIR {
  const path = 'models/plain.model.ts';
  const s = source(path);
  const X = input('X', ['rows', 'cols']);
  const u = input('u');
  const out = s.line(3, 'return sigmoid(mul(X, u));', () => sigmoid(mul(X, u)));
  const k = s.line(7, 'return -u * u;', () => neg(sq(u)));
  return {
    path,
    functions: [
      fn('squash', s.at(2, 'export function squash(X: Tensor<["rows", "cols"]>, u: number): Tensor<["rows", "cols"]> {'), [X, u], [], out),
      fn('bump', s.at(6, 'export function bump(u: number): number {'), [u], [], k),
    ],
  };
}

export const MODEL_CASES: readonly { readonly name: string; readonly build: () => ModuleIR }[] = [
  { name: 'rosenbrock', build: rosenbrockFile },
  { name: 'rosenbrockN', build: rosenbrockNFile },
  { name: 'regression', build: regressionFile },
  { name: 'mlp', build: mlpFile },
  { name: 'plain', build: plainFile },
];
