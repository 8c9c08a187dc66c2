/**
 * Long and deeply nested math expressions: within the depth limit they compile
 * and differentiate correctly; beyond it (a 20 000-term chain, 5 000 nested
 * parentheses) they are a located error, never "Maximum call stack size exceeded".
 * IR built with the builders has no front-end bound, so every IR walk must be
 * iterative: chains 10 000 deep compile, and model files just inside the
 * syntax-depth limit compile and load (on main a 490-deep `x ** x ** …`
 * overflowed the stack in the optimizer, and a 490-deep `?:` took seconds).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileExpression, compileModel, loadModelFile, SourceError } from '../../../compiler/index.ts';
import { MAX_EXPRESSION_DEPTH } from '../../../compiler/frontend/mathjs.ts';
import { add, constant, gt, input, mul, select, sin } from '../../../compiler/ir/build.ts';
import { sum } from '../../../compiler/ir/buildTensor.ts';
import { evaluateNodes, evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../../compiler/ir/node.ts';

function refusal(text: string): SourceError {
  try {
    compileExpression(text, { wrt: ['x'] });
  } catch (e) {
    if (e instanceof SourceError) return e;
    throw e;
  }
  throw new Error('compiled');
}

describe('deep expressions in the mathjs front end', () => {
  it('a 20 000-term sum is a located error naming the limit', () => {
    const e = refusal(Array.from({ length: 20_000 }, (_, i) => `${i % 7} * x`).join(' + '));
    expect(e.message).toBe(`the expression is nested too deeply (limit ${MAX_EXPRESSION_DEPTH} levels of operators and calls)`);
    expect(e.location).toEqual({ file: '<expr>', line: 1, column: 1 });
    expect(e.hint).toMatch(/sum\(…\)/);
  });

  it('5 000 nested parentheses (deep enough to overflow mathjs itself) are a located error too', () => {
    const e = refusal(`${'('.repeat(5000)}x${')'.repeat(5000)}`);
    expect(e.message).toBe('the expression is nested too deeply for the math parser');
    expect(e.location.column).toBe(1);
  });

  it('a 400-term sum within the limit compiles, and its gradient is exact', () => {
    const terms = Array.from({ length: 400 }, (_, i) => `${(i % 5) + 1} * x^2`);
    const c = compileExpression(terms.join(' + '), { wrt: ['x'] });
    const k = terms.reduce((s, _, i) => s + (i % 5) + 1, 0);
    expect(c.value({ x: 1.5 })).toBeCloseTo(k * 2.25, 9);
    expect(c.gradient({ x: 1.5 })[0]).toBeCloseTo(2 * k * 1.5, 9);
  });
});

const DEPTH = 10_000;

type Scalar = (x: number) => number;

/** Central difference of `f` at x. */
const centralDifference = (f: Scalar, x: number, h = 1e-6): number => (f(x + h) - f(x - h)) / (2 * h);

function chain(step: (e: Node, x: InputNode, i: number) => Node, x: InputNode, depth = DEPTH): Node {
  let e: Node = x;
  for (let i = 0; i < depth; i++) e = step(e, x, i);
  return e;
}

/** value, valueAndGradient and hvp of a scalar model, as plain functions of x. */
function scalarKernels(loss: Node, x: InputNode) {
  const m = compileModel({ inputs: [x], loss, wrt: [x] }, { hessian: false });
  const k = m.kernels as Record<string, (...args: unknown[]) => unknown>;
  const value: Scalar = (v) => k['value']!(v) as number;
  const gradient: Scalar = (v) => {
    const g = new Float64Array(1);
    k['valueAndGradient']!(v, g);
    return g[0]!;
  };
  const hvp: Scalar = (v) => (k['hvp']!(v, 1) as Float64Array)[0]!;
  return { value, gradient, hvp };
}

const BUILDER_CHAINS: readonly { name: string; step: (e: Node, x: InputNode, i: number) => Node; at: number }[] = [
  // The contraction keeps values and derivatives of order one at any depth.
  { name: 'x → sin(x)·0.5 + x', step: (e, x) => add(mul(sin(e), constant(0.5)), x), at: 0.3 },
  // 10 000 nested selects, as `?:` chains lower: every branch's cotangent is
  // masked by all the conditions above it. On main the masks were rebuilt
  // from the top at every level, so the derivative code grew quadratically.
  { name: 'e → x > i/10 000 ? x·(i/10 000) : e', step: (e, x, i) => select(gt(x, constant(i / DEPTH)), mul(x, constant(i / DEPTH)), e), at: 0.70005 },
];

describe('IR 10 000 deep built with the builders', () => {
  for (const c of BUILDER_CHAINS) {
    it(`${c.name}: value, gradient and HVP agree with the reference evaluator and central differences`, () => {
      const x = input('x');
      const loss = chain(c.step, x);
      const k = scalarKernels(loss, x);
      const reference = (v: number) => evaluateNodes([loss], { x: v }).get(loss)!;
      expect(k.value(c.at)).toBeCloseTo(reference(c.at), 12);
      const fd = centralDifference(reference, c.at);
      expect(Math.abs(k.gradient(c.at) - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      const fd2 = centralDifference(k.gradient, c.at, 1e-5);
      expect(Math.abs(k.hvp(c.at) - fd2)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd2)));
    });
  }

  it('a 10 000-deep elementwise tensor chain (fused loops, buffers) compiles and is exact', () => {
    const x = input('x', [3]);
    const loss = sum(chain((e, v) => add(mul(sin(e), constant(0.5)), v), x));
    const m = compileModel({ inputs: [x], loss, wrt: [x] }, { hessian: false });
    const k = m.kernels as Record<string, (...args: unknown[]) => unknown>;
    const point = Float64Array.of(0.1, -0.4, 0.8);
    const reference = (p: Float64Array) => evaluateTensors([loss], { x: { shape: [3], data: p } }).get(loss)!.data[0]!;
    expect(k['value']!(point) as number).toBeCloseTo(reference(point), 12);
    const g = new Float64Array(3);
    k['valueAndGradient']!(point, g);
    for (let i = 0; i < 3; i++) {
      const moved = (d: number) => Float64Array.from(point, (p, j) => (j === i ? p + d : p));
      const fd = (reference(moved(1e-6)) - reference(moved(-1e-6))) / 2e-6;
      expect(Math.abs(g[i]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('max(max(…), y) 20 deep compiles with its rewrite notes (shared subtrees were exponential)', () => {
    let e = 'x';
    for (let i = 0; i < 20; i++) e = `max(${e}, y)`;
    const c = compileExpression(e, { wrt: ['x', 'y'] });
    expect(c.value({ x: 2, y: 1 })).toBe(2);
    expect([...c.gradient({ x: 2, y: 1 })]).toEqual([1, 0]);
  });
});

const HEADER = "import type { Param } from 'gradc/prelude';\n";
const modelText = (expression: string) => `${HEADER}export function f(x: Param<number>): number {\n  return ${expression};\n}\n`;

/** Loads a model file written to a temp dir; its `f` and `fGradient`. */
function loadScalarModel(expression: string): { f: Scalar; gradient: Scalar } {
  const path = join(mkdtempSync(join(tmpdir(), 'gradc-deep-')), 'deep.model.ts');
  const m = loadModelFile(path, { text: modelText(expression) }) as Record<string, (x: number) => unknown>;
  return { f: (x) => m['f']!(x) as number, gradient: (x) => (m['fGradient']!(x) as Float64Array)[0]! };
}

/** 490 levels: just inside MAX_SYNTAX_DEPTH (500) with the function's own nesting. */
const MODEL_DEPTH = 490;

describe('model files 490 levels deep', () => {
  it('x ** x ** … (490 powers, right-associative) compiles, loads and differentiates', () => {
    const m = loadScalarModel(Array(MODEL_DEPTH).fill('x').join(' ** '));
    // x ** x ** … at x = 1 is 1, with derivative 1 (only the base varies to first order).
    const tower = (x: number) => Array(MODEL_DEPTH).fill(x).reduceRight((acc: number, b: number) => b ** acc);
    expect(m.f(1)).toBe(1);
    expect(m.f(0.9)).toBeCloseTo(tower(0.9), 12);
    expect(m.gradient(0.9)).toBeCloseTo(centralDifference(tower, 0.9), 6);
  });

  it('490 nested ?: compile, load and take the right branch', () => {
    const text = Array.from({ length: MODEL_DEPTH }, (_, i) => `x > ${i} ? x * ${i} : `).join('') + 'x * x';
    const m = loadScalarModel(text);
    const reference = (x: number) => {
      for (let i = 0; i < MODEL_DEPTH; i++) if (x > i) return x * i;
      return x * x;
    };
    for (const x of [-1.5, 0.5, 3.5, 300.5]) {
      expect(m.f(x)).toBe(reference(x));
      expect(m.gradient(x)).toBeCloseTo(centralDifference(reference, x), 6);
    }
  });
});
