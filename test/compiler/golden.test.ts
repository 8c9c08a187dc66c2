/**
 * Golden files pin the emitted code for a dozen expressions, and also run:
 * each checked-in module is imported and its kernels checked against the
 * reference evaluation and finite differences. Regenerate deliberately with
 * `UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts`, then read the diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../compiler/index.ts';
import { parseExpression } from '../../compiler/frontend/mathjs.ts';
import { evaluateNodes } from '../../compiler/ir/evaluate.ts';

interface GoldenCase {
  readonly name: string;
  readonly expression: string;
  readonly wrt: readonly string[];
  readonly at: Readonly<Record<string, number>>;
}

const CASES: readonly GoldenCase[] = [
  { name: 'product', expression: 'x^2*sin(y)', wrt: ['x', 'y'], at: { x: 1.5, y: 0.3 } },
  { name: 'cube', expression: 'x^3', wrt: ['x'], at: { x: -1.25 } },
  { name: 'softplus', expression: 'log(1+exp(x))', wrt: ['x'], at: { x: 2.5 } },
  { name: 'sigmoid', expression: '1/(1+exp(-x))', wrt: ['x'], at: { x: -0.7 } },
  { name: 'expm1', expression: 'exp(x) - 1', wrt: ['x'], at: { x: 1e-3 } },
  { name: 'logsumexp', expression: 'log(exp(x) + exp(y) + exp(z))', wrt: ['x', 'y', 'z'], at: { x: 0.1, y: -2, z: 1.3 } },
  { name: 'hypot', expression: 'sqrt(x^2 + y^2)', wrt: ['x', 'y'], at: { x: 3, y: -4 } },
  { name: 'tower', expression: 'x^y^z', wrt: ['x', 'y', 'z'], at: { x: 1.3, y: 0.8, z: 1.1 } },
  { name: 'relu-select', expression: 'x > 0 ? x : 0', wrt: ['x'], at: { x: 0.75 } },
  { name: 'nonsmooth', expression: 'max(x, y) * abs(z)', wrt: ['x', 'y', 'z'], at: { x: 0.5, y: -1, z: -2 } },
  { name: 'polar', expression: 'atan2(y, x) + hypot(x, y)', wrt: ['x', 'y'], at: { x: 0.6, y: 0.8 } },
  { name: 'neuron', expression: 'tanh(w*x + b)', wrt: ['w', 'b'], at: { w: 0.4, b: -0.1, x: 2 } },
  { name: 'quotient', expression: 'sin(x)*cos(x)/(1 + x^2)', wrt: ['x'], at: { x: 0.9 } },
  { name: 'log1p', expression: 'log(1 + x*y)', wrt: ['x', 'y'], at: { x: 0.2, y: 0.3 } },
];

const goldenPath = (name: string) => fileURLToPath(new URL(`./golden/${name}.ts`, import.meta.url));

type Args = (number | Float64Array)[];
/** An expression's module: the generated-module format model files get, for one function `f`. */
interface GoldenModule {
  fLayout: { readonly size: number; readonly params: readonly { readonly name: string }[] };
  f: (...args: number[]) => number;
  fValueAndGradient: (...args: Args) => number;
  fJvp: (...args: Args) => number;
  fHvp: (...args: Args) => Float64Array;
  fHessian: (...args: number[]) => Float64Array;
}

/** Central difference of `f` along coordinate `name`. */
function centralDifference(f: (p: Record<string, number>) => number, at: Record<string, number>, name: string): number {
  const h = 1e-6 * Math.max(1, Math.abs(at[name]!));
  return (f({ ...at, [name]: at[name]! + h }) - f({ ...at, [name]: at[name]! - h })) / (2 * h);
}

describe('golden emitted modules', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const compiled = compileExpression(c.expression, { wrt: c.wrt });

      it('matches the golden file byte for byte', () => {
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath(c.name), compiled.source);
        expect(compiled.source).toBe(readFileSync(goldenPath(c.name), 'utf8'));
      });

      it('is byte-identical when compiled again', () => {
        expect(compileExpression(c.expression, { wrt: c.wrt }).source).toBe(compiled.source);
      });

      it('runs: the checked-in kernels agree with the reference and finite differences', async () => {
        const mod = (await import(goldenPath(c.name))) as GoldenModule;
        // The function's parameters: the wrt variables in order, then the rest by name.
        const inputs = compiled.inputs;
        const wrt = mod.fLayout.params.map((p) => p.name);
        expect(wrt).toEqual(c.wrt);
        const args = inputs.map((name) => c.at[name]!);
        const parsed = parseExpression(c.expression);
        const reference = (p: Record<string, number>) => evaluateNodes([parsed.output], p).get(parsed.output)!;
        const n = wrt.length;

        expect(mod.f(...args)).toBeCloseTo(reference(c.at), 12);
        const grad = new Float64Array(n);
        expect(mod.fValueAndGradient(...args, grad)).toBe(mod.f(...args));
        wrt.forEach((name, i) => {
          expect(grad[i]).toBeCloseTo(centralDifference(reference, c.at, name), 6);
        });

        // Forward mode along e_i equals the i-th partial; HVP along e_i equals Hessian row i.
        const hessian = mod.fHessian(...args);
        wrt.forEach((name, i) => {
          const unit = Float64Array.from(wrt, (_, j) => (i === j ? 1 : 0));
          expect(mod.fJvp(...args, unit)).toBeCloseTo(grad[i]!, 12);
          const hv = mod.fHvp(...args, unit);
          wrt.forEach((_, j) => {
            expect(hv[j]).toBeCloseTo(hessian[i * n + j]!, 12);
            const gradJ = (p: Record<string, number>) => {
              const g = new Float64Array(n);
              mod.fValueAndGradient(...inputs.map((k) => p[k]!), g);
              return g[j]!;
            };
            expect(hessian[i * n + j]).toBeCloseTo(centralDifference(gradJ, c.at, name), 5);
            expect(hessian[i * n + j]).toBeCloseTo(hessian[j * n + i]!, 12);
          });
        });
      });
    });
  }
});
