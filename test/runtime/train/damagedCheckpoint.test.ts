// A checkpoint is resumed only when every field fits this run: each damaged field
// is a CheckpointError naming it (its path, what was expected, what was found) and
// saying what to do, never a TypeError later or a run that silently continues.
// Every case starts from a checkpoint the trainer itself wrote and damages one field.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adadelta,
  Adagrad,
  Adam,
  AdamW,
  ASGD,
  CheckpointError,
  NaturalGradient,
  PolyakAveraging,
  RMSprop,
  SGD,
  StepLR,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  train,
  type Optimizer,
  type TrainOptions,
  type TrainingState,
} from '../../../runtime/index.ts';
import { makeRegression, mseLoss, mseMetrics } from './problems.ts';

const data = makeRegression(40, 3, 0.1, 5);

/** A run over `data` (4 parameters, 5 batches of 8 per epoch) checkpointing to `path`. */
function options(path: string, overrides: Partial<TrainOptions> = {}): TrainOptions {
  const optimizer = overrides.optimizer ?? new Adam({ lr: 0.05 });
  return {
    params: new Float64Array(4),
    examples: data.count,
    loss: mseLoss(data),
    validate: mseMetrics(data),
    optimizer,
    schedule: new StepLR(optimizer, { stepSize: 1, gamma: 0.9 }),
    earlyStopping: { patience: 5 },
    epochs: 4,
    batchSize: 8,
    checkpoint: { path },
    progress: false,
    ...overrides,
  };
}

let dir: string;
/** The checkpoint a 2-epoch run wrote (text), to be damaged case by case and resumed with 4 epochs. */
let good: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradc-damaged-'));
  const path = join(dir, 'good.ckpt');
  await train(options(path, { epochs: 2 }));
  good = readFileSync(path, 'utf8');
});

let cases = 0;
/** Writes the good checkpoint with `damage` applied, resumes it, and returns the error. */
async function resumeDamaged(damage: (s: Record<string, any>) => void, overrides: Partial<TrainOptions> = {}): Promise<CheckpointError> {
  // `any`: the test writes wrong types into the decoded object on purpose.
  const state = decodeCheckpoint(good) as Record<string, any>;
  damage(state);
  const path = join(dir, `case${++cases}.ckpt`);
  writeFileSync(path, encodeCheckpoint(state));
  const error = await train(options(path, overrides)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  const e = error as CheckpointError;
  expect(e.path).toBe(path);
  expect(e.message).toContain(path);
  expect(e.message).toMatch(/delete it or point checkpoint\.path elsewhere\.$/);
  return e;
}

describe('resuming a damaged checkpoint', () => {
  it('resumes the undamaged checkpoint (the cases below differ from it in one field)', async () => {
    const path = join(dir, 'undamaged.ckpt');
    writeFileSync(path, good);
    const result = await train(options(path));
    expect(result.resumedFrom).toEqual({ epoch: 2, step: 10 });
    expect(result.history.length).toBe(4);
  });

  it('an empty loop names its first missing field', async () => {
    const e = await resumeDamaged((s) => (s['loop'] = {}));
    expect(e.field).toBe('loop.epoch');
    expect(e.message).toContain('loop.epoch should be an integer >= 0 but is missing, so the file is damaged');
  });

  it('a missing loop', async () => {
    const e = await resumeDamaged((s) => delete s['loop']);
    expect(e.field).toBe('loop');
    expect(e.message).toContain('loop should be the loop state (an object) but is missing');
  });

  it('parameters stored as a plain array', async () => {
    const e = await resumeDamaged((s) => (s['params'] = Array.from(s['params'] as Float64Array)));
    expect(e.field).toBe('params');
    expect(e.message).toContain('params should be a Float64Array of 4 numbers (one per model parameter, stored as {"$f64": base64 of the bytes}) but is a plain array of 4 entries');
  });

  it('all-NaN parameters name the first element', async () => {
    const e = await resumeDamaged((s) => (s['params'] as Float64Array).fill(NaN));
    expect(e.field).toBe('params[0]');
    expect(e.message).toContain('params[0] should be a finite number but is NaN');
  });

  it('an infinite parameter further in', async () => {
    const e = await resumeDamaged((s) => ((s['params'] as Float64Array)[2] = -Infinity));
    expect(e.field).toBe('params[2]');
    expect(e.message).toContain('params[2] should be a finite number but is -Infinity');
  });

  it('parameters of another model keep their own sentence', async () => {
    const e = await resumeDamaged((s) => (s['params'] = new Float64Array(7)));
    expect(e.field).toBe('params');
    expect(e.message).toContain('it holds 7 parameters but the model has 4, so it belongs to a different model');
  });

  it('epoch: 1e9', async () => {
    const e = await resumeDamaged((s) => (s['loop'].epoch = 1e9));
    expect(e.field).toBe('loop.epoch');
    expect(e.message).toContain('loop.epoch is 1000000000 but this run trains for 4 epochs; raise epochs to continue it, or delete it or point checkpoint.path elsewhere.');
  });

  it('a fractional epoch', async () => {
    const e = await resumeDamaged((s) => (s['loop'].epoch = 1.5));
    expect(e.field).toBe('loop.epoch');
    expect(e.message).toContain('loop.epoch should be an integer >= 0 but is 1.5');
  });

  it('a negative position', async () => {
    const e = await resumeDamaged((s) => (s['loop'].position = -3));
    expect(e.field).toBe('loop.position');
    expect(e.message).toContain('loop.position should be an integer >= 0 but is -3');
  });

  it('a position past the end of the epoch', async () => {
    const e = await resumeDamaged((s) => (s['loop'].position = 5));
    expect(e.field).toBe('loop.position');
    expect(e.message).toContain('loop.position is 5 but epoch 3 has 5 units (batches × windows) with these options');
  });

  it('a negative step', async () => {
    const e = await resumeDamaged((s) => (s['loop'].step = -1));
    expect(e.field).toBe('loop.step');
    expect(e.message).toContain('loop.step should be an integer >= 0 but is -1');
  });

  it('a step count behind the epoch records', async () => {
    const e = await resumeDamaged((s) => (s['loop'].step = 3));
    expect(e.field).toBe('loop.step');
    expect(e.message).toContain('loop.step is 3 but the last epoch record says 10 steps were taken');
  });

  it('a NaN running loss', async () => {
    const e = await resumeDamaged((s) => (s['loop'].lossSum = NaN));
    expect(e.field).toBe('loop.lossSum');
    expect(e.message).toContain('loop.lossSum should be a finite number but is NaN');
  });

  it('a history shorter than the epochs done', async () => {
    const e = await resumeDamaged((s) => (s['loop'].history = s['loop'].history.slice(1)));
    expect(e.field).toBe('loop.history');
    expect(e.message).toContain('loop.history holds 1 epoch records but loop.epoch says 2 epochs are done');
  });

  it('a damaged epoch record', async () => {
    const e = await resumeDamaged((s) => (s['loop'].history[1].examples = 'forty'));
    expect(e.field).toBe('loop.history[1].examples');
    expect(e.message).toContain('loop.history[1].examples should be an integer >= 0 but is the string "forty"');
  });

  it('an RNG state of the wrong length', async () => {
    const e = await resumeDamaged((s) => (s['loop'].rngAtEpochStart = [1, 2, 3]));
    expect(e.field).toBe('loop.rngAtEpochStart');
    expect(e.message).toContain('loop.rngAtEpochStart should be four 32-bit integers, not all 0 (the shuffling generator\'s state) but is a plain array of 3 entries');
  });

  it('an all-zero RNG state (xoroshiro128+ would draw only zeros)', async () => {
    const e = await resumeDamaged((s) => (s['loop'].rngAtEpochStart = [0, 0, 0, 0]));
    expect(e.field).toBe('loop.rngAtEpochStart');
  });

  it('an unknown field in the loop state', async () => {
    const e = await resumeDamaged((s) => (s['loop'].epochs = 3));
    expect(e.field).toBe('loop');
    expect(e.message).toContain("loop has a field 'epochs' that this run does not know");
  });

  it('an optimizer buffer of the wrong length', async () => {
    const e = await resumeDamaged((s) => (s['optimizer'].state.expAvg = new Float64Array(3)));
    expect(e.field).toBe('optimizer.state.expAvg');
    expect(e.message).toContain('optimizer.state.expAvg should be a Float64Array of 4 numbers (one per parameter) or null but is a Float64Array of 3 numbers');
  });

  it('an optimizer buffer holding NaN', async () => {
    const e = await resumeDamaged((s) => ((s['optimizer'].state.expAvgSq as Float64Array)[1] = NaN));
    expect(e.field).toBe('optimizer.state.expAvgSq[1]');
    expect(e.message).toContain('optimizer.state.expAvgSq[1] should be a finite number but is NaN');
  });

  it('an optimizer buffer missing', async () => {
    const e = await resumeDamaged((s) => delete s['optimizer'].state.expAvg);
    expect(e.field).toBe('optimizer.state.expAvg');
    expect(e.message).toContain('but is missing');
  });

  it('a fractional optimizer step counter', async () => {
    const e = await resumeDamaged((s) => (s['optimizer'].state.step = 2.5));
    expect(e.field).toBe('optimizer.state.step');
    expect(e.message).toContain('optimizer.state.step should be an integer >= 0 but is 2.5');
  });

  it('a non-finite hyperparameter', async () => {
    const e = await resumeDamaged((s) => (s['optimizer'].hyper.beta2 = Infinity));
    expect(e.field).toBe('optimizer.hyper.beta2');
    expect(e.message).toContain('optimizer.hyper.beta2 should be a finite number but is Infinity');
  });

  it('a hyperparameter of the wrong kind', async () => {
    const e = await resumeDamaged((s) => (s['optimizer'].hyper.amsgrad = 1));
    expect(e.field).toBe('optimizer.hyper.amsgrad');
    expect(e.message).toContain('optimizer.hyper.amsgrad should be true or false but is 1');
  });

  it('a negative learning rate', async () => {
    const e = await resumeDamaged((s) => (s['optimizer'].lr = -0.1));
    expect(e.field).toBe('optimizer.lr');
  });

  it('another optimizer type says which to build', async () => {
    const e = await resumeDamaged((s) => (s['optimizer'].type = 'SGD'));
    expect(e.field).toBe('optimizer.type');
    expect(e.message).toContain('it was written with SGD but this run uses Adam; build a SGD to resume it');
  });

  it('a damaged scheduler value', async () => {
    const e = await resumeDamaged((s) => (s['schedule'].values.lastEpoch = 'two'));
    expect(e.field).toBe('schedule.values.lastEpoch');
    expect(e.message).toContain('schedule.values.lastEpoch should be an integer >= -1 but is the string "two"');
  });

  it('scheduler state of another scheduler type', async () => {
    const e = await resumeDamaged((s) => (s['schedule'].type = 'ExponentialLR'));
    expect(e.field).toBe('schedule.type');
    expect(e.message).toContain("schedule.type should be 'StepLR' but is the string \"ExponentialLR\"");
  });

  it('scheduler state when the run has no schedule', async () => {
    const e = await resumeDamaged(() => {}, { schedule: undefined });
    expect(e.field).toBe('schedule');
    expect(e.message).toContain('schedule should be null (this run has no schedule) but is an object with the fields type, values, so it was written by a run with other options');
  });

  it('no scheduler state when the run has a schedule', async () => {
    const e = await resumeDamaged((s) => (s['schedule'] = null));
    expect(e.field).toBe('schedule');
    expect(e.message).toContain('schedule should be a scheduler state dict (an object) but is null, so it was written by a run with other options');
  });

  it('early-stopping parameters of the wrong length', async () => {
    const e = await resumeDamaged((s) => (s['earlyStopping'].bestParams = new Float64Array(2)));
    expect(e.field).toBe('earlyStopping.bestParams');
  });

  it('an early-stopping best epoch that has not happened yet', async () => {
    const e = await resumeDamaged((s) => (s['earlyStopping'].bestEpoch = 7));
    expect(e.field).toBe('earlyStopping.bestEpoch');
    expect(e.message).toContain('earlyStopping.bestEpoch is 7 but only 2 epochs are done');
  });

  it('a negative early-stopping patience count', async () => {
    const e = await resumeDamaged((s) => (s['earlyStopping'].badEpochs = -2));
    expect(e.field).toBe('earlyStopping.badEpochs');
  });

  it('a recurrent carry in a run that has none', async () => {
    const e = await resumeDamaged((s) => (s['carry'] = new Float64Array(3)));
    expect(e.field).toBe('carry');
    expect(e.message).toContain('carry should be null (this run carries no recurrent state) but is a Float64Array of 3 numbers');
  });

  it('a carry holding NaN in a recurrent run', async () => {
    const carry = { windows: 1, saveState: () => new Float64Array(2), loadState: () => {} };
    const e = await resumeDamaged((s) => (s['carry'] = Float64Array.from([0, NaN])), { recurrent: carry });
    expect(e.field).toBe('carry[1]');
  });

  it('not a checkpoint at all', async () => {
    const e = await resumeDamaged((s) => (s['format'] = 'something-else/2'));
    expect(e.field).toBe('format');
    expect(e.message).toContain("it is not a gradc training checkpoint (expected format 'gradc-training-checkpoint/1')");
  });
});

describe('checkpoint schemas fit what every optimizer writes', () => {
  const identityFisher = (_x: Float64Array, v: Float64Array, out: Float64Array) => void out.set(v);
  const optimizers: Record<string, () => Optimizer> = {
    'SGD with momentum': () => new SGD({ lr: 0.05, momentum: 0.9, nesterov: true }),
    'Adam (amsgrad)': () => new Adam({ lr: 0.05, amsgrad: true }),
    AdamW: () => new AdamW({ lr: 0.05 }),
    Adagrad: () => new Adagrad({ lr: 0.1 }),
    Adadelta: () => new Adadelta({ lr: 1 }),
    'RMSprop (centered, momentum)': () => new RMSprop({ lr: 0.01, centered: true, momentum: 0.5 }),
    ASGD: () => new ASGD({ lr: 0.05 }),
    NaturalGradient: () => new NaturalGradient(identityFisher, { lr: 0.1 }),
    'PolyakAveraging (window 3) over SGD': () => new PolyakAveraging(new SGD({ lr: 0.05 }), { kind: 'window', window: 3 }),
    'PolyakAveraging (ema) over Adam': () => new PolyakAveraging(new Adam({ lr: 0.05 }), { kind: 'ema', decay: 0.9 }),
  };
  for (const [name, make] of Object.entries(optimizers)) {
    it(`${name}: a checkpoint written mid-run resumes, and the resumed run matches the uninterrupted one`, async () => {
      const run = (path: string, epochs: number, params: Float64Array) =>
        train(options(path, { optimizer: make(), schedule: undefined, params, epochs, checkpoint: { path, everySteps: 3 } }));
      const whole = new Float64Array(4);
      await run(join(dir, `${name}-whole.ckpt`), 3, whole);
      const path = join(dir, `${name}-split.ckpt`);
      const split = new Float64Array(4);
      await run(path, 2, split);
      const resumed = await run(path, 3, split);
      expect(resumed.resumedFrom).toEqual({ epoch: 2, step: 10 });
      expect(Array.from(split)).toEqual(Array.from(whole));
      expect((loadCheckpoint(path) as TrainingState).loop.step).toBe(15);
    });
  }
});
