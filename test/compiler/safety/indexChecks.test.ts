/**
 * Labels and gather indices outside their range are errors, not wrong
 * results. Before, a label of 3.5 or 7 among 3 classes gave a one-hot row
 * of zeros (the loss silently lost that example's -z[label] term) and a bad
 * gather index gave NaN rows; now every way of running a model raises a
 * RangeError naming the argument, the position and the value: the reference
 * evaluator (and so the eager prelude), compileModel's kernels, and the
 * named and flat APIs of a generated model module, which check labels and
 * ids as they are bound (each call, a flat variant and its setData).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../../compiler/api/compileModel.ts';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';
import { add, constant, input } from '../../../compiler/ir/build.ts';
import { gather, matmul, oneHot, scatterAdd, sum } from '../../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import { softmaxCrossEntropy } from '../../../compiler/frontend/builders/nn.ts';
import { tensor } from '../../../compiler/ir/tensor.ts';
import * as prelude from '../../../compiler/prelude/index.ts';
import * as labelsModel from './fixtures/labels.model.ts';

// Each bad value, and what the message says about it (positions are row-major).
const BAD_LABELS: readonly [number, string][] = [
  [3.5, 'y[1] = 3.5: a label must be an integer in [0, 3)'],
  [3, 'y[1] = 3: a label must be an integer in [0, 3)'],
  [-1, 'y[1] = -1: a label must be an integer in [0, 3)'],
  [NaN, 'y[1] = NaN: a label must be an integer in [0, 3)'],
  [Infinity, 'y[1] = Infinity: a label must be an integer in [0, 3)'],
];

const exact = (message: string) => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

function classifier() {
  const W = input('W', [2, 3]);
  const X = input('X', ['batch', 2]);
  const y = input('y', ['batch']);
  return { W, X, y, loss: softmaxCrossEntropy(matmul(X, W), y) };
}

const X = tensor([3, 2], [0.5, -1, 2, 0.25, -0.75, 1.5]);
const W = tensor([2, 3], [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]);
const labels = (bad: number) => tensor([3], [2, bad, 0]);

describe('the reference evaluator', () => {
  const { loss } = classifier();
  it.each(BAD_LABELS)('refuses the label %s', (bad, message) => {
    expect(() => evaluateTensors([loss], { W, X, y: labels(bad) })).toThrow(RangeError);
    expect(() => evaluateTensors([loss], { W, X, y: labels(bad) })).toThrow(exact(message));
  });

  it('accepts labels in range, -0 included', () => {
    expect(Number.isFinite(evaluateTensors([loss], { W, X, y: labels(-0) }).get(loss)!.data[0])).toBe(true);
  });

  it('refuses gather and scatterAdd indices out of range, naming them', () => {
    const table = input('table', [4, 2]);
    const ids = input('ids', [3]);
    const values = input('values', [3, 2]);
    const t = tensor([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const bad = tensor([3], [0, 4, 1]);
    expect(() => evaluateTensors([gather(table, ids)], { table: t, ids: bad })).toThrow(exact('ids[1] = 4: a row index must be an integer in [0, 4)'));
    expect(() => evaluateTensors([scatterAdd(ids, values, 4)], { ids: tensor([3], [0, 1, -2]), values: tensor([3, 2], [1, 2, 3, 4, 5, 6]) }))
      .toThrow(exact('ids[2] = -2: a row index must be an integer in [0, 4)'));
    // Computed indices have no argument name; the message says what they are.
    expect(() => evaluateTensors([gather(table, add(ids, constant(1)))], { table: t, ids: tensor([3], [0, 3, 1]) }))
      .toThrow(exact('indices[1] = 4: a row index must be an integer in [0, 4)'));
    expect(() => evaluateTensors([oneHot(constant(2, [2]), 2)], {})).toThrow(exact('labels[0] = 2: a label must be an integer in [0, 2)'));
  });
});

describe('the eager prelude', () => {
  it('refuses a bad label in softmaxCrossEntropy and a bad gather index', () => {
    const logits = prelude.tensor([0.5, -1, 2, 0.25, -0.75, 1.5], [2, 3]);
    expect(() => prelude.softmaxCrossEntropy(logits, prelude.tensor([1, 7], [2]))).toThrow(exact('labels[1] = 7: a label must be an integer in [0, 3)'));
    expect(() => prelude.gather(logits, prelude.tensor([0.5], [1]))).toThrow(exact('indices[0] = 0.5: a row index must be an integer in [0, 2)'));
    expect(Number.isFinite(prelude.softmaxCrossEntropy(logits, prelude.tensor([1, 2], [2])))).toBe(true);
  });
});

type Kernel = (...args: unknown[]) => unknown;

describe('compileModel kernels', () => {
  const { W: w, X: x, y, loss } = classifier();
  const model = compileModel({ inputs: [w, x, y], loss, wrt: [w], source: 'labels test' });
  const call = (kind: string, yValues: Float64Array) => {
    const args = model.derivatives.inputs.map((n) => (n.name === 'W' ? W.data : n.name === 'X' ? X.data : yValues));
    return (model.kernels[kind] as Kernel)(...args, 3, new Float64Array(model.size));
  };

  it.each(BAD_LABELS)('valueAndGradient refuses the label %s', (bad, message) => {
    expect(() => call('valueAndGradient', labels(bad).data)).toThrow(RangeError);
    expect(() => call('valueAndGradient', labels(bad).data)).toThrow(exact(message));
  });

  it('computes the loss the reference evaluator gives for good labels', () => {
    const value = call('valueAndGradient', labels(1).data) as number;
    expect(value).toBeCloseTo(evaluateTensors([loss], { W, X, y: labels(1) }).get(loss)!.data[0]!, 12);
  });

  it('refuses a gather index out of range, for a symbolic number of rows too', () => {
    const table = input('table', ['rows', 2]);
    const ids = input('ids', [3]);
    const m = compileModel({ inputs: [table, ids], loss: sum(gather(table, ids)), wrt: [], source: 'gather test' });
    const t = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const value = (i: Float64Array) =>
      (m.kernels['value'] as Kernel)(...m.derivatives.inputs.map((n) => (n.name === 'table' ? t : i)), 3);
    expect(value(Float64Array.from([0, 2, 1]))).toBe(1 + 2 + 5 + 6 + 3 + 4);
    expect(() => value(Float64Array.from([0, 3, 1]))).toThrow(exact('ids[1] = 3: a row index must be an integer in [0, 3)'));
  });
});

describe('a generated model module', () => {
  const path = relative(process.cwd(), fileURLToPath(new URL('./fixtures/labels.model.ts', import.meta.url)));
  const generated = loadModule(compileModelFile(path).files[0]!.content) as Record<string, Kernel>;
  const E = Float64Array.from([0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1]);
  const Wm = Float64Array.from([0.3, -0.1, 0.2, 0.5, 0.4, -0.2]);
  const ids = Float64Array.from([0, 4, 2, 1]);
  const good = Float64Array.from([0, 2, 1, 1]);
  const bad = Float64Array.from([0, 2, 1.5, 1]);

  it('computes what the eager run of the model file computes', () => {
    const eager = labelsModel.loss(prelude.tensor(E, [5, 2]), prelude.tensor(Wm, [2, 3]), prelude.tensor(ids, [4]), prelude.tensor(good, [4]));
    expect(generated['loss']!(E, Wm, ids, good)).toBeCloseTo(eager, 12);
  });

  it('refuses bad labels and ids where they are bound: each named-API call, the flat variant and its setData', () => {
    const message = (where: string) => exact(`${where}: labels[2] = 1.5: a label must be an integer in [0, 3)`);
    expect(() => generated['loss']!(E, Wm, ids, bad)).toThrow(message('loss'));
    expect(() => generated['lossGradient']!(E, Wm, ids, bad)).toThrow(message('lossGradient'));
    expect(() => generated['lossFlat']!(ids, bad)).toThrow(message('lossFlat'));
    const flat = generated['lossFlat']!(ids, good) as { objective: (x: Float64Array, g: Float64Array) => number; setData: (...data: Float64Array[]) => void; size: number };
    const x = new Float64Array(flat.size);
    const before = flat.objective(x, new Float64Array(flat.size));
    expect(() => flat.setData(ids, bad)).toThrow(message('lossFlat(…).setData'));
    // The refused batch was not bound: the flat objective still reads the good one.
    expect(flat.objective(x, new Float64Array(flat.size))).toBe(before);
    expect(() => generated['loss']!(E, Wm, Float64Array.from([0, 5, 2, 1]), good)).toThrow(exact('loss: ids[1] = 5: a row index must be an integer in [0, 5)'));
    expect(() => flat.setData(Float64Array.from([0, 1, -1, 1]), good)).toThrow(exact('lossFlat(…).setData: ids[2] = -1: a row index must be an integer in [0, 5)'));
  });

  it('refuses them in the eager run too', () => {
    expect(() => labelsModel.loss(prelude.tensor(E, [5, 2]), prelude.tensor(Wm, [2, 3]), prelude.tensor(ids, [4]), prelude.tensor(bad, [4])))
      .toThrow(exact('labels[2] = 1.5: a label must be an integer in [0, 3)'));
  });
});
