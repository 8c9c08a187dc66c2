// Plain JavaScript run by node: trains the module `gradc compile --emit js` generated
// from line.model.ts with the installed runtime, and uses the programmatic API.
import { strict as assert } from 'node:assert';
import { compileExpression } from 'gradc';
import { SGD, train } from 'gradc/runtime';
import { lossFlat, lossLayout, unpackLoss } from './line.grad.js';

// Twenty points on y = 3x − 1: the least-squares optimum is w = 3, b = −1, loss 0.
const x = Float64Array.from({ length: 20 }, (_, i) => i / 10 - 1);
const y = x.map((v) => 3 * v - 1);
const f = lossFlat(x, y);
const params = new Float64Array(lossLayout.size);
const result = await train({
  params,
  examples: x.length,
  loss: (p, _unit, gradOut) => f.objective(p, gradOut),
  optimizer: new SGD({ lr: 0.5 }),
  epochs: 200,
  batchSize: x.length,
  progress: false,
});
const named = unpackLoss(params); // views onto params: a scalar is a one-element view
const [w, b] = [named.w[0], named.b[0]];
console.log(`trained ${result.steps} steps: w = ${w}, b = ${b}, loss = ${f.value(params)}`);
assert.ok(Math.abs(w - 3) < 1e-9 && Math.abs(b + 1) < 1e-9, `not at the optimum (3, -1): w = ${w}, b = ${b}`);
assert.ok(f.value(params) < 1e-18);

const g = compileExpression('x^2*sin(y)', { wrt: ['x', 'y'] });
assert.deepEqual(g.gradient({ x: 1.5, y: 0.3 }), [0.8865606199840186, 2.1495071005326136]);
console.log('compileExpression: gradient of x^2*sin(y) at (1.5, 0.3) as in the README');
