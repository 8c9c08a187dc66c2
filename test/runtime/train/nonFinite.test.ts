// Non-finite training end to end: a model file whose loss turns NaN under SGD with
// lr 1e3 is compiled twice in memory (the plain build trains, the check-finite build
// diagnoses); the trainer stops at the first bad step naming the step, the parameter
// block and the model line, leaves the parameters as they were, skips such steps on
// request, and never writes a checkpoint with non-finite parameters.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../../compiler/index.ts';
import { NonFiniteError, SGD, train, type ParameterLayout, type TrainOptions, type UnitLoss } from '../../../runtime/index.ts';

const MODEL = 'test/runtime/train/fixtures/barrier.model.ts';
const SQRT_LINE = 13; // const barrier = sum(sqrt(w)); sqrt( at column 23
const RESIDUAL_LINE = 11; // const r = sub(add(matmul(X, w), b), y);

interface FlatLoss {
  objective(x: Float64Array, gradOut: Float64Array): number;
  setData(X: Float64Array, y: Float64Array): void;
}
interface BarrierModule {
  readonly lossLayout: ParameterLayout & { readonly size: number };
  lossFlat(X: Float64Array, y: Float64Array): FlatLoss;
}

// The generated module's exports, typed as the test uses them (loadModule returns unknown values).
const plain = loadModelFile(MODEL) as unknown as BarrierModule;
const checked = loadModelFile(MODEL, { checkFinite: true }) as unknown as BarrierModule;

interface Data {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly count: number;
}

/** y = 0.5 x₀ + 0.3 x₁ + 0.1 on a fixed grid, with optional rows made NaN. */
function makeData(count: number, nanRows: readonly number[] = []): Data {
  const X = new Float64Array(count * 2);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    X[2 * i] = Math.sin(i + 1);
    X[2 * i + 1] = Math.cos(2 * i + 1);
    y[i] = 0.5 * X[2 * i]! + 0.3 * X[2 * i + 1]! + 0.1;
  }
  for (const r of nanRows) X[2 * r] = NaN;
  return { X, y, count };
}

/** The trainer's loss over one build of the model: gathers the unit's rows and calls the flat objective. */
function unitLoss(m: BarrierModule, data: Data): UnitLoss {
  const f = m.lossFlat(data.X.subarray(0, 2), data.y.subarray(0, 1));
  return (params, unit, gradOut) => {
    const X = new Float64Array(unit.indices.length * 2);
    const y = new Float64Array(unit.indices.length);
    unit.indices.forEach((row, k) => {
      X.set(data.X.subarray(2 * row, 2 * row + 2), 2 * k);
      y[k] = data.y[row]!;
    });
    f.setData(X, y);
    return f.objective(params, gradOut);
  };
}

const init = (): Float64Array => Float64Array.from([1, 1, 0]);

function options(data: Data, lr: number, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    params: init(),
    loss: unitLoss(plain, data),
    diagnose: unitLoss(checked, data),
    layout: plain.lossLayout,
    examples: data.count,
    optimizer: new SGD({ lr }),
    epochs: 3,
    batchSize: 2,
    shuffle: false,
    progress: false,
    ...extra,
  };
}

/** Parameters after each step of the same run with the checks off, and the first step whose loss is not finite. */
async function unguarded(data: Data, lr: number): Promise<{ after: Float64Array[]; firstBad: number }> {
  const o = options(data, lr, { nonFinite: 'ignore' });
  const after: Float64Array[] = [o.params.slice()];
  let firstBad = -1;
  await train({
    ...o,
    callbacks: {
      onStep: (s) => {
        if (!Number.isFinite(s.loss) && firstBad < 0) firstBad = s.step;
        after.push(o.params.slice());
      },
    },
  });
  return { after, firstBad };
}

async function trainError(o: TrainOptions): Promise<NonFiniteError> {
  const error = await train(o).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NonFiniteError);
  return error as NonFiniteError;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('non-finite training (lr 1e3 SGD on a square-root barrier)', () => {
  it('stops at the first bad step, naming the step, the parameter block and the model line', async () => {
    const data = makeData(8);
    const { after, firstBad } = await unguarded(data, 1e3);
    expect(firstBad).toBeGreaterThan(1);
    const o = options(data, 1e3);
    const error = await trainError(o);
    expect(error.step).toBe(firstBad);
    // 4 batches of 2 per epoch.
    expect(error.epoch).toBe(Math.floor((firstBad - 1) / 4) + 1);
    expect(error.batch).toBe(((firstBad - 1) % 4) + 1);
    expect(error.quantity).toBe('loss');
    expect(error.parameter).toBe('w');
    expect(error.origin).toMatchObject({ file: MODEL, line: SQRT_LINE, column: 23, text: 'const barrier = sum(sqrt(w));', part: 'value' });
    expect(error.message).toContain(`step ${firstBad} (epoch ${error.epoch}, batch ${error.batch})`);
    expect(error.message).toContain(`of parameter 'w'`);
    expect(error.message).toContain(`${MODEL}:${SQRT_LINE}:23  const barrier = sum(sqrt(w));`);
    // The bad step did not update: the parameters are those after the step before it.
    expect(Array.from(o.params)).toEqual(Array.from(after[firstBad - 1]!));
    expect(o.params.some((x) => x < 0)).toBe(true);
  });

  it('without diagnose, the trainer builds the checkFinite twin of the model file itself and names the line', async () => {
    const data = makeData(8);
    const { firstBad } = await unguarded(data, 1e3);
    const { diagnose: _d, ...auto } = options(data, 1e3);
    const error = await trainError(auto);
    expect(error.step).toBe(firstBad);
    expect(error.origin).toMatchObject({ file: MODEL, line: SQRT_LINE, column: 23, text: 'const barrier = sum(sqrt(w));', part: 'value', kernel: 'lossValueAndGradientKernel' });
    expect(error.message).toContain(`${MODEL}:${SQRT_LINE}:23  const barrier = sum(sqrt(w));`);
  });

  it("diagnose: false (and no layout) still stops at the step, without a model line", async () => {
    const data = makeData(8);
    const { layout: _l, ...bare } = options(data, 1e3, { diagnose: false });
    const error = await trainError(bare);
    expect(error.origin).toBeNull();
    expect(error.parameter).toBeNull();
    expect(error.index).toBeGreaterThanOrEqual(0);
    expect(error.message).toContain("pass the model's layout");
    expect(error.message).toMatch(/before this step\.$/);
  });

  it('a loss that runs no generated model kernel: says why no model line can be named', async () => {
    const loss: UnitLoss = (_p, _unit, g) => {
      g.fill(0);
      return NaN;
    };
    const { diagnose: _d, ...o } = options(makeData(4), 0.1, { loss });
    const error = await trainError(o);
    expect([error.step, error.quantity]).toEqual([1, 'loss']);
    expect(error.origin).toBeNull();
    expect(error.message).toContain('No kernel generated from a model file ran in this step');
  });

  it('a model file that is gone by the time of the diagnosis: says so, naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-twin-'));
    dirs.push(dir);
    const path = join(dir, 'barrier.model.ts');
    writeFileSync(path, readFileSync(MODEL, 'utf8'));
    const moved = loadModelFile(path) as unknown as BarrierModule;
    rmSync(path);
    const data = makeData(8);
    const { diagnose: _d, ...o } = options(data, 1e3, { loss: unitLoss(moved, data) });
    const error = await trainError(o);
    expect(error.origin).toBeNull();
    // The module names its model file as the compiler was given it, relative to the working directory.
    const given = relative(process.cwd(), path);
    expect(error.message).toContain(`Re-running the step with the check-finite build failed: could not build a checkFinite twin of ${given}: its model file ${given} is not at ${path}`);
  });

  it('checks its diagnose option', async () => {
    const o = { ...options(makeData(2), 0.1), diagnose: true } as unknown as TrainOptions;
    await expect(train(o)).rejects.toThrow('Invalid diagnose boolean; it must be a loss function (over a checkFinite build), false, or left out');
  });

  it("an Inf gradient at step 3 stops step 3 with the block and element, and the checked build finds the model clean", async () => {
    const data = makeData(8);
    const base = options(data, 0.1);
    let calls = 0;
    const loss: UnitLoss = (p, unit, g) => {
      const value = base.loss(p, unit, g);
      if (++calls === 3) g[2] = Infinity; // b, the third element of the flat vector
      return value;
    };
    const { after } = await unguarded(data, 0.1);
    const o = { ...base, loss };
    const error = await trainError(o);
    expect([error.step, error.epoch, error.batch]).toEqual([3, 1, 3]);
    expect([error.quantity, error.parameter, error.element, error.index, error.value]).toEqual(['gradient', 'b', 0, 2, Infinity]);
    expect(error.message).toContain("Infinity at element 0 of parameter 'b' (flat index 2)");
    expect(error.message).toContain('came from outside the model kernels');
    expect(Array.from(o.params)).toEqual(Array.from(after[2]!));
  });

  it("'skip' leaves the bad steps out and trains on with finite parameters", async () => {
    // Row 5 is corrupt (NaN feature): batch 3 of every epoch is non-finite.
    const data = makeData(8, [5]);
    const skipped: NonFiniteError[] = [];
    // No diagnose: the trainer's own checkFinite twin names the line of every skipped step (built once).
    const { diagnose: _d, ...o } = options(data, 0.1, { nonFinite: 'skip', epochs: 20, callbacks: { onSkip: (e) => skipped.push(e) } });
    const result = await train(o);
    expect(result.skippedSteps).toBe(20);
    expect(result.steps).toBe(20 * 3);
    expect(skipped.map((e) => [e.epoch, e.batch])).toEqual(Array.from({ length: 20 }, (_, k) => [k + 1, 3]));
    expect(skipped.every((e) => e.origin?.line === RESIDUAL_LINE && e.origin.part === 'value')).toBe(true);
    expect(o.params.every(Number.isFinite)).toBe(true);
    expect(result.history.every((r) => Number.isFinite(r.trainLoss))).toBe(true);
    expect(result.history.at(-1)!.skippedSteps).toBe(20);
    // It still learns from the other rows: the loss falls.
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
  });

  it('never writes a checkpoint with non-finite parameters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-nonfinite-'));
    dirs.push(dir);
    const data = makeData(2);
    // One step per epoch; a finite loss and gradient, but an update of 1e300 × 1e10 overflows the parameters to −Infinity.
    const loss: UnitLoss = (_p, _unit, g) => {
      g.fill(1e10);
      return 0;
    };
    const path = join(dir, 'run.ckpt');
    const o = options(data, 1e300, { loss, checkpoint: { path }, epochs: 2 });
    await expect(train(o)).rejects.toThrow(/Refusing to write the checkpoint .*run\.ckpt: the parameters are not finite after step 1 \(-Infinity at element 0 of parameter 'w' \(flat index 0\)/);
    expect(existsSync(path)).toBe(false);
    // Under 'ignore' training runs on, the checkpoint is skipped with a note.
    const lines: string[] = [];
    await train({ ...options(data, 1e300, { loss, checkpoint: { path }, epochs: 2, nonFinite: 'ignore' }), progress: { write: (t) => lines.push(t) } });
    expect(existsSync(path)).toBe(false);
    expect(lines.join('')).toContain(`checkpoint ${path} not written: the parameters are not finite after step 1`);
  });

  it("checks its nonFinite option", async () => {
    const o = { ...options(makeData(2), 0.1), nonFinite: 'warn' } as unknown as TrainOptions;
    await expect(train(o)).rejects.toThrow("Invalid nonFinite 'warn'; it must be 'stop', 'skip' or 'ignore'.");
  });
});

// Keep the fixture honest: the line numbers above are the model file's.
it('the fixture lines the tests name', () => {
  const lines = readFileSync(MODEL, 'utf8').split('\n');
  expect(lines[SQRT_LINE - 1]!.trim()).toBe('const barrier = sum(sqrt(w));');
  expect(lines[RESIDUAL_LINE - 1]!.trim()).toBe('const r = sub(add(matmul(X, w), b), y);');
});
