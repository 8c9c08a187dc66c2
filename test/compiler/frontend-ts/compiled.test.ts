/**
 * The front end's fixtures all the way through: compiled by compileModelFile
 * into generated modules, their value and gradient equal the eager run of
 * the model file and the reference evaluation of the lowered gradient. This
 * covers what only model files produce: inlined imports, branches, unrolled
 * loops, loop nodes over named dimensions, expr.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gradient } from '../../../compiler/autodiff/reverse.ts';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';
import { parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';
import { evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import { Tensor } from '../../../compiler/prelude/tensor.ts';
import { mismatches, seededRandom } from '../gradcheck.ts';
import * as network from './fixtures/network.model.ts';
import * as recurrent from './fixtures/recurrent.model.ts';
import * as scalar from './fixtures/scalar.model.ts';

const SIZES: Readonly<Record<string, number>> = { batch: 4, time: 6 };
const LABELS: Readonly<Record<string, number>> = { labels: 4 };
const fixture = (name: string) => relative(process.cwd(), fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));

type Arg = number | Tensor;
type Generated = (...args: (number | Float64Array)[]) => number | Float64Array;

const MODELS: readonly [string, Record<string, unknown>][] = [
  ['scalar.model.ts', scalar],
  ['network.model.ts', network],
  ['recurrent.model.ts', recurrent],
];

describe('model files compiled end to end', () => {
  for (const [file, module] of MODELS) {
    const path = fixture(file);
    const ir = parseModelFile(path);
    const generated = loadModule(compileModelFile(path).files[0]!.content) as Record<string, unknown>;
    for (const fn of ir.functions) {
      it(`${file} ${fn.name}: generated value and gradient equal the eager run and the lowered IR`, () => {
        const rand = seededRandom(fn.name.length * 31 + 5);
        const args: Arg[] = fn.params.map((p) => {
          const shape = p.shape.map((d) => (typeof d === 'number' ? d : SIZES[d]!));
          const size = shape.reduce((a, b) => a * b, 1);
          const classes = LABELS[p.name];
          const data = Array.from({ length: size }, () => (classes === undefined ? rand() * 2 - 1 : Math.floor(rand() * classes)));
          return shape.length === 0 ? data[0]! : new Tensor(shape, Float64Array.from(data));
        });
        const plain = args.map((a) => (typeof a === 'number' ? a : Float64Array.from(a.data)));
        const flat = (v: number | Float64Array | Tensor): number[] => (typeof v === 'number' ? [v] : [...(v instanceof Tensor ? v.data : v)]);
        const eager = flat((module[fn.name] as (...a: Arg[]) => number | Tensor)(...args));
        const compiled = flat((generated[fn.name] as Generated)(...plain));
        expect(mismatches(compiled, eager, { rtol: 1e-11, atol: 1e-12 })).toEqual([]);
        if (fn.output.shape.length > 0 || fn.wrt.length === 0) return;
        const roots = gradient(fn.output, fn.wrt);
        const inputs = Object.fromEntries(fn.params.map((p, i) => [p.name, args[i]!]));
        const values = evaluateTensors(roots, inputs, SIZES);
        const want = roots.flatMap((r) => [...values.get(r)!.data]);
        const got = flat((generated[`${fn.name}Gradient`] as Generated)(...plain));
        expect(mismatches(got, want, { rtol: 1e-10, atol: 1e-12 })).toEqual([]);
      });
    }
  }
});
