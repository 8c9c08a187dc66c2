/**
 * Every generated module type-checks under the flags the design promises —
 * strict, no unused locals, no unused parameters — with nothing filtered
 * out: each example model and each model-file fixture of the test suite, in
 * the plain and the checkFinite build, and loop models built with the IR
 * builders. One in-memory TypeScript program checks them all.
 *
 * The loop fixtures are the point: a backward step used to read the carry
 * history of carries its cotangents do not depend on (`const t5 =
 * totalHistory[t4];`, never read), and a kernel that reads no data declared
 * its sizes all the same.
 */
import { describe, expect, it } from 'vitest';
import { findModelFiles } from '../../../compiler/build/findModelFiles.ts';
import { compileModel } from '../../../compiler/api/compileModel.ts';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { SourceError } from '../../../compiler/errors.ts';
import { add, div, input, mul } from '../../../compiler/ir/build.ts';
import { matmul, sum } from '../../../compiler/ir/buildTensor.ts';
import { tanh } from '../../../compiler/frontend/builders/nn.ts';
import { scan } from '../../../compiler/ir/scan.ts';
import type { LoopOptions } from '../../../compiler/ir/scan.ts';
import { typeErrors } from '../typecheckSources.ts';

const MODEL_FILES = findModelFiles(['examples/**/*.model.ts', 'test/**/*.model.ts'], process.cwd());
/** Fixtures that are errors by design: each imports the other. */
const CYCLES = ['test/compiler/frontend-ts/fixtures/cycleA.model.ts', 'test/compiler/frontend-ts/fixtures/cycleB.model.ts'];

/** A scan with a carry only summed into the loss (its history is never needed backward) and a closure the step reads. */
function accumulatingLoop(options: LoopOptions) {
  const W = input('W', [3, 3]);
  const h0 = input('h0', [1, 3]);
  const xs = input('xs', ['time', 1, 3]);
  const run = scan({
    init: { h: h0, total: input('total0', []) },
    sequences: { x: xs },
    step: ({ h, total }, { x }) => {
      const next = tanh(add(matmul(h!, W), x!));
      return { carry: { h: next, total: add(total!, div(sum(mul(next, next)), input('scale', []))) } };
    },
    ...options,
  });
  const loss = add(run.carry['total']!, sum(run.carry['h']!));
  return compileModel({ inputs: [W, h0, input('total0', []), input('scale', []), xs], loss, wrt: [W, h0] }).source;
}

describe('generated modules have no unused declarations', () => {
  it('finds the examples and the loop fixtures', () => {
    expect(MODEL_FILES).toEqual(expect.arrayContaining(['examples/mlp/mlp.model.ts', 'test/compiler/frontend-ts/fixtures/loops.model.ts', ...CYCLES]));
  });

  it('the import-cycle fixtures are located errors, not modules', () => {
    for (const path of CYCLES) expect(() => compileModelFile(path)).toThrow(SourceError);
  });

  it('every example and model-file fixture, plain and checkFinite, passes tsc --strict --noUnusedLocals --noUnusedParameters', () => {
    const modules = new Map<string, string>();
    for (const path of MODEL_FILES.filter((p) => !CYCLES.includes(p))) {
      for (const checkFinite of [false, true]) {
        const [file] = compileModelFile(path, { checkFinite }).files;
        modules.set(`/virtual/${path.replace(/\.model\.ts$/, checkFinite ? '.checked.grad.ts' : '.grad.ts')}`, file!.content);
      }
    }
    expect(modules.size).toBe(2 * (MODEL_FILES.length - CYCLES.length));
    expect(typeErrors(modules)).toEqual([]);
  });

  it('loop models from compileModel, with a full, checkpointed and truncated tape, pass the same check', () => {
    const options: readonly LoopOptions[] = [{}, { checkpoint: 2 }, { checkpoint: 'log' }, { truncate: 2 }];
    const modules = new Map(options.map((o, i) => [`/virtual/loop${i}.ts`, accumulatingLoop(o)]));
    expect(typeErrors(modules)).toEqual([]);
  });
});
