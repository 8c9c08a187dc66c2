// Gradient health in the trainer: exact per-block norms and update ratios on a
// constructed loss; warnings on constructed exploding, vanishing and out-of-scale
// cases and none on a healthy run (the Iris MLP); the record in the metrics file and
// in checkpoints, which resume with it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { irisKernels } from '../../../examples/iris/models.ts';
import { lossLayout } from '../../../examples/iris/mlp.grad.ts';
import { Adam, SGD, batchLoss, fitStandardizer, loadIris, standardize, train, type HealthRecord, type ParameterLayout, type TrainOptions, type UnitLoss } from '../../../runtime/index.ts';

// W1 [2, 2] (a layer), b [2], W2 [2, 1] (the last layer): 8 parameters.
const LAYOUT: ParameterLayout = {
  params: [
    { name: 'W1', shape: [2, 2], offset: 0, size: 4 },
    { name: 'b', shape: [2], offset: 4, size: 2 },
    { name: 'W2', shape: [2, 1], offset: 6, size: 2 },
  ],
};

/** A loss whose gradient is `grad(step)` whatever the parameters (the step counts calls). */
function fixedGradient(grad: (step: number) => readonly number[]): UnitLoss {
  let step = 0;
  return (_p, _u, g) => {
    g.set(grad(step++));
    return 1;
  };
}

function run(loss: UnitLoss, extra: Partial<TrainOptions> = {}): { options: TrainOptions; notes: string[] } {
  const notes: string[] = [];
  const options: TrainOptions = {
    params: Float64Array.from([1, 2, 2, 1, 0.5, 0.5, 3, 4]),
    loss,
    examples: 4,
    batchSize: 1,
    epochs: 1,
    shuffle: false,
    optimizer: new SGD({ lr: 0.01 }),
    layout: LAYOUT,
    health: true,
    progress: { write: (t: string) => void notes.push(t) },
    ...extra,
  };
  return { options, notes };
}

const health = async (o: TrainOptions): Promise<HealthRecord[]> => (await train(o)).history.map((r) => r.health!);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('gradient health', () => {
  it('measures each block exactly: gradient norms before clipping, ‖Δθ‖/‖θ‖ after the step', async () => {
    const g = [3, 4, 0, 0, 1, 0, 0, 2]; // |W1| 5, |b| 1, |W2| 2, all 5.477
    const { options } = run(fixedGradient(() => g), { clip: { maxNorm: 1 }, examples: 1 });
    const [h] = await health(options);
    expect(h!.steps).toBe(1);
    expect(h!.gradNorm.mean).toBeCloseTo(Math.sqrt(30), 12);
    expect(h!.gradNorm.max).toBeCloseTo(Math.sqrt(30), 12);
    expect(h!.blocks.map((b) => [b.name, b.gradNorm.mean, b.gradNorm.median, b.gradNorm.max])).toEqual([
      ['W1', 5, 5, 5],
      ['b', 1, 1, 1],
      ['W2', 2, 2, 2],
    ]);
    // One step, clipped to norm 1 (PyTorch's factor maxNorm / (‖g‖ + 1e-6)): Δθ = −0.01 g / (√30 + 1e-6), over each block's norm before the step.
    const ratio = (gradNorm: number, weightNorm: number) => (0.01 * gradNorm) / (Math.sqrt(30) + 1e-6) / weightNorm;
    const expected = [ratio(5, Math.sqrt(10)), ratio(1, Math.sqrt(0.5)), ratio(2, 5)];
    h!.blocks.forEach((b, k) => expect(b.updateRatio).toBeCloseTo(expected[k]!, 14));
    expect(h!.warnings).toEqual([]);
  });

  it('exploding: a gradient growing tenfold per step is named, with clipping and a lower learning rate as remedies', async () => {
    const { options, notes } = run(fixedGradient((t) => Array(8).fill(10 ** t)), { examples: 20, clip: { maxNorm: 1 }, health: { referenceSteps: 2 } });
    const [h] = await health(options);
    expect(h!.reference).toBeCloseTo(Math.sqrt(8) * Math.sqrt(10), 9);
    expect(h!.warnings.map((w) => w.kind)).toContain('exploding');
    const text = notes.join('');
    expect(text).toContain('exploding gradients: the gradient norm reached');
    expect(text).toContain('clip gradients by norm (clip: { maxNorm }) and lower the learning rate');
  });

  it('exploding from the first step (no growth to see) is named by the absolute threshold', async () => {
    const { options, notes } = run(fixedGradient(() => Array(8).fill(1e7)), { clip: { maxNorm: 1 } });
    const [h] = await health(options);
    expect(h!.warnings.map((w) => w.kind)).toEqual(['exploding']);
    expect(notes.join('')).toContain('exploding gradients: the gradient norm reached 2.8e+7 (explodingNorm 1.0e+6)');
  });

  it("vanishing: the first layer's gradient per weight orders below the last's is named, with ReLU and initialisation as remedies", async () => {
    const { options, notes } = run(fixedGradient(() => [1e-7, 1e-7, 1e-7, 1e-7, 1, 1, 1, 1]));
    const [h] = await health(options);
    const w = h!.warnings.find((x) => x.kind === 'vanishing');
    expect(w?.block).toBe('W1');
    expect(notes.join('')).toContain("vanishing gradients: 'W1' gets 1.0e-7 of the gradient per weight that 'W2' gets");
    expect(w!.message).toContain('use ReLU instead of sigmoid/tanh, a better initialisation');
  });

  it('large and tiny updates are named by block', async () => {
    const big = run(fixedGradient(() => Array(8).fill(1)), { optimizer: new SGD({ lr: 5 }) });
    const kinds = (await health(big.options))[0]!.warnings.map((w) => `${w.kind} ${w.block}`);
    // Judged on the weight matrices: biases move by a large share of their small norm in healthy runs too.
    expect(kinds).toEqual(['large-updates W1', 'large-updates W2']);
    const small = run(fixedGradient(() => Array(8).fill(1)), { optimizer: new SGD({ lr: 1e-9 }) });
    expect((await health(small.options))[0]!.warnings.map((w) => `${w.kind} ${w.block}`)).toEqual(['small-updates W1', 'small-updates W2']);
  });

  it("a converged model's tiny updates are not 'small-updates': its gradient fell orders below its first epoch's", async () => {
    // The gradient shrinks tenfold per epoch (convergence); the updates with it.
    let step = 0;
    const loss: UnitLoss = (_p, _u, g) => {
      g.fill(10 ** -Math.floor(step++ / 4));
      return 1;
    };
    const { options } = run(loss, { epochs: 8, optimizer: new SGD({ lr: 1e-3 }) });
    const records = await health(options);
    expect(records.at(-1)!.blocks[0]!.updateRatio).toBeLessThan(1e-7);
    expect(records.flatMap((h) => h.warnings.map((w) => w.kind))).not.toContain('small-updates');
  });

  it('says nothing on a healthy run: the Iris MLP with Adam', async () => {
    const iris = loadIris();
    const data = standardize(iris, fitStandardizer(iris));
    const model = irisKernels('MLP');
    const notes: string[] = [];
    const result = await train({
      params: model.init(3),
      examples: data.count,
      loss: batchLoss(data, model.valueAndGradient),
      optimizer: new Adam({ lr: 0.02 }),
      epochs: 30,
      batchSize: 16,
      seed: 3,
      layout: lossLayout,
      health: true,
      progress: { write: (t: string) => void notes.push(t) },
    });
    expect(result.history.flatMap((r) => r.health!.warnings)).toEqual([]);
    expect(result.history.at(-1)!.health!.blocks.map((b) => b.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    // The progress display carries the compact health line.
    expect(notes.join('')).toMatch(/\|g\| \d\.\de[-+]\d+ \(max \d\.\de[-+]\d+\)  upd\/w \d\.\de[-+]\d+/);
  });

  it('goes into the metrics file and into checkpoints, which resume with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-health-'));
    dirs.push(dir);
    const metricsPath = join(dir, 'metrics.jsonl');
    const path = join(dir, 'ckpt.json');
    const g = () => [1, 1, 1, 1, 1, 1, 1, 1];
    await train(run(fixedGradient(g), { epochs: 2, metricsPath, checkpoint: { path } }).options);
    const lines = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { health?: HealthRecord });
    expect(lines.filter((l) => l.health !== undefined)).toHaveLength(2);
    const resumed = await train(run(fixedGradient(g), { epochs: 3, checkpoint: { path } }).options);
    expect(resumed.resumedFrom).toEqual({ epoch: 2, step: 8 });
    expect(resumed.history.map((r) => r.health!.steps)).toEqual([4, 4, 4]);
  });

  it('checks its options', async () => {
    await expect(train(run(fixedGradient(() => Array(8).fill(1)), { health: { explodingFactor: -1 } }).options)).rejects.toThrow('Invalid health.explodingFactor -1; it must be a positive number.');
  });
});
