/**
 * The log-gamma family (ir/gammaFunctions.ts) against reference values: closed
 * forms (lgamma(½) = log √π, ψ(1) = −γ, ψ′(½) = π²/2, ψ″(1) = −2ζ(3), …) and
 * mpmath at 30 digits, to 1e-13 relative; the recurrences and reflection
 * formulas at seeded points; the poles as PyTorch and SciPy give them; the
 * emitted helper source bit for bit against the reference implementation; and
 * a model file using every member, compiled, checked against central
 * differences and its eager run, and minimized (a Gamma maximum-likelihood fit,
 * whose optimum satisfies log α − ψ(α) = log mean x − mean log x).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { ModelFileError, parseModelFile } from '../../compiler/frontend/typescript/parseModelFile.ts';
import { digamma, GAMMA_HELPER_SOURCE, lgamma, polygamma, trigamma } from '../../compiler/ir/gammaFunctions.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { typeCheckModule } from '../../compiler/load/typeCheckModule.ts';
import { tensor } from '../../compiler/prelude/tensor.ts';
import * as model from './frontend-ts/fixtures/logGamma.model.ts';
import { seededRandom } from './gradcheck.ts';

const EULER = 0.5772156649015329;
const ZETA3 = 1.2020569031595942;
const LN2 = Math.LN2;
const PI2 = Math.PI * Math.PI;

/** [x, expected]; closed forms evaluated in doubles, or mpmath's value at the double x. */
const LGAMMA: readonly (readonly [number, number])[] = [
  [1, 0], [2, 0], [3, LN2], [0.5, Math.log(Math.sqrt(Math.PI))], [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
  [2.5, Math.log((3 * Math.sqrt(Math.PI)) / 4)], [-0.5, Math.log(2 * Math.sqrt(Math.PI))], [-2.5, Math.log((8 * Math.sqrt(Math.PI)) / 15)],
  [10, Math.log(362880)], [100, 359.13420536957539878], [1e5, 1051287.7089736568949], [3.7, 1.4280723266653881292],
  [0.01, 4.5994798780420217016], [1e-8, 18.420680738180208884], [1.00000001, -5.77215653168851219e-9],
  [-3.3, -0.82435580501742646015], [1.4616321449683622, -0.1214862905358496081],
];
const DIGAMMA: readonly (readonly [number, number])[] = [
  [1, -EULER], [2, 1 - EULER], [0.5, -EULER - 2 * LN2], [1.5, 2 - EULER - 2 * LN2], [-0.5, 2 - EULER - 2 * LN2],
  [10, 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5 + 1 / 6 + 1 / 7 + 1 / 8 + 1 / 9 - EULER],
  [100, 4.6001618527380874002], [1e5, 11.512920464961895087], [3.7, 1.1671535393615114409], [0.01, -100.56088545786867242],
  [1e-8, -100000000.57721564636], [1.00000001, -0.5772156484521924123], [-3.3, 3.6203534605921257857],
  // at the double nearest ψ's zero x₀ and the next but one: the value keeps its relative precision
  [1.4616321449683622, -9.2412655217294274792e-17], [1.4616321449683625, 1.2245374622004069048e-16],
];
const TRIGAMMA: readonly (readonly [number, number])[] = [
  [1, PI2 / 6], [2, PI2 / 6 - 1], [0.5, PI2 / 2], [1.5, PI2 / 2 - 4], [-0.5, PI2 / 2 + 4],
  [1e5, 0.000010000050000166666667], [3.7, 0.31003785767003830216], [0.01, 10001.621213528312804],
  [1e-8, 10000000000000001.226], [-3.3, 14.81773952551592878], [1.4616321449683622, 0.967672245447621255],
];
/** [n, x, ψ⁽ⁿ⁾(x)]: ψ⁽ⁿ⁾(1) = (−1)ⁿ⁺¹ n! ζ(n + 1), ψ⁽ⁿ⁾(½) = (2ⁿ⁺¹ − 1) ψ⁽ⁿ⁾(1). */
const POLYGAMMA: readonly (readonly [number, number, number])[] = [
  [1, 1, PI2 / 6], [2, 1, -2 * ZETA3], [3, 1, (PI2 * PI2) / 15], [2, 0.5, -14 * ZETA3], [3, 0.5, PI2 * PI2],
  [2, 7.25, -0.021828952295197739222], [3, -0.75, 1557.745106972151359], [4, 2, -0.88626612344087823195],
];

const relativeError = (got: number, want: number): number => (want === 0 ? Math.abs(got) : Math.abs((got - want) / want));

describe('reference values to 1e-13 relative', () => {
  it.each(LGAMMA)('lgamma(%d)', (x, want) => expect(relativeError(lgamma(x), want)).toBeLessThan(1e-13));
  it.each(DIGAMMA)('digamma(%d)', (x, want) => expect(relativeError(digamma(x), want)).toBeLessThan(1e-13));
  it.each(TRIGAMMA)('trigamma(%d)', (x, want) => expect(relativeError(trigamma(x), want)).toBeLessThan(1e-13));
  it.each(POLYGAMMA)('polygamma(%d, %d)', (n, x, want) => expect(relativeError(polygamma(n, x), want)).toBeLessThan(1e-13));

  it('is exact at the zeros of lgamma', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
  });

  it('polygamma(1, ·) is trigamma', () => {
    for (const x of [0.3, 1, 4.5, 12, -1.7]) expect(relativeError(polygamma(1, x), trigamma(x))).toBeLessThan(4e-16);
  });
});

describe('recurrences and reflection at seeded points', () => {
  const random = seededRandom(15);
  const xs = Array.from({ length: 200 }, () => 0.05 + 30 * random());
  const negatives = Array.from({ length: 100 }, () => -8 + 8 * random()).filter((x) => Math.abs(x - Math.round(x)) > 0.05);

  it('lgamma(x + 1) = lgamma(x) + log x', () => {
    for (const x of xs) expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x))).toBeLessThan(1e-14 * (1 + Math.abs(lgamma(x + 1))));
  });
  it('ψ(x + 1) = ψ(x) + 1/x and ψ′(x + 1) = ψ′(x) − 1/x²', () => {
    for (const x of xs) {
      expect(Math.abs(digamma(x + 1) - digamma(x) - 1 / x)).toBeLessThan(1e-14 * (1 + Math.abs(digamma(x)) + 1 / x));
      expect(Math.abs(trigamma(x + 1) - trigamma(x) + 1 / (x * x))).toBeLessThan(1e-14 * (trigamma(x) + 1 / (x * x)));
    }
  });
  it('ψ″(x + 1) = ψ″(x) + 2/x³', () => {
    for (const x of xs) expect(Math.abs(polygamma(2, x + 1) - polygamma(2, x) - 2 / x ** 3)).toBeLessThan(1e-13 * (Math.abs(polygamma(2, x)) + 2 / x ** 3));
  });
  it('x < 0: the recurrence holds across the reflection', () => {
    for (const x of negatives) {
      expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(Math.abs(x)))).toBeLessThan(1e-13 * (1 + Math.abs(lgamma(x))));
      expect(Math.abs(digamma(x + 1) - digamma(x) - 1 / x)).toBeLessThan(1e-13 * (1 + Math.abs(digamma(x)) + Math.abs(1 / x)));
      expect(Math.abs(trigamma(x + 1) - trigamma(x) + 1 / (x * x))).toBeLessThan(1e-13 * (trigamma(x) + 1 / (x * x)));
      for (const n of [2, 3]) {
        const step = (n % 2 === 1 ? -1 : 1) * 2 * (n === 3 ? 3 : 1) / x ** (n + 1);
        expect(Math.abs(polygamma(n, x + 1) - polygamma(n, x) - step)).toBeLessThan(1e-12 * (Math.abs(polygamma(n, x)) + Math.abs(step)));
      }
    }
  });
});

describe('poles and special arguments, as PyTorch and SciPy', () => {
  it('lgamma: +∞ at 0, the negative integers and ±∞; NaN for NaN', () => {
    for (const x of [0, -0, -1, -7, -1e300, Infinity, -Infinity]) expect(lgamma(x)).toBe(Infinity);
    expect(lgamma(NaN)).toBeNaN();
  });
  it('digamma: −∞ at +0, +∞ at −0, NaN at the negative integers and −∞, +∞ at +∞', () => {
    expect(digamma(0)).toBe(-Infinity);
    expect(digamma(-0)).toBe(Infinity);
    for (const x of [-1, -4, -Infinity, NaN]) expect(digamma(x)).toBeNaN();
    expect(digamma(Infinity)).toBe(Infinity);
  });
  it('trigamma and polygamma: (−1)ⁿ⁺¹∞ at the poles, 0 at +∞, NaN for a fractional or negative order', () => {
    for (const x of [0, -1, -3]) {
      expect(trigamma(x)).toBe(Infinity);
      expect(polygamma(2, x)).toBe(-Infinity);
      expect(polygamma(3, x)).toBe(Infinity);
    }
    expect(trigamma(Infinity)).toBe(0);
    expect(polygamma(2, Infinity)).toBe(0);
    for (const n of [0, -1, 1.5, NaN]) expect(polygamma(n, 2)).toBeNaN();
  });
});

describe('the emitted helpers', () => {
  // The helper text as a module defines it, run here: a function of its own name (they recurse).
  const emitted = (name: keyof typeof GAMMA_HELPER_SOURCE): ((...xs: number[]) => number) => {
    const js = ts.transpileModule(GAMMA_HELPER_SOURCE[name], { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
    return new Function(`${js}\nreturn ${name};`)() as (...xs: number[]) => number;
  };
  const EXTREMES = [1e-300, -1e-300, 0, -0, NaN, Infinity, -Infinity, 0.25, 0.5, 1, 1.4616321449683622, 1.5, 2, 2.5, 9.999, 10, 1e5, 1e300, -0.5, -2.5, -3.25, -1e10 - 0.5];
  const random = seededRandom(16);
  const points = [...EXTREMES, ...Array.from({ length: 300 }, () => (random() - 0.3) * 40)];
  const bitwise = (a: number, b: number) => Object.is(a, b);

  it.each(['lgamma', 'digamma', 'trigamma'] as const)('%s bit for bit', (name) => {
    const reference = { lgamma, digamma, trigamma }[name];
    const f = emitted(name);
    for (const x of points) expect(bitwise(f(x), reference(x)), `${name}(${x}): ${f(x)} vs ${reference(x)}`).toBe(true);
  });

  it('polygamma bit for bit, orders 1 to 5', () => {
    const f = emitted('polygamma');
    for (const n of [1, 2, 3, 4, 5]) for (const x of points) expect(bitwise(f(n, x), polygamma(n, x)), `polygamma(${n}, ${x})`).toBe(true);
  });
});

const PATH = relative(process.cwd(), fileURLToPath(new URL('./frontend-ts/fixtures/logGamma.model.ts', import.meta.url)));
type Fn = (...args: (number | Float64Array)[]) => unknown;

describe('a model file with the family', () => {
  const source = compileModelFile(PATH).files[0]!.content;
  const mod = loadModule(source);
  const k = (name: string) => mod[name] as Fn;
  const random = seededRandom(17);
  // Gamma(shape 3, rate 2) draws by summing three exponentials.
  const data = Float64Array.from({ length: 400 }, () => -(Math.log(random()) + Math.log(random()) + Math.log(random())) / 2);

  it('type-checks strictly and calls the helpers', () => {
    expect(typeCheckModule(source)).toEqual([]);
    for (const name of ['lgamma', 'digamma', 'trigamma', 'polygamma']) expect(source).toContain(GAMMA_HELPER_SOURCE[name as keyof typeof GAMMA_HELPER_SOURCE]);
  });

  it('gives the eager run’s values', () => {
    for (const nu of [1.3, 2.75, 6]) expect(relativeError(k('family')(nu) as number, model.family(nu))).toBeLessThan(1e-14);
    const [a, b] = [0.4, -0.2];
    expect(relativeError(k('gammaNll')(a, b, data) as number, model.gammaNll(a, b, tensor(data)))).toBeLessThan(1e-14);
  });

  it('family: gradient, HVP (third derivatives: polygamma(4, ·)) against central differences', () => {
    const f = (nu: number) => k('family')(nu) as number;
    const g = (nu: number) => (k('familyGradient')(nu) as Float64Array)[0]!;
    for (const nu of [1.3, 2.75, 6]) {
      const h = 1e-5;
      expect(relativeError(g(nu), (f(nu + h) - f(nu - h)) / (2 * h))).toBeLessThan(1e-8);
      const hv = (k('familyHvp')(nu, Float64Array.of(1)) as Float64Array)[0]!;
      expect(relativeError(hv, (g(nu + h) - g(nu - h)) / (2 * h))).toBeLessThan(1e-8);
    }
  });

  it('gammaNll: Newton’s method with the compiled gradient and HVP finds the maximum-likelihood fit', () => {
    // From the moment estimates α = m²/v, β = m/v; Newton's steps are then in the quadratic basin.
    const m = data.reduce((acc, x) => acc + x, 0) / data.length;
    const v = data.reduce((acc, x) => acc + (x - m) ** 2, 0) / data.length;
    const p = [Math.log((m * m) / v), Math.log(m / v)];
    for (let iter = 0; iter < 30; iter++) {
      const g = k('gammaNllGradient')(p[0]!, p[1]!, data) as Float64Array;
      const h0 = k('gammaNllHvp')(p[0]!, p[1]!, data, Float64Array.of(1, 0)) as Float64Array;
      const h1 = k('gammaNllHvp')(p[0]!, p[1]!, data, Float64Array.of(0, 1)) as Float64Array;
      const det = h0[0]! * h1[1]! - h0[1]! * h1[0]!;
      p[0]! -= (h1[1]! * g[0]! - h1[0]! * g[1]!) / det;
      p[1]! -= (-h0[1]! * g[0]! + h0[0]! * g[1]!) / det;
    }
    const g = k('gammaNllGradient')(p[0]!, p[1]!, data) as Float64Array;
    expect(Math.hypot(g[0]!, g[1]!)).toBeLessThan(1e-12);
    // The Gamma MLE: β = α / mean x and log α − ψ(α) = log mean x − mean log x.
    const mean = data.reduce((s, x) => s + x, 0) / data.length;
    const meanLog = data.reduce((s, x) => s + Math.log(x), 0) / data.length;
    const alpha = Math.exp(p[0]!);
    expect(Math.abs(Math.log(alpha) - digamma(alpha) - (Math.log(mean) - meanLog))).toBeLessThan(1e-12);
    expect(relativeError(Math.exp(p[1]!), alpha / mean)).toBeLessThan(1e-12);
    expect(alpha).toBeGreaterThan(2.4);
    expect(alpha).toBeLessThan(3.6);
  });

  it('refuses a fractional polygamma order and multigammaln dimension, located at the call', () => {
    const text = (call: string) => `import { multigammaln, polygamma } from 'gradc/prelude';\nimport type { Param } from 'gradc/prelude';\nexport function f(x: Param<number>): number {\n  return ${call};\n}\n`;
    const diagnostic = (call: string) => {
      try {
        parseModelFile('bad.model.ts', { text: text(call) });
      } catch (e) {
        if (e instanceof ModelFileError) return e.diagnostics[0]!;
        throw e;
      }
      throw new Error(`${call} was accepted`);
    };
    const order = diagnostic('polygamma(1.5, x)');
    expect(order.message).toMatch(/order n of polygamma\(n, x\) must be a whole number ≥ 0 known at compile time, got 1\.5; write polygamma\(0, x\) for digamma/);
    expect(order.location).toEqual({ file: 'bad.model.ts', line: 4, column: 10 });
    const dimension = diagnostic('multigammaln(x, 0)');
    expect(dimension.message).toMatch(/dimension d of multigammaln\(a, d\) must be a whole number ≥ 1/);
    expect(dimension.location).toEqual({ file: 'bad.model.ts', line: 4, column: 10 });
  });
});
