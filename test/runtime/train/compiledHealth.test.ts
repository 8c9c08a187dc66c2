// The trainer reading a --health build (health: { compiled: fHealth }): the epoch's
// record holds each activation's mean and largest share and each loop's ‖∂L/∂h_t‖ by
// step, exactly as the kernel reported them; warnings fire on constructed saturated,
// dead, vanishing-through-time and exploding-through-time cases, and not on healthy
// runs (the Iris tanh MLP and the digits demo); the record goes into metrics.jsonl, the
// compact line onto the progress display; the options are checked.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../../compiler/index.ts';
import { FEATURES } from '../../../examples/iris/models.ts';
import { trainMlp } from '../../../examples/mlp/train.ts';
import {
  Adam,
  SGD,
  batchLoss,
  fitStandardizer,
  loadIris,
  loadMnist,
  standardize,
  train,
  trainValidationSplit,
  type CompiledHealth,
  type HealthRecord,
  type TrainOptions,
} from '../../../runtime/index.ts';

const fixture = (name: string) => relative(process.cwd(), fileURLToPath(new URL(`../../compiler/fixtures/${name}`, import.meta.url)));
type Fn = (...args: unknown[]) => unknown;
const mod = loadModelFile(fixture('health.model.ts'), { health: true }) as Readonly<Record<string, Fn>>;
const netHealth = mod['netHealth'] as () => CompiledHealth | null;
const rnnHealth = mod['rnnHealth'] as () => CompiledHealth | null;
interface Flat {
  readonly objective: (x: Float64Array, g: Float64Array) => number;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** One epoch of 4 steps on the fixture net's flat objective over `batches` in turn, from `params`. */
function netRun(params: Float64Array, batches: readonly Float64Array[], extra: Partial<TrainOptions> = {}): { options: TrainOptions; notes: string[]; seen: CompiledHealth[] } {
  const flats = batches.map((x) => mod['netFlat']!(x) as Flat);
  const notes: string[] = [];
  const seen: CompiledHealth[] = [];
  const options: TrainOptions = {
    params,
    // Unit u (one a step: batch size 1, no shuffling) is the u-th batch of inputs.
    loss: (p, u, g) => flats[u.indices[0]! % flats.length]!.objective(p, g),
    examples: 4,
    batchSize: 1,
    epochs: 1,
    shuffle: false,
    optimizer: new SGD({ lr: 1e-6 }),
    health: { compiled: () => netHealth() },
    callbacks: { onStep: () => void seen.push(netHealth()!) },
    progress: { write: (t: string) => void notes.push(t) },
    ...extra,
  };
  return { options, notes, seen };
}

const netParams = (w1: number, w2: number, b3: number) =>
  Float64Array.from({ length: 68 }, (_, i) => (i < 12 ? w1 * (1 + (i % 3)) : i < 32 ? w2 * (1 + (i % 2)) : i < 62 ? 0.3 * ((i % 5) - 2) : b3));
const X = Float64Array.from({ length: 12 }, (_, i) => 0.5 + 0.1 * i);

describe('the trainer on a --health build', () => {
  it('records each activation as the kernel reported it, and warns of saturation and dying ReLUs with the remedies', async () => {
    const { options, notes, seen } = netRun(netParams(40, 30, -10), [X]);
    const [h] = (await train(options)).history.map((r) => r.health!);
    const c = h!.compiled!;
    expect(c.saturation).toBe(0.01);
    expect(c.activations.map((a) => [a.op, a.measure, a.mean, a.max])).toEqual([
      ['tanh', 'saturated', 1, 1],
      ['sigmoid', 'saturated', 1, 1],
      ['relu', 'dead', 1, 1],
    ]);
    expect(seen).toHaveLength(4);
    expect(c.activations.map((a) => a.site)).toEqual(seen[0]!.activations.map((a) => a.site));
    expect(h!.warnings.map((w) => `${w.kind} ${w.block}`)).toEqual([
      `saturated ${c.activations[0]!.site}`,
      `saturated ${c.activations[1]!.site}`,
      `dead-relu ${c.activations[2]!.site}`,
    ]);
    const text = notes.join('');
    expect(text).toMatch(/saturation: 100 % of the tanh at .*health\.model\.ts:12:10 have a derivative below 0\.01 .*use a smaller initialisation \(Glorot\)/);
    expect(text).toMatch(/dying ReLUs: 100 % of the units of the relu at .*health\.model\.ts:20:10 .*lower the learning rate, use leaky ReLU/);
    expect(text).toMatch(/sat 100 %  dead 100 %/);
  });

  it('averages over the epoch exactly, says nothing below the thresholds, and takes configured ones', async () => {
    // The same weights on inputs scaled 0.5, 1, 1.5 and 2: none, none, half and three quarters of the tanh elements saturate.
    const batches = [0.5, 1, 1.5, 2].map((k) => X.map((v) => v * k));
    const run = (health: TrainOptions['health']) => netRun(netParams(0.3, 0.1, 1), batches, { health });
    const { options, seen } = run({ compiled: netHealth });
    const [h] = (await train(options)).history.map((r) => r.health!);
    expect(seen.map((x) => x.activations[0]!.fraction)).toEqual([0, 0, 0.5, 0.75]);
    const mean = (i: number) => seen.reduce((s, x) => s + x.activations[i]!.fraction, 0) / seen.length;
    h!.compiled!.activations.forEach((a, i) => expect(a.mean).toBeCloseTo(mean(i), 14));
    expect(h!.compiled!.activations[0]).toMatchObject({ mean: 0.3125, max: 0.75 });
    expect(h!.warnings).toEqual([]);
    const warned = (await train(run({ compiled: netHealth, maxSaturated: 0.3 }).options)).history[0]!.health!.warnings;
    expect(warned.map((w) => w.kind)).toEqual(['saturated']);
    expect(warned[0]!.message).toMatch(/^saturation: 31 % of the tanh/);
  });

  it('‖∂L/∂h_t‖ through time: the mean by step, and vanishing and exploding warnings on constructed RNNs', async () => {
    const time = 20;
    const batch = 2;
    const run = async (Wh: number[], x: number, h0: number) => {
      const X = new Float64Array(time * batch).fill(x);
      const h = new Float64Array(batch * 2).fill(h0);
      const seen: Float64Array[] = [];
      const result = await train({
        params: Float64Array.from([...Wh, 0.5, -0.5]),
        loss: (p, _u, g) => mod['rnnValueAndGradient']!(p.subarray(0, 4), p.subarray(4, 6), X, h, g) as number,
        examples: 2,
        batchSize: 1,
        epochs: 1,
        optimizer: new SGD({ lr: 0 }),
        health: { compiled: rnnHealth },
        callbacks: { onStep: () => void seen.push(Float64Array.from(rnnHealth()!.loops[0]!.gradNorm)) },
        progress: false,
      });
      return { h: result.history[0]!.health!, seen };
    };
    // Small recurrent weights: each step multiplies the carried gradient by about 0.1.
    const small = await run([0.1, 0, 0, 0.1], 1, 0);
    const loop = small.h.compiled!.loops[0]!;
    expect(loop.carry).toBe('h');
    expect(loop.gradNorm).toHaveLength(time);
    loop.gradNorm.forEach((n, t) => expect(n).toBeCloseTo((small.seen[0]![t]! + small.seen[1]![t]!) / 2, 14));
    expect(small.h.warnings.map((w) => w.kind)).toEqual(['vanishing']);
    expect(small.h.warnings[0]!.message).toMatch(/vanishing gradients through time: in the loop at .*health\.model\.ts:29:3 \(carry 'h', 20 steps\).*shorter truncation/);
    // Recurrent weights 3·I on a state near 0 (tanh nearly linear): the carried gradient grows 3× a step.
    const large = await run([3, 0, 0, 3], 0, 1e-12);
    expect(large.h.warnings.map((w) => w.kind)).toEqual(['exploding']);
    expect(large.h.warnings[0]!.message).toMatch(/exploding gradients through time: .*clip gradients by norm/);
  });

  it('goes into metrics.jsonl, and checks its options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-compiled-health-'));
    dirs.push(dir);
    const metricsPath = join(dir, 'metrics.jsonl');
    await train(netRun(netParams(40, 30, -10), [X], { metricsPath }).options);
    const [line] = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { health: HealthRecord });
    expect(line!.health.compiled!.activations.map((a) => a.mean)).toEqual([1, 1, 1]);
    await expect(train(netRun(netParams(1, 1, 1), [X], { health: { compiled: netHealth, maxDead: 2 } }).options)).rejects.toThrow('Invalid health.maxDead 2; it must be a share in (0, 1].');
    await expect(train(netRun(netParams(1, 1, 1), [X], { health: { compiled: 'fHealth' as unknown as () => null } }).options)).rejects.toThrow(/health\.compiled.*gradc compile --health/);
  });
});

describe('healthy runs say nothing', () => {
  it('the Iris tanh MLP compiled --health, with Adam', async () => {
    const iris = standardize(loadIris(), fitStandardizer(loadIris()));
    const m = loadModelFile('examples/iris/mlp.model.ts', { health: true }) as Readonly<Record<string, Fn>>;
    const layout = m['lossLayout'] as unknown as { size: number; params: { name: string; shape: number[]; offset: number; size: number }[] };
    const params = new Float64Array(layout.size);
    layout.params.forEach((p, k) => {
      for (let i = p.offset; i < p.offset + p.size; i++) params[i] = p.shape.length === 2 ? 0.4 * Math.sin(7 * i + k) : 0;
    });
    const unpack = m['unpackLoss'] as (x: Float64Array) => Record<string, Float64Array>;
    const result = await train({
      params,
      examples: iris.count,
      loss: batchLoss(iris, (p, x, y, n, g) => {
        const v = unpack(p);
        return m['lossValueAndGradient']!(v['W1'], v['b1'], v['W2'], v['b2'], x.subarray(0, n * FEATURES), y.subarray(0, n), g) as number;
      }),
      optimizer: new Adam({ lr: 0.02 }),
      epochs: 30,
      batchSize: 16,
      seed: 3,
      layout,
      health: { compiled: m['lossHealth'] as () => CompiledHealth | null },
      progress: false,
    });
    expect(result.history.flatMap((r) => r.health!.warnings)).toEqual([]);
    const last = result.history.at(-1)!.health!.compiled!;
    expect(last.activations.map((a) => [a.op, a.site])).toEqual([['tanh', 'examples/iris/mlp.model.ts:15:18']]);
    expect(last.activations[0]!.mean).toBeLessThan(0.5);
  });

  it('the digits demo with --health: the dead-ReLU share on the progress line, no warning', async () => {
    const { train: all, validation } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
    const take = (n: number) => ({ ...all, x: all.x.subarray(0, n * all.features), y: all.y.subarray(0, n), count: n });
    const notes: string[] = [];
    const run = await trainMlp(take(1024), validation, 1, { health: true, progress: { write: (t: string) => void notes.push(t) } });
    const h = run.result.history[0]!.health!;
    expect(h.warnings).toEqual([]);
    expect(h.compiled!.activations.map((a) => [a.op, a.measure])).toEqual([['relu', 'dead']]);
    expect(notes.join('')).toMatch(/\|g\| \d\.\de[-+]\d+ \(max \d\.\de[-+]\d+\)  upd\/w \d\.\de[-+]\d+  dead \d+ %/);
  });
});
