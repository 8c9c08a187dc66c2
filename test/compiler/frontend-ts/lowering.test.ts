/**
 * The lowered IR of a model file computes what the model file computes when
 * it runs as plain TypeScript (the eager reference run), and its gradients
 * agree with central differences of that eager run.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jvp } from '../../../compiler/autodiff/forward.ts';
import { gradient } from '../../../compiler/autodiff/reverse.ts';
import { input } from '../../../compiler/ir/build.ts';
import { parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';
import { evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import type { Node } from '../../../compiler/ir/node.ts';
import { originOf } from '../../../compiler/ir/origin.ts';
import { topoSort } from '../../../compiler/ir/program.ts';
import type { FunctionIR } from '../../../compiler/ir/function.ts';
import { Tensor } from '../../../compiler/prelude/tensor.ts';
import { close, differentiate, mismatches, seededRandom } from '../gradcheck.ts';
import * as mlp from './fixtures/mlp.model.ts';
import * as namespaced from './fixtures/namespace.model.ts';
import * as network from './fixtures/network.model.ts';
import * as recurrent from './fixtures/recurrent.model.ts';
import * as scalar from './fixtures/scalar.model.ts';

type Arg = number | Tensor;
type ModelFn = (...args: Arg[]) => number | Tensor;

const fixture = (name: string) => relative(process.cwd(), fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
const SIZES: Readonly<Record<string, number>> = { batch: 3, time: 5 };

interface Case {
  readonly file: string;
  readonly module: Record<string, unknown>;
  /** Integer labels for these parameters: name → number of classes. */
  readonly labels?: Readonly<Record<string, number>>;
  /** Fixed points (by parameter order) that reach every branch, for scalar models. */
  readonly points?: Readonly<Record<string, readonly (readonly number[])[]>>;
  /** Functions whose gradient is cut on purpose (stopGradient), checked separately. */
  readonly detached?: readonly string[];
}

const CASES: readonly Case[] = [
  { file: 'scalar.model.ts', module: scalar, points: { piecewise: [[1, 1], [0.1, -2], [0.1, 0.2], [2, 1], [-0.5, 0.3]], shadowed: [[40], [0.5], [-0.5]] } },
  { file: 'mlp.model.ts', module: mlp, labels: { y: 3 } },
  { file: 'network.model.ts', module: network, labels: { labels: 4 } },
  { file: 'recurrent.model.ts', module: recurrent, detached: ['detached'] },
  { file: 'namespace.model.ts', module: namespaced },
];

function concreteShape(node: Node): number[] {
  return node.shape.map((d) => (typeof d === 'number' ? d : SIZES[d]!));
}

function randomArgs(fn: FunctionIR, seed: number, labels: Readonly<Record<string, number>> = {}): Arg[] {
  const rand = seededRandom(seed);
  return fn.params.map((p) => {
    const shape = concreteShape(p);
    const size = shape.reduce((a, b) => a * b, 1);
    const classes = labels[p.name];
    const values = Array.from({ length: size }, () => (classes === undefined ? rand() * 2 - 1 : Math.floor(rand() * classes)));
    return shape.length === 0 ? values[0]! : new Tensor(shape, Float64Array.from(values));
  });
}

const flat = (v: number | Tensor | { data: Float64Array }): number[] => (typeof v === 'number' ? [v] : [...v.data]);

function lowered(fn: FunctionIR, args: readonly Arg[], roots: readonly Node[] = [fn.output]): number[][] {
  const inputs = Object.fromEntries(fn.params.map((p, i) => [p.name, args[i]!]));
  const values = evaluateTensors(roots, inputs, SIZES);
  return roots.map((r) => flat(values.get(r)!));
}

const TOL = { rtol: 1e-12, atol: 1e-12 };

describe('lowered model files agree with their eager run', () => {
  for (const c of CASES) {
    const ir = parseModelFile(fixture(c.file));
    for (const fn of ir.functions) {
      const eager = c.module[fn.name] as ModelFn;
      it(`${c.file} ${fn.name}: values at random points${c.points?.[fn.name] ? ' and at one point per branch' : ''}`, () => {
        const points = [1, 2, 3].map((seed) => randomArgs(fn, seed, c.labels));
        points.push(...(c.points?.[fn.name] ?? []).map((p) => [...p]));
        for (const args of points) {
          const want = flat(eager(...args));
          const [got] = lowered(fn, args);
          expect(got!.length).toBe(want.length);
          expect(mismatches(got!, want, TOL)).toEqual([]);
        }
      });
      if (fn.output.shape.length > 0 || fn.wrt.length === 0 || c.detached?.includes(fn.name)) continue;
      it(`${c.file} ${fn.name}: reverse-mode gradient against central differences of the eager run, forward mode against reverse`, () => {
        const grads = gradient(fn.output, fn.wrt);
        const indices = fn.wrt.map((w) => fn.params.indexOf(w));
        for (const seed of [11, 12]) {
          const args = randomArgs(fn, seed, c.labels);
          const rand = seededRandom(seed + 100);
          const direction = indices.map((i) => flat(args[i]!).map(() => rand() * 2 - 1));
          const along = (t: number): Arg[] => args.map((a, i) => {
            const k = indices.indexOf(i);
            if (k < 0) return a;
            if (typeof a === 'number') return a + t * direction[k]![0]!;
            return new Tensor(a.shape, a.data.map((v, j) => v + t * direction[k]![j]!));
          });
          const estimate = differentiate((t) => flat(eager(...along(t))), 1e-3);
          expect(estimate.reliable, estimate.why).toBe(true);
          const g = lowered(fn, args, grads);
          const directional = g.reduce((s, gi, k) => s + gi.reduce((t, v, j) => t + v * direction[k]![j]!, 0), 0);
          expect(close(directional, estimate.derivative[0]!, { rtol: 1e-7, atol: 1e-9 }), `${directional} vs ${estimate.derivative[0]}`).toBe(true);
          // Forward mode along the same direction agrees with reverse mode.
          const tangents = fn.wrt.map((w) => input(`${w.name}Dot`, w.shape));
          const [dot] = jvp([fn.output], new Map(fn.wrt.map((w, k) => [w, tangents[k]!])));
          const tangentValues = Object.fromEntries(fn.wrt.map((w, k) => [`${w.name}Dot`, w.shape.length === 0 ? direction[k]![0]! : new Tensor(concreteShape(w), Float64Array.from(direction[k]!))]));
          const inputs = { ...Object.fromEntries(fn.params.map((p, i) => [p.name, args[i]!])), ...tangentValues };
          const forward = evaluateTensors([dot!], inputs, SIZES).get(dot!)!.data[0]!;
          expect(close(forward, directional, { rtol: 1e-10, atol: 1e-12 }), `${forward} vs ${directional}`).toBe(true);
        }
      });
    }
  }
});

describe('loops and stopGradient', () => {
  const ir = parseModelFile(fixture('recurrent.model.ts'));
  const find = (name: string) => ir.functions.find((f) => f.name === name)!;

  it('lowers a loop over a named dimension and a long loop to one loop node each, not an unrolled chain', () => {
    for (const name of ['rnn', 'decay']) {
      const nodes = topoSort([find(name).output]);
      expect(nodes.filter((n) => n.op === 'scan').length, name).toBeGreaterThan(0);
      expect(nodes.length, name).toBeLessThan(60);
    }
  });

  it('cuts the gradient at stopGradient: d/dw Σ (w + stop(w²))² = 2 (w + w²)', () => {
    const fn = find('detached');
    const [g] = gradient(fn.output, fn.wrt);
    const w = new Tensor([3], Float64Array.of(0.5, -1.5, 2));
    const [got] = lowered(fn, [w], [g!]);
    expect(mismatches(got!, [...w.data].map((v) => 2 * (v + v * v)), TOL)).toEqual([]);
  });
});

describe('what the front end records', () => {
  it('takes the parameters to differentiate from Param<…>, from @wrt, or from the override', () => {
    const ir = parseModelFile(fixture('scalar.model.ts'));
    const wrt = (name: string) => ir.functions.find((f) => f.name === name)!.wrt.map((p) => p.name);
    expect(wrt('rosenbrock')).toEqual(['x', 'y']);
    expect(wrt('series')).toEqual(['x', 'w']);
    const overridden = parseModelFile(fixture('scalar.model.ts'), { wrt: ['y'] });
    const names = (name: string) => overridden.functions.find((f) => f.name === name)!.wrt.map((p) => p.name);
    expect(names('rosenbrock')).toEqual(['y']);
    // series has no parameter y, so it keeps its own declaration.
    expect(names('series')).toEqual(['x', 'w']);
  });

  it('reads shapes, named dimensions and documentation from the declarations', () => {
    const ir = parseModelFile(fixture('network.model.ts'));
    const objective = ir.functions.find((f) => f.name === 'objective')!;
    expect(objective.params.map((p) => [p.name, p.shape])).toEqual([
      ['W', [3, 4]], ['U', [4, 4]], ['b', [4]], ['X', ['batch', 3]], ['labels', ['batch']], ['decay', []],
    ]);
    expect(objective.doc).toBe('Cross-entropy plus a penalty written as embedded math, in both spellings.');
    expect(ir.functions.find((f) => f.name === 'scores')!.output.shape).toEqual(['batch', 4]);
  });

  it('gives every node the model line it came from, in the file that wrote it', () => {
    const path = fixture('network.model.ts');
    const ir = parseModelFile(path);
    const objective = ir.functions.find((f) => f.name === 'objective')!;
    const nodes = topoSort([objective.output]).filter((n) => n.op !== 'const');
    const origins = nodes.map((n) => originOf(n));
    expect(origins.every((o) => o !== undefined)).toBe(true);
    const files = new Set(origins.map((o) => o!.file));
    // (Nodes are shared across files when equal, e.g. a batch size, and keep the first file's origin.)
    expect([...files]).toEqual(expect.arrayContaining([path, fixture('layers.model.ts')]));
    // The matmul of the dense layer is attributed to the helper's return line.
    const matmul = nodes.find((n) => n.op === 'matmul')!;
    expect(originOf(matmul)!.text).toBe('return add(matmul(x, w), b);');
    const line = readFileSync(path, 'utf8').split('\n').indexOf('export function objective(') + 1;
    expect(objective.origin).toMatchObject({ file: path, line, column: 1, text: 'export function objective(' });
  });

  it('reads the text given instead of the file, for --check', () => {
    const text = "import type { Param } from 'gradc/prelude';\nexport function f(x: Param<number>): number {\n  return x * x;\n}\n";
    const ir = parseModelFile('virtual.model.ts', { text });
    expect(ir.path).toBe('virtual.model.ts');
    expect(lowered(ir.functions[0]!, [3])[0]).toEqual([9]);
  });
});
