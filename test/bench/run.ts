// `npm run bench`: times one MLP training step of every peer side by side in
// this process, as ratios to the hand-written baseline. Every peer's loss and
// gradient are first checked against the baseline on the same seeded data; if
// any disagrees, nothing is timed and the run fails.
//
// Progress goes to stderr; the header and the table go to stdout.
// BENCH_TIME_MS sets the time budget per row (default 2000) for quick runs.
// Sections: `npm run bench` runs all; `npm run bench -- mlp` (the one-step peers above),
// `-- startup` (startup.ts: the built bin's start-up against node and ts-morph) or
// `-- distributed` (distributed.ts: synchronous SGD on worker threads), `-- async` (asyncDistributed.ts:
// asynchronous SGD, staleness-aware lr and delay compensation after the same updates) or `-- sizes` (moduleSizes.ts:
// generated module size per --emit selection), `-- models` (generalModels.ts: issue 15's objectives with
// every size named, compiled once, value + gradient at three sizes), `-- redis` (redisTransport.ts: the Redis
// transport's cost per step for 50 k parameters, against a redis-server the bench starts) or `-- health`
// (healthOverhead.ts: the cost of gradc compile --health on the digits MLP's value and gradient) or `-- simulate`
// (simulate.ts: the distributed simulator calibrated on measured threads, predicting 8–256 machines) one or some.

import { createRequire } from 'node:module';
import os from 'node:os';
import { Bench } from 'tinybench';
import { makeBaselineStep } from './baseline.ts';
import { asyncDistributedBench } from './asyncDistributed.ts';
import { distributedBench } from './distributed.ts';
import { simulateBench } from './simulate.ts';
import { healthOverheadBench } from './healthOverhead.ts';
import { moduleSizesBench } from './moduleSizes.ts';
import { generalModelsBench } from './generalModels.ts';
import { redisBench } from './redisTransport.ts';
import { makeGradcStep } from './gradcPeer.ts';
import { PARAM_BLOCKS, blockRanges, makeProblem, stepFlops } from './mlp.ts';
import type { MlpConfig, Problem } from './mlp.ts';
import { header, loadLine, table } from './report.ts';
import type { Row } from './report.ts';
import { runStartup, startupReport } from './startup.ts';
import { makeTfStep, tfVersion, useTfBackend, wasmFeatures } from './tfjsPeer.ts';
import type { TfBackend } from './tfjsPeer.ts';

const CONFIGS: readonly MlpConfig[] = [
  { name: '784-128-10 b32', inputs: 784, hidden: 128, classes: 10, batch: 32 },
  { name: '784-128-10 b128', inputs: 784, hidden: 128, classes: 10, batch: 128 },
  { name: '784-64-10 b32', inputs: 784, hidden: 64, classes: 10, batch: 32 },
];
const SEED = 20250101;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);
const WARMUP_MS = Math.min(500, TIME_MS / 4);
// Relative agreement with the float64 baseline, per parameter block and loss.
const TOLERANCE = { f64: 1e-10, f32: 1e-4 } as const;
const BASELINE = 'baseline';

interface Contender {
  readonly peer: string;
  readonly dtype: keyof typeof TOLERANCE;
  readonly activate: () => Promise<void>;
  /** The timed closure: one step on the case's data, buffers made once. */
  readonly step: () => number;
  readonly check: (gradOut: Float64Array) => number;
  readonly dispose?: () => void;
}
interface Absent { readonly peer: string; readonly note: string }
type Entry = Contender | Absent;
interface Case { readonly config: MlpConfig; readonly entries: readonly Entry[] }

const noop = async (): Promise<void> => {};
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

function baselineContender(c: MlpConfig, p: Problem): Contender {
  const step = makeBaselineStep(c);
  const grad = new Float64Array(p.params.length);
  return {
    peer: BASELINE, dtype: 'f64', activate: noop,
    step: () => step(p.params, p.X, p.labels, grad),
    check: (g) => step(p.params, p.X, p.labels, g),
  };
}

async function gradcEntry(c: MlpConfig, p: Problem): Promise<Entry> {
  const step = await makeGradcStep(c);
  if (step === null) return { peer: 'gradc', note: 'gradc: pending (tensor kernels not landed yet)' };
  const grad = new Float64Array(p.params.length);
  return {
    peer: 'gradc', dtype: 'f64', activate: noop,
    step: () => step(p.params, p.X, p.labels, grad),
    check: (g) => step(p.params, p.X, p.labels, g),
  };
}

async function tfEntry(b: TfBackend, unavailable: string | null, c: MlpConfig, p: Problem) {
  const peer = `tfjs-${b}`;
  if (unavailable !== null) return { peer, note: `${peer}: unavailable here (${unavailable})` };
  await useTfBackend(b);
  const tf = makeTfStep(c, p);
  const activate = () => useTfBackend(b);
  return { peer, dtype: 'f32', activate, step: tf.run, check: tf.check, dispose: tf.dispose } as const;
}

/** null when the backend starts, else why it does not. */
async function probe(b: TfBackend): Promise<string | null> {
  try {
    await useTfBackend(b);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The worst relative disagreement with the baseline over the loss and each block. */
function disagreement(c: MlpConfig, ref: number, refGrad: Float64Array, loss: number, grad: Float64Array) {
  let worst = { what: 'loss', rel: Math.abs(loss - ref) / Math.abs(ref) };
  const ranges = blockRanges(c);
  for (const block of PARAM_BLOCKS) {
    const [from, to] = ranges[block];
    let err = 0, scale = 0;
    for (let i = from; i < to; i++) {
      err = Math.max(err, Math.abs(grad[i] - refGrad[i]));
      scale = Math.max(scale, Math.abs(refGrad[i]));
    }
    // Normwise (max-abs) so tiny entries rounded in float32 do not dominate.
    const rel = err / scale;
    if (!(rel <= worst.rel)) worst = { what: `∂loss/∂${block}`, rel };
  }
  return worst;
}

async function verify(cases: readonly Case[]): Promise<string[]> {
  const failures: string[] = [];
  for (const { config: c, entries } of cases) {
    const base = entries.find((e): e is Contender => e.peer === BASELINE)!;
    const refGrad = new Float64Array(blockRanges(c).b2[1]);
    const ref = base.check(refGrad);
    for (const e of entries) {
      if ('note' in e || e === base) continue;
      await e.activate();
      const grad = new Float64Array(refGrad.length);
      const { what, rel } = disagreement(c, ref, refGrad, e.check(grad), grad);
      const tol = TOLERANCE[e.dtype];
      log(`  ${c.name} ${e.peer}: worst relative difference ${rel.toExponential(2)} (${what})`);
      if (!(rel <= tol)) {
        failures.push(`${c.name} / ${e.peer}: ${what} differs from the baseline by ` +
          `${rel.toExponential(2)} relative; the tolerance for ${e.dtype} is ${tol}.`);
      }
    }
  }
  return failures;
}

async function time(cases: readonly Case[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { config: c, entries } of cases) {
    log(`timing ${c.name} …`);
    const bench = new Bench({ time: TIME_MS, warmupTime: WARMUP_MS, throws: true });
    for (const e of entries) if (!('note' in e)) bench.add(e.peer, e.step, { beforeAll: e.activate });
    await bench.run();
    const means = new Map<string, { meanMs: number; medianMs: number; rme: number; samples: number }>();
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`${c.name} / ${task.name}: ${r.state}`);
      const { mean, p50, rme, samplesCount } = r.latency;
      means.set(task.name, { meanMs: mean, medianMs: p50, rme, samples: samplesCount });
    }
    const baseMs = means.get(BASELINE)!.meanMs;
    for (const e of entries) {
      const m = means.get(e.peer);
      if ('note' in e || m === undefined) {
        rows.push({ config: c.name, peer: e.peer, note: 'note' in e ? e.note : 'not timed' });
        continue;
      }
      rows.push({
        config: c.name, peer: e.peer, dtype: e.dtype, meanMs: m.meanMs, medianMs: m.medianMs,
        rmePercent: m.rme, samples: m.samples, gflops: stepFlops(c) / (m.meanMs * 1e6),
        ratio: m.meanMs / baseMs,
      });
    }
  }
  return rows;
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(name);
  const root = entry.slice(0, entry.lastIndexOf(`node_modules/${name}/`) + `node_modules/${name}/`.length);
  return (require(`${root}package.json`) as { version: string }).version;
}

async function stepBench(): Promise<void> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0];
  const cpuDown = await probe('cpu');
  const wasmDown = await probe('wasm');
  const wasmInfo = wasmDown === null ? await wasmFeatures() : `unavailable: ${wasmDown}`;
  log('building peers and checking them against the baseline …');
  const cases: Case[] = [];
  for (const config of CONFIGS) {
    const p = makeProblem(config, SEED);
    cases.push({ config, entries: [
      baselineContender(config, p),
      await gradcEntry(config, p),
      await tfEntry('cpu', cpuDown, config, p),
      await tfEntry('wasm', wasmDown, config, p),
    ] });
  }
  const failures = await verify(cases);
  if (failures.length > 0) {
    console.error(['Aborting: these peers disagree with the baseline, so nothing was timed.',
      ...failures].join('\n  '));
    process.exitCode = 1;
    return;
  }
  const rows = await time(cases);
  for (const { entries } of cases) for (const e of entries) if (!('note' in e)) e.dispose?.();
  console.log(header([
    loadLine(loadAtStart),
    `peers:   baseline = hand-written TypeScript over Float64Array, register-blocked matmuls;`,
    `         gradc = the compiler's generated kernel (Float64Array);`,
    `         tfjs-cpu / tfjs-wasm = @tensorflow/tfjs ${tfVersion} with tf.variableGrads, pure-JS CPU`,
    `         backend / WebAssembly backend (${wasmInfo}). TF.js computes in float32 only:`,
    `         half the arithmetic width of the float64 peers, a difference in its favour.`,
    `timing:  tinybench ${packageVersion('tinybench')}, per row ${WARMUP_MS} ms warm-up, then`,
    `         ≥ ${TIME_MS} ms and ≥ 64 steps, one thread; ops/s = steps/s = 1000 / mean ms;`,
    `         rme = 95% margin of error of the mean; vs baseline = mean / baseline's mean`,
    `         (lower is faster); the median is less moved by bursts of load from other processes.`,
    `checked: loss and gradients agree with the baseline on the same seeded data before timing`,
    `         (to ${TOLERANCE.f64} relative for float64 peers, ${TOLERANCE.f32} for float32).`,
    '',
  ]));
  console.log(table(rows));
  console.log(`\ntotal bench time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function startupBench(): Promise<void> {
  console.log(startupReport(runStartup(log)));
}

const SECTIONS: Readonly<Record<string, () => Promise<void>>> = { mlp: stepBench, startup: startupBench, distributed: distributedBench, async: asyncDistributedBench, sizes: moduleSizesBench, models: generalModelsBench, redis: redisBench, health: healthOverheadBench, simulate: simulateBench };

async function main(args: readonly string[]): Promise<void> {
  const unknown = args.filter((a) => !(a in SECTIONS));
  if (unknown.length > 0) {
    console.error(`Unknown bench section${unknown.length === 1 ? '' : 's'} ${unknown.map((a) => `'${a}'`).join(', ')}; the sections are ${Object.keys(SECTIONS).join(', ')} (none: all).`);
    process.exitCode = 2;
    return;
  }
  const names = args.length === 0 ? Object.keys(SECTIONS) : args;
  for (const [i, name] of names.entries()) {
    if (i > 0) console.log('');
    await SECTIONS[name]!();
    if (process.exitCode !== undefined && process.exitCode !== 0) return;
  }
}

await main(process.argv.slice(2));
