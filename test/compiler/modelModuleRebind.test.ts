/**
 * `fFlat(data…).setData(data…)`: rebinding the next mini-batch in place. The
 * rebound functions equal a fresh `fFlat` on that data (any batch size), a
 * rejected batch leaves the bound one in place, and a training loop that
 * rebinds and evaluates allocates no Float64Array in steady state.
 */
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { SeededRng } from '../../runtime/index.ts';
import { countFloat64Arrays } from '../allocations.ts';
import { exported } from './modelModuleCheck.ts';

const MODEL = `import { add, matmul, softmaxCrossEntropy, tanh } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** Class scores of a small tanh network. */
export function scores(W1: Param<Tensor<[4, 6]>>, W2: Param<Tensor<[6, 3]>>, b2: Param<Tensor<[3]>>, X: Tensor<['batch', 4]>): Tensor<['batch', 3]> {
  return add(matmul(tanh(matmul(X, W1)), W2), b2);
}

/** Its mean cross-entropy against the labels. */
export function loss(W1: Param<Tensor<[4, 6]>>, W2: Param<Tensor<[6, 3]>>, b2: Param<Tensor<[3]>>, X: Tensor<['batch', 4]>, labels: Tensor<['batch']>): number {
  return softmaxCrossEntropy(scores(W1, W2, b2, X), labels);
}
`;

const mod = loadModule(compileModelFile('test/rebind.model.ts', { text: MODEL }).files[0]!.content);
const SIZE = 24 + 18 + 3;

interface FlatLoss {
  readonly setData: (X: Float64Array, labels: Float64Array) => void;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, g: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
  readonly ggnvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}
interface FlatScores {
  readonly setData: (X: Float64Array) => void;
  readonly outputSize: number;
  readonly value: (x: Float64Array, out?: Float64Array) => Float64Array;
}
const lossFlat = exported<(X: Float64Array, labels: Float64Array) => FlatLoss>(mod, 'lossFlat');
const scoresFlat = exported<(X: Float64Array) => FlatScores>(mod, 'scoresFlat');

function randomVector(n: number, seed: number): Float64Array {
  const r = SeededRng.fromSeed(seed).asFunction();
  return Float64Array.from({ length: n }, () => 2 * r() - 1);
}

const batch = (size: number, seed: number) => ({
  X: randomVector(4 * size, seed),
  labels: Float64Array.from({ length: size }, (_, i) => (i * 7 + seed) % 3),
});

/** Every result a flat loss gives at (x, v), for comparison. */
function results(f: FlatLoss, x: Float64Array, v: Float64Array): number[] {
  const g = new Float64Array(SIZE);
  const h = new Float64Array(SIZE);
  const gn = new Float64Array(SIZE);
  const value = f.objective(x, g);
  f.hvp(x, v, h);
  f.ggnvp(x, v, gn);
  return [value, f.value(x), ...g, ...h, ...gn];
}

describe('setData: rebinding data without allocation', () => {
  const x = randomVector(SIZE, 1);
  const v = randomVector(SIZE, 2);
  const batches = [batch(8, 3), batch(8, 4), batch(5, 5)];

  it('gives what a fresh fFlat on the new data gives, at any batch size', () => {
    const f = lossFlat(batches[0]!.X, batches[0]!.labels);
    for (const b of [...batches, batches[0]!]) {
      f.setData(b.X, b.labels);
      expect(results(f, x, v)).toEqual(results(lossFlat(b.X, b.labels), x, v));
    }
    const s = scoresFlat(batches[0]!.X);
    expect(s.outputSize).toBe(8 * 3);
    s.setData(batches[2]!.X);
    expect(s.outputSize).toBe(5 * 3);
    expect(Array.from(s.value(x))).toEqual(Array.from(scoresFlat(batches[2]!.X).value(x)));
  });

  it('rejects data of the wrong size, naming setData, and keeps the bound batch', () => {
    const f = lossFlat(batches[0]!.X, batches[0]!.labels);
    const before = f.value(x);
    expect(() => f.setData(batches[1]!.X, new Float64Array(7))).toThrow("lossFlat(…).setData: labels has 7 elements, but [batch] needs 8");
    expect(() => f.setData(new Float64Array(10), new Float64Array(2))).toThrow(/lossFlat\(…\)\.setData: X has 10 elements, not a multiple of 4/);
    expect(f.value(x)).toBe(before);
  });

  it('constructs no Float64Array per step once each batch size has been seen', () => {
    const f = lossFlat(batches[0]!.X, batches[0]!.labels);
    const g = new Float64Array(SIZE);
    const out = new Float64Array(SIZE);
    const step = () => {
      for (const b of batches) {
        f.setData(b.X, b.labels);
        f.objective(x, g);
        f.hvp(x, v, out);
        f.ggnvp(x, v, out);
        f.value(x);
      }
    };
    step();
    expect(countFloat64Arrays(() => {
      for (let i = 0; i < 5; i++) step();
    })).toBe(0);
  });
});
