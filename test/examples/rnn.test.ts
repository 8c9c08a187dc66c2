// examples/rnn: the delayed-recall Elman RNN. Its compiled gradients (full
// and truncated BPTT) equal the reference evaluation of the IR they came
// from and central finite differences (full BPTT); a short truncated-BPTT
// run with Adam learns a delay inside its window; checkpointing shrinks the tape.
import { describe, expect, it } from 'vitest';
import { tapeReport } from '../../compiler/index.ts';
import type { CompiledModel } from '../../compiler/index.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import { BASELINE, TaskBatch, compileRnn, initialParameters, rnnKernels, train } from '../../examples/rnn/rnn.ts';
import { SeededRng } from '../../runtime/index.ts';
import { along, close, differentiate, dot, mismatches } from '../compiler/gradcheck.ts';

const SMALL = { steps: 100, batch: 4, hidden: 8, delay: 5 };

function referenceGradient(model: CompiledModel, theta: Float64Array, batch: TaskBatch): number[] {
  const { steps: T, batch: B, hidden: H } = batch.config;
  const shapes: Record<string, number[]> = { xs: [T, B, 1], ys: [T, B, 1], weight: [T, 1, 1], h0: [B, H] };
  const data: Record<string, Float64Array> = { xs: batch.xs, ys: batch.ys, weight: batch.weight, h0: batch.h0 };
  const values = Object.fromEntries([
    ...model.layout.map((e) => [e.name, { shape: e.shape as number[], data: theta.slice(e.offset, e.offset + e.size) }]),
    ...Object.keys(shapes).map((name) => [name, { shape: shapes[name]!, data: data[name]! }]),
  ]);
  const v = evaluateTensors(model.derivatives.gradient, values);
  return model.derivatives.gradient.flatMap((g) => [...v.get(g)!.data]);
}

describe('examples/rnn', () => {
  const batch = new TaskBatch(SMALL).draw(SeededRng.fromSeed(3).asFunction());

  it.each([['full BPTT', {}], ['truncated BPTT (k = 10)', { truncate: 10 }]] as const)('%s: compiled gradient equals the reference evaluation', (_, loop) => {
    const model = compileRnn(SMALL, loop);
    const theta = initialParameters(model, SMALL.hidden, 5);
    const grad = new Float64Array(model.size);
    rnnKernels(model).lossAndGradient(theta, batch, grad);
    expect(mismatches([...grad], referenceGradient(model, theta, batch), { rtol: 1e-11, atol: 1e-14 })).toEqual([]);
  });

  it('full BPTT: the gradient matches central finite differences of the loss', () => {
    const model = compileRnn(SMALL);
    const k = rnnKernels(model);
    const theta = initialParameters(model, SMALL.hidden, 5);
    const grad = new Float64Array(model.size);
    k.lossAndGradient(theta, batch, grad);
    const random = SeededRng.fromSeed(8).asFunction();
    const raw = Array.from({ length: model.size }, () => 2 * random() - 1);
    const v = raw.map((x) => x / Math.sqrt(dot(raw, raw)));
    const fd = differentiate((t) => [k.loss(Float64Array.from(along([...theta], v, t)), batch)], 1e-4);
    expect(fd.reliable, fd.why).toBe(true);
    expect(close(dot([...grad], v), fd.derivative[0]!, { rtol: 1e-7, atol: 1e-10 })).toBe(true);
  });

  it('truncated BPTT with Adam learns a delay shorter than its window', () => {
    const config = { steps: 100, batch: 16, hidden: 16, delay: 5 };
    const result = train(compileRnn(config, { truncate: 10 }), config, { iterations: 100, evalEvery: 100 });
    const [start, end] = [result.curve[0]![1], result.final];
    expect(end).toBeLessThan(0.75 * BASELINE);
    expect(end).toBeLessThan(0.5 * start);
  });

  it('checkpointing every 10 steps keeps about a fifth of the full tape for 100 steps', () => {
    const tape = (m: CompiledModel) => tapeReport([m.derivatives.value, ...m.derivatives.gradient]);
    const [full, checkpointed] = [tape(compileRnn(SMALL)), tape(compileRnn(SMALL, { checkpoint: 'sqrt' }))];
    expect(full.elements).toBe(SMALL.steps * SMALL.batch * SMALL.hidden);
    // 10 snapshots, a 10-step segment and the state being rerun.
    expect(checkpointed.elements).toBe((10 + 10 + 1) * SMALL.batch * SMALL.hidden);
  });
});
