/**
 * The generated-module contract, checked on model files built as IR: golden
 * files (regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run
 * test/compiler/modelModule.test.ts`, then read the diff), byte-identical
 * output, strict type-checking with isolated declarations, source-line
 * comments, and the checked-in modules run: value, gradient, JVP and HVP
 * against the reference evaluation and central differences, flat variants
 * against named ones, pack/unpack, caller-provided buffers and length checks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { typeErrors } from './typecheckSources.ts';
import { describe, expect, it } from 'vitest';
import type { FunctionIR } from '../../compiler/ir/function.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { emitModelModule } from '../../compiler/module/emitModelModule.ts';
import { generatedNames } from '../../compiler/module/names.ts';
import { absDot, close, dot } from './gradcheck.ts';
import { SourceError } from '../../compiler/errors.ts';
import { MODEL_CASES, plainFile, rosenbrockFile } from './modelModuleCases.ts';
import { pointFor, reference, exported } from './modelModuleCheck.ts';
import type { Arg, GeneratedModule } from './modelModuleCheck.ts';

export const goldenPath = (name: string): string => fileURLToPath(new URL(`./golden/models/${name}.grad.ts`, import.meta.url));

type Named = (...args: Arg[]) => number;
type NamedInto = (...args: Arg[]) => Float64Array;
type Flat = (...data: Arg[]) => {
  size: number;
  value: (x: Float64Array) => number;
  objective: (x: Float64Array, g: Float64Array) => number;
  jvp: (x: Float64Array, v: Float64Array) => number;
  hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
  hessian: (x: Float64Array, out: Float64Array) => void;
};
type FlatTensor = (...data: Arg[]) => {
  size: number;
  outputSize: number;
  value: (x: Float64Array, out?: Float64Array) => Float64Array;
  jvp: (x: Float64Array, v: Float64Array, out?: Float64Array) => Float64Array;
};
type Pack = (params: Record<string, Arg>, out?: Float64Array) => Float64Array;
type Unpack = (x: Float64Array) => Record<string, Float64Array>;

const H = 1e-6;
const closeAll = (a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => close(v, b[i]!, { rtol, atol }));

/** The model function's pieces at one point: named arguments, the flat vector, and a direction. */
function setUp(mod: GeneratedModule, fn: FunctionIR, seed: number) {
  const names = generatedNames(fn.name);
  const args = pointFor(fn, seed);
  const wrtIndex = fn.wrt.map((p) => fn.params.indexOf(p));
  const pack = exported<Pack>(mod, names.pack);
  const x = pack(Object.fromEntries(fn.wrt.map((p, k) => [p.name, args[wrtIndex[k]!]!])));
  const v = Float64Array.from(pointFor({ ...fn, params: [...fn.wrt] }, seed + 1).flatMap((a) => (typeof a === 'number' ? [a] : Array.from(a))));
  const data = args.filter((_, i) => !wrtIndex.includes(i));
  /** The named arguments with the differentiated ones read from a flat vector. */
  const at = (flat: Float64Array): Arg[] => {
    const views = exported<Unpack>(mod, names.unpack)(Float64Array.from(flat));
    return args.map((a, i) => {
      const k = wrtIndex.indexOf(i);
      if (k < 0) return a;
      const view = views[fn.wrt[k]!.name]!;
      return typeof a === 'number' ? view[0]! : view;
    });
  };
  return { names, args, x, v, data, at };
}

const along = (x: Float64Array, v: Float64Array, t: number) => x.map((xi, i) => xi + t * v[i]!);

function checkScalarFunction(mod: GeneratedModule, fn: FunctionIR): void {
  const { names, args, x, v, data, at } = setUp(mod, fn, 11);
  const value = exported<Named>(mod, names.value);
  const valueAndGradient = exported<(...a: Arg[]) => number>(mod, names.valueAndGradient);
  const gradientOf = exported<NamedInto>(mod, names.gradient);
  const jvp = exported<Named>(mod, names.jvp);
  const hvp = exported<NamedInto>(mod, names.hvp);
  const n = x.length;

  it('computes the value the reference evaluation gives', () => {
    expect(value(...args)).toBeCloseTo(reference(fn, args)[0]!, 12);
  });

  it('gradient (reverse mode) agrees with central differences, coordinate by coordinate', () => {
    const g = gradientOf(...args);
    expect(g).toHaveLength(n);
    const fd = Array.from({ length: n }, (_, i) => {
      const e = new Float64Array(n);
      e[i] = 1;
      return (value(...at(along(x, e, H))) - value(...at(along(x, e, -H)))) / (2 * H);
    });
    expect(closeAll(g, fd, 1e-5, 1e-7)).toBe(true);
    const into = new Float64Array(n);
    expect(valueAndGradient(...args, into)).toBe(value(...args));
    expect(Array.from(into)).toEqual(Array.from(g));
  });

  it('JVP (forward mode) equals ∇f·v and the central difference along v', () => {
    const g = gradientOf(...args);
    const t = jvp(...args, v);
    expect(close(t, dot(Array.from(g), Array.from(v)), { rtol: 1e-12, atol: 1e-13 * absDot(Array.from(g), Array.from(v)) })).toBe(true);
    const fd = (value(...at(along(x, v, H))) - value(...at(along(x, v, -H)))) / (2 * H);
    expect(close(t, fd, { rtol: 1e-6, atol: 1e-8 })).toBe(true);
  });

  it('HVP (forward over reverse) agrees with central differences of the gradient, and is symmetric', () => {
    const hv = hvp(...args, v);
    const gPlus = gradientOf(...at(along(x, v, H)));
    const gMinus = gradientOf(...at(along(x, v, -H)));
    const fd = gPlus.map((gp, i) => (gp - gMinus[i]!) / (2 * H));
    expect(closeAll(hv, fd, 1e-5, 1e-6)).toBe(true);
    const u = Float64Array.from(v, (vi, i) => Math.cos(i) - vi);
    const hu = hvp(...args, u);
    expect(close(dot(Array.from(u), Array.from(hv)), dot(Array.from(v), Array.from(hu)), { rtol: 1e-10, atol: 1e-12 })).toBe(true);
  });

  it('flat variants equal the named functions, and the dense Hessian has HVPs for columns', () => {
    const flat = exported<Flat>(mod, names.flat)(...data);
    expect(flat.size).toBe(n);
    expect(flat.value(x)).toBe(value(...args));
    const g = new Float64Array(n);
    expect(flat.objective(x, g)).toBe(value(...args));
    expect(Array.from(g)).toEqual(Array.from(gradientOf(...args)));
    expect(flat.jvp(x, v)).toBe(jvp(...args, v));
    const out = new Float64Array(n);
    flat.hvp(x, v, out);
    expect(Array.from(out)).toEqual(Array.from(hvp(...args, v)));
    const dense = new Float64Array(n * n);
    flat.hessian(x, dense);
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      const column = hvp(...args, e);
      for (let i = 0; i < n; i++) {
        expect(close(dense[i * n + j]!, 0.5 * (column[i]! + hvp(...args, Float64Array.from({ length: n }, (_, k) => (k === i ? 1 : 0)))[j]!), { rtol: 1e-12, atol: 1e-14 })).toBe(true);
      }
    }
  });

  it('writes into caller-provided buffers and returns them', () => {
    const g = new Float64Array(n).fill(NaN);
    expect(gradientOf(...args, g)).toBe(g);
    expect(g.every(Number.isFinite)).toBe(true);
    const out = new Float64Array(n).fill(NaN);
    expect(hvp(...args, v, out)).toBe(out);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('rejects arrays of the wrong length with a message naming the argument', () => {
    expect(() => valueAndGradient(...args, new Float64Array(n + 1))).toThrow(new RangeError(`${names.valueAndGradient}: gradOut has ${n + 1} elements, but ${names.layout}.size needs ${n}`));
    const flat = exported<Flat>(mod, names.flat)(...data);
    expect(() => flat.objective(new Float64Array(n - 1), new Float64Array(n))).toThrow(/\.objective: x has/);
    const shortIndex = args.findIndex((a) => typeof a !== 'number');
    if (shortIndex < 0) return;
    const short = args.map((a, i) => (i === shortIndex && typeof a !== 'number' ? a.subarray(1) : a));
    expect(() => value(...short)).toThrow(new RegExp(`^${fn.name}: ${fn.params[shortIndex]!.name} has ${(args[shortIndex] as Float64Array).length - 1} elements`));
  });
}

function checkLayout(mod: GeneratedModule, fn: FunctionIR): void {
  const { names, args, x } = setUp(mod, fn, 5);
  it('pack and unpack round-trip, and unpack returns views of the flat vector', () => {
    const layout = mod[names.layout] as { size: number; params: readonly { name: string; shape: readonly number[]; offset: number; size: number }[] };
    expect(layout.params.map((e) => e.name)).toEqual(fn.wrt.map((p) => p.name));
    expect(layout.size).toBe(x.length);
    const unpack = exported<Unpack>(mod, names.unpack);
    const pack = exported<Pack>(mod, names.pack);
    const views = unpack(x);
    fn.wrt.forEach((p, k) => {
      const e = layout.params[k]!;
      expect(views[p.name]!.buffer).toBe(x.buffer);
      expect(views[p.name]!.byteOffset).toBe(x.byteOffset + 8 * e.offset);
      const given = args[fn.params.indexOf(p)]!;
      expect(Array.from(views[p.name]!)).toEqual(typeof given === 'number' ? [given] : Array.from(given));
    });
    expect(Array.from(pack(views))).toEqual(Array.from(x));
    const into = new Float64Array(x.length);
    expect(pack(views, into)).toBe(into);
    const first = views[fn.wrt[0]!.name]!;
    first[0] = 42;
    expect(x[0]).toBe(42);
  });
}

function checkTensorFunction(mod: GeneratedModule, fn: FunctionIR): void {
  const { names, args, x, v, data, at } = setUp(mod, fn, 23);
  const value = exported<NamedInto>(mod, names.value);
  const jvp = exported<NamedInto>(mod, names.jvp);
  it('writes the value the reference evaluation gives into the caller\'s buffer', () => {
    const expected = reference(fn, args);
    const out = new Float64Array(expected.length);
    expect(value(...args, out)).toBe(out);
    expect(closeAll(out, expected, 1e-12, 1e-14)).toBe(true);
    expect(Array.from(value(...args))).toEqual(Array.from(out));
  });
  it('JVP agrees with central differences along v, named and flat', () => {
    const t = jvp(...args, v);
    const plus = value(...at(along(x, v, H)));
    const minus = value(...at(along(x, v, -H)));
    expect(closeAll(t, plus.map((p, i) => (p - minus[i]!) / (2 * H)), 1e-6, 1e-8)).toBe(true);
    const flat = exported<FlatTensor>(mod, names.flat)(...data);
    expect(flat.outputSize).toBe(t.length);
    expect(Array.from(flat.value(x))).toEqual(Array.from(value(...args)));
    const out = new Float64Array(t.length);
    expect(flat.jvp(x, v, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(t));
  });
}

describe('generated model modules', () => {
  for (const c of MODEL_CASES) {
    describe(c.name, () => {
      const file = c.build();
      const source = emitModelModule(file);

      it('matches the golden file byte for byte', () => {
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath(c.name), source);
        expect(source).toBe(readFileSync(goldenPath(c.name), 'utf8'));
      });

      it('is byte-identical when built and emitted again', () => {
        expect(emitModelModule(c.build())).toBe(source);
      });

      it('starts with the header, imports nothing, and names the model line before each block', () => {
        expect(source.startsWith(`// Code generated by gradc 0.1.0 from ${file.path}. DO NOT EDIT.\n/* eslint-disable */\n`)).toBe(true);
        expect(source).not.toMatch(/^\s*import\b|\brequire\(/m);
        const kernels = [...source.matchAll(/\nfunction (\w+Kernel)\([^\n]*\n([\s\S]*?)\n}\n/g)];
        expect(kernels.length).toBeGreaterThanOrEqual(file.functions.length);
        const comment = new RegExp(`^  // ${file.path.replace(/\./g, '\\.')}:(\\d+)  \\S`, 'gm');
        for (const [, , body] of kernels) expect(body).toMatch(comment);
        // Reverse mode walks back over the model: its kernel names every line the function computes on.
        for (const f of file.functions.filter((g) => g.wrt.length > 0 && g.output.shape.length === 0)) {
          const body = kernels.find(([, name]) => name === generatedNames(f.name).kernel('valueAndGradient'))![2]!;
          const named = new Set([...body.matchAll(comment)].map((m) => Number(m[1])));
          const valueBody = kernels.find(([, name]) => name === generatedNames(f.name).kernel('value'))![2]!;
          for (const m of valueBody.matchAll(comment)) expect(named).toContain(Number(m[1]));
        }
      });

      // The emitted text is the golden file (checked above), loaded in this process.
      const mod = loadModule(source);
      for (const f of file.functions) {
        const inferable = f.params.every((p) => p.shape.filter((d) => typeof d === 'string').length <= 1);
        if (!inferable) continue;
        describe(f.name, () => {
          if (f.wrt.length > 0) checkLayout(mod, f);
          if (f.wrt.length > 0 && f.output.shape.length === 0) checkScalarFunction(mod, f);
          else if (f.wrt.length > 0) checkTensorFunction(mod, f);
          else {
            it('computes the value the reference evaluation gives', () => {
              const args = pointFor(f, 3);
              const result = exported<(...a: Arg[]) => number | Float64Array>(mod, f.name)(...args);
              expect(closeAll(typeof result === 'number' ? [result] : result, reference(f, args), 1e-12, 1e-14)).toBe(true);
            });
          }
        });
      }
    });
  }

  it('a size no single array determines is an explicit argument, after the data, and the arrays give the rest', async () => {
    const mod = (await import(goldenPath('plain'))) as GeneratedModule;
    // X: [rows, cols] alone: rows is passed, cols = X.length / rows.
    const squash = exported<(X: Float64Array, u: number, rows: number, out?: Float64Array) => Float64Array>(mod, 'squash');
    const X = Float64Array.from({ length: 6 }, (_, i) => i - 2.5);
    const out = squash(X, 0.7, 3);
    expect(out.length).toBe(6);
    expect(closeAll(out, Array.from(X, (xi) => 1 / (1 + Math.exp(-0.7 * xi))), 1e-15, 0)).toBe(true);
    expect(() => squash(X, 0.7, 4)).toThrow('squash: X has 6 elements, not a multiple of 4 as its shape [rows, cols] needs');
  });

  it('a function whose generated names another function already uses is a located error', () => {
    const file = rosenbrockFile();
    const f = file.functions[0]!;
    const clash = { ...f, name: 'rosenbrockJvp', origin: { ...f.origin, line: 12 } };
    let error: unknown;
    try {
      emitModelModule({ ...file, functions: [f, clash] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).format()).toMatch(/^models\/rosenbrock\.model\.ts:12:1: error: the generated module would define 'rosenbrockJvp' twice: for 'rosenbrockJvp' and for 'rosenbrock'/);
  });

  it('a differentiated parameter with named sizes gets a layout that is a function of them', () => {
    const file = plainFile();
    const squash = file.functions[0]!;
    const source = emitModelModule({ ...file, functions: [{ ...squash, wrt: [squash.params[0]!] }] });
    expect(source).toContain('export function squashLayout(rows: number, cols: number): FlatLayout {');
    expect(source).toContain('export function unpackSquash(x: Float64Array, rows: number, cols: number): SquashParams {');
  });

  it('every golden passes tsc --strict --noUnusedLocals --noUnusedParameters with isolated declarations', () => {
    const files = new Map(MODEL_CASES.map((c) => [`/virtual/${c.name}.grad.ts`, readFileSync(goldenPath(c.name), 'utf8')]));
    const diagnostics = typeErrors(files, { isolatedDeclarations: true });
    expect(diagnostics).toEqual([]);
  });
});
