// Data loaders: CSV and JSON tables, seeded (stratified) splits, standardization
// fitted on the training part only, and the real data sets read from their packages.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitStandardizer, fromArrays, loadCsv, loadIris, loadJson, loadMnist, parseCsv, standardize, subset, trainValidationSplit, BatchGatherer } from '../../../runtime/index.ts';

const csv = 'length,width,kind\n1.5,0.2,b\n2.5,0.4,a\n\n3.5,0.6,b\n';

describe('tables', () => {
  it('reads CSV with a header; string targets become class ids in sorted order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-data-'));
    writeFileSync(join(dir, 't.csv'), csv);
    const d = loadCsv(join(dir, 't.csv'), { target: 'kind' });
    expect(d.count).toBe(3);
    expect(d.features).toBe(2);
    expect(Array.from(d.x)).toEqual([1.5, 0.2, 2.5, 0.4, 3.5, 0.6]);
    expect(Array.from(d.y)).toEqual([1, 0, 1]);
    expect(d.classes).toEqual(['a', 'b']);
    expect(d.featureNames).toEqual(['length', 'width']);
  });

  it('keeps numeric targets and chosen feature columns', () => {
    const d = parseCsv('a,b,t\n1,2,0.5\n3,4,1.5\n', { target: 't', features: ['b'] });
    expect(Array.from(d.x)).toEqual([2, 4]);
    expect(Array.from(d.y)).toEqual([0.5, 1.5]);
    expect(d.classes).toBeUndefined();
  });

  it('names the file, line and column of a value that is not a number', () => {
    expect(() => parseCsv('a,t\n1,0\nfoo,1\n', { target: 't' }, 'data.csv')).toThrow("data.csv:3: column 'a' holds \"foo\", which is not a number");
    expect(() => parseCsv('a,t\n1,0\n', { target: 'label' }, 'data.csv')).toThrow("there is no target column 'label'; the columns are a, t");
  });

  it('reads JSON records', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-data-'));
    writeFileSync(join(dir, 't.json'), JSON.stringify([{ x1: 1, x2: 2, y: 'n' }, { x1: 3, x2: 4, y: 'm' }]));
    const d = loadJson(join(dir, 't.json'), { target: 'y' });
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(d.y)).toEqual([1, 0]);
    expect(() => loadJson(join(dir, 't.json'), { target: 'y', features: ['x3'] })).toThrow("column 'x3' holds undefined");
  });
});

describe('splits and standardization', () => {
  const rows = Array.from({ length: 100 }, (_, i) => [i, (i * 7) % 13]);
  const labels = Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : 1));
  const data = fromArrays(rows, labels);

  it('splits with a seed into disjoint parts covering everything, reproducibly', () => {
    const a = trainValidationSplit(data, { validationFraction: 0.2, seed: 1 });
    const b = trainValidationSplit(data, { validationFraction: 0.2, seed: 1 });
    const c = trainValidationSplit(data, { validationFraction: 0.2, seed: 2 });
    expect(a.validation.count).toBe(20);
    expect(Array.from(a.validation.x)).toEqual(Array.from(b.validation.x));
    expect(Array.from(a.validation.x)).not.toEqual(Array.from(c.validation.x));
    const ids = (d: typeof data): number[] => Array.from({ length: d.count }, (_, i) => d.x[2 * i]!);
    expect([...ids(a.train), ...ids(a.validation)].sort((p, q) => p - q)).toEqual(rows.map((r) => r[0]));
  });

  it('keeps class shares with stratify', () => {
    const s = trainValidationSplit(data, { validationFraction: 0.2, seed: 3, stratify: true });
    expect(Array.from(s.validation.y).filter((y) => y === 1).length).toBe(6);
    expect(Array.from(s.train.y).filter((y) => y === 1).length).toBe(24);
  });

  it('standardizes with the training part\'s statistics only', () => {
    const { train, validation } = trainValidationSplit(data, { validationFraction: 0.3, seed: 5 });
    const st = fitStandardizer(train);
    const t = standardize(train, st);
    for (let j = 0; j < 2; j++) {
      const col = Array.from({ length: t.count }, (_, i) => t.x[2 * i + j]!);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(Math.abs(variance - 1)).toBeLessThan(1e-12);
    }
    const v = standardize(validation, st);
    expect(v.x[0]).toBe((validation.x[0]! - st.mean[0]!) / st.std[0]!);
    expect(fitStandardizer(fromArrays([[1, 5], [2, 5]], [0, 0])).std[1]).toBe(1);
  });

  it('gathers batches into reused buffers', () => {
    const g = new BatchGatherer(data);
    const first = g.gather([3, 1]);
    expect(Array.from(first.x)).toEqual([3, 8, 1, 7]);
    const again = g.gather([5, 6]);
    expect(again.x).toBe(first.x);
    expect(Array.from(subset(data, [5, 6]).x)).toEqual(Array.from(again.x));
  });
});

describe('real data sets on disk', () => {
  it('loads the 10 000 MNIST digits, 28×28 in [0, 1], about 1 000 per class', () => {
    const d = loadMnist();
    expect(d.count).toBe(10_000);
    expect(d.features).toBe(784);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 1]);
    const perClass = Array.from({ length: 10 }, (_, c) => Array.from(d.y).filter((y) => y === c).length);
    expect(perClass.every((n) => n > 800 && n < 1200)).toBe(true);
  });

  it('loads Iris: 150 flowers, 4 measurements, 50 per species', () => {
    const d = loadIris();
    expect([d.count, d.features]).toEqual([150, 4]);
    expect(d.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([0, 1, 2].map((c) => Array.from(d.y).filter((y) => y === c).length)).toEqual([50, 50, 50]);
  });
});
