// The --health section of `npm run bench` (alone: `npm run bench -- health`): what the
// instrumentation costs on the digits MLP (examples/mlp/mlp.model.ts, 784 → 64 relu →
// 10): one value-and-gradient call of the plain build and of the --health build (which
// also counts the dead ReLUs), side by side in this process on the same seeded batch,
// as the ratio of their median call times. The two builds are first checked to agree exactly on
// the loss and gradient. Rounds alternate which build runs first, so that load from
// other processes falls on both.

import os from 'node:os';
import { Bench } from 'tinybench';
import { loadModelFile } from '../../compiler/api/loadModelFile.ts';
import { SeededRng } from '../../runtime/random/seededRng.ts';

const MODEL = 'examples/mlp/mlp.model.ts';
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);
const ROUNDS = 4;

type ValueAndGradient = (W1: Float64Array, b1: Float64Array, W2: Float64Array, b2: Float64Array, X: Float64Array, labels: Float64Array, gradOut: Float64Array) => number;
interface Build {
  readonly lossValueAndGradient: ValueAndGradient;
  readonly lossLayout: { readonly size: number; readonly params: readonly { readonly offset: number; readonly size: number }[] };
  readonly lossHealth?: () => { readonly activations: readonly { readonly fraction: number }[] } | null;
}

function batchData(batch: number, size: number, seed: number) {
  const rng = SeededRng.fromSeed(seed);
  const params = Float64Array.from({ length: size }, () => (2 * rng.float() - 1) * 0.08);
  const X = Float64Array.from({ length: batch * 784 }, () => rng.float());
  const labels = Float64Array.from({ length: batch }, () => Math.floor(rng.float() * 10));
  return { params, X, labels };
}

export async function healthOverheadBench(): Promise<void> {
  const plain = loadModelFile(MODEL) as unknown as Build;
  const health = loadModelFile(MODEL, { health: true }) as unknown as Build;
  const views = (p: Float64Array) => plain.lossLayout.params.map((e) => p.subarray(e.offset, e.offset + e.size)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const lines = [
    '## --health overhead: the digits MLP\'s value and gradient',
    '',
    `model:   ${MODEL} (784 → 64 relu → 10, softmax cross-entropy), the plain build and the --health one`,
    `         (which also counts each batch's dead ReLUs), compiled in this process; tinybench, per row ≥ ${TIME_MS / ROUNDS} ms,`,
    `         ${ROUNDS} rounds alternating the builds; per build the median call time, averaged over the rounds`,
    `         (the median is less moved by bursts of load from other processes); ratio = --health / plain.`,
    '',
    '| batch | plain ms | --health ms | ratio | dead ReLUs in the batch |',
    '| ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const batch of [32, 64, 128]) {
    const { params, X, labels } = batchData(batch, plain.lossLayout.size, 18 + batch);
    const [W1, b1, W2, b2] = views(params);
    const g1 = new Float64Array(params.length);
    const g2 = new Float64Array(params.length);
    const v1 = plain.lossValueAndGradient(W1, b1, W2, b2, X, labels, g1);
    const v2 = health.lossValueAndGradient(W1, b1, W2, b2, X, labels, g2);
    if (v1 !== v2 || g1.some((g, i) => g !== g2[i])) throw new Error(`health bench: the --health build's loss or gradient differs from the plain build's at batch ${batch}`);
    const dead = health.lossHealth!()!.activations[0]!.fraction;
    const sums = { plain: 0, health: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({ time: TIME_MS / ROUNDS, warmupTime: Math.min(250, TIME_MS / 8), throws: true });
      const tasks = [
        ['plain', () => plain.lossValueAndGradient(W1, b1, W2, b2, X, labels, g1)],
        ['health', () => health.lossValueAndGradient(W1, b1, W2, b2, X, labels, g2)],
      ] as const;
      // Each build goes first in half the rounds.
      for (const [name, fn] of round % 2 === 0 ? tasks : [...tasks].reverse()) bench.add(name, fn);
      await bench.run();
      for (const task of bench.tasks) {
        const r = task.result;
        if (r.state !== 'completed') throw new Error(`health bench, batch ${batch} / ${task.name}: ${r.state}`);
        sums[task.name as 'plain' | 'health'] += r.latency.p50! / ROUNDS;
      }
    }
    process.stderr.write(`  health overhead, batch ${batch}: ${sums.plain.toFixed(3)} ms → ${sums.health.toFixed(3)} ms\n`);
    lines.push(`| ${batch} | ${sums.plain.toFixed(3)} | ${sums.health.toFixed(3)} | ${(sums.health / sums.plain).toFixed(3)}× | ${(100 * dead).toFixed(1)} % |`);
  }
  lines.push('', `load:    1-minute load average ${os.loadavg()[0]!.toFixed(2)} at the end (${os.cpus().length} cores)`);
  console.log(lines.join('\n'));
}
