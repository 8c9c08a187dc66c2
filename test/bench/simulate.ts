// `npm run bench -- simulate`: the distributed simulator (runtime/distributed/simulator)
// calibrated on measured single-worker steps of the digits MLP here, checked against
// measured runs with 1–4 worker threads (sync at batch 256, with an injected straggler
// and b = 0 / 1, and async at batch 32), then used to predict the speedup of sync, sync
// with backup workers and async SGD on 8–256 machines. Writes docs/simulated-scaling.{svg,png}.
import os from 'node:os';
import { loadMnist, trainValidationSplit, writeLineCharts } from '../../runtime/index.ts';
import { calibrateCompute, simulateAsync, simulateSync, FREE_TRANSPORT, type ClusterModel, type ComputeModel, type TransportModel } from '../../runtime/distributed/simulator/index.ts';
import { mlpKernels } from '../../examples/mlp/mlp.ts';
import { parallelCapacity } from './distributed.ts';
import { loadLine } from './report.ts';
import { measureAsync, measureServer, measureSync, type MeasuredRun, type SyncRunSpec } from './simulateMeasure.ts';

const SYNC_EPOCHS = Number(process.env.BENCH_SIMULATE_SYNC_EPOCHS ?? 2);
const ASYNC_EPOCHS = Number(process.env.BENCH_SIMULATE_ASYNC_EPOCHS ?? 1);
const HERE_WORKERS = [1, 2, 3, 4] as const;
const SCALE_WORKERS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
/** Examples each machine computes a step in the projection (weak scaling: the global batch grows with the workers). */
const PER_WORKER_BATCH = 128;
const STRAGGLER_MS = 40;
const PLOT = 'docs/simulated-scaling';

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

/** Lognormal σ with the coefficient of variation of `ms` (mean and spread of a lognormal of mean 1). */
function lognormalSigma(ms: readonly number[]): number {
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  const variance = ms.reduce((a, b) => a + (b - mean) ** 2, 0) / (ms.length - 1);
  return Math.sqrt(Math.log(1 + variance / (mean * mean)));
}

/** Machines of one data centre: 10 Gb/s links, 50 µs latency; with `oneServerLink` every pull and push shares the server's link. */
function clusterTransport(parameterBytes: number, oneServerLink: boolean): TransportModel {
  const bytesPerMs = 10e9 / 8 / 1000;
  return { latencyMs: 0.05, bytesPerMs, parameterBytes, gradientBytes: parameterBytes, ...(oneServerLink ? { serverBytesPerMs: bytesPerMs } : {}) };
}

const backupFor = (machines: number): number => Math.max(1, Math.round(machines / 20));

interface Scaling {
  readonly sync: number[];
  readonly backup: (number | null)[];
  readonly async: number[];
  readonly syncStepMs: number[];
  readonly staleness: { mean: number; max: number }[];
}

function project(base: ClusterModel): Scaling {
  const out: Scaling = { sync: [], backup: [], async: [], syncStepMs: [], staleness: [] };
  let one = NaN;
  for (const w of SCALE_WORKERS) {
    const sync = simulateSync(base, { workers: w, batch: PER_WORKER_BATCH * w, steps: 200, warmupSteps: 10 });
    if (w === 1) one = sync.examplesPerSecond;
    out.sync.push(sync.examplesPerSecond / one);
    out.syncStepMs.push(sync.stepMs.mean);
    const b = backupFor(w);
    out.backup.push(w < 2 ? null : simulateSync(base, { workers: w - b, backup: b, batch: PER_WORKER_BATCH * w, steps: 200, warmupSteps: 10 }).examplesPerSecond / one);
    const updates = Math.max(2000, 40 * w);
    const async = simulateAsync(base, { workers: w, batch: PER_WORKER_BATCH, updates, warmupUpdates: 4 * w });
    out.async.push(async.examplesPerSecond / one);
    out.staleness.push({ mean: async.staleness.mean, max: async.staleness.max });
  }
  return out;
}

const f = (x: number, d = 2): string => x.toFixed(d);
const pct = (predicted: number, measured: number): string => `${predicted >= measured ? '+' : ''}${f((100 * (predicted - measured)) / measured, 0)} %`;

export async function simulateBench(): Promise<void> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const cpus = os.cpus().length;
  const { train: trainSet } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
  const parameters = mlpKernels().init(7).length;
  const server = measureServer(parameters);
  // Other processes hold some of the cores: the workers get about as many as 2 threads of pure arithmetic do just now.
  const capacity = await parallelCapacity();
  const cores = Math.max(1, Math.min(cpus, Math.round(capacity)));

  const syncSpecs: readonly (SyncRunSpec & { readonly label: string })[] = [
    ...HERE_WORKERS.map((n) => ({ label: `sync N = ${n}`, workers: n })),
    { label: `sync N = 2, b = 0, +${STRAGGLER_MS} ms straggler`, workers: 2, stragglerMs: STRAGGLER_MS },
    { label: `sync N = 2, b = 1, +${STRAGGLER_MS} ms straggler`, workers: 2, backup: 1, stragglerMs: STRAGGLER_MS },
  ];
  const measuredSync: MeasuredRun[] = [];
  for (const spec of syncSpecs) {
    log(`simulate: measuring ${spec.label} …`);
    measuredSync.push(await measureSync(trainSet, spec, SYNC_EPOCHS));
  }
  const measuredAsync: MeasuredRun[] = [];
  for (const n of HERE_WORKERS) {
    log(`simulate: measuring async N = ${n} …`);
    measuredAsync.push(await measureAsync(trainSet, n, ASYNC_EPOCHS));
  }

  // Calibration: the 1-worker runs alone. What is not the server's update is the worker's step
  // (compute, messages, waking threads), fitted as fixed + per-example cost across batches 32 and 256.
  const syncOne = measuredSync[0]!;
  const asyncOne = measuredAsync[0]!;
  const noise = { kind: 'lognormal', sigma: lognormalSigma(syncOne.stepMs) } as const;
  const points = [{ batch: 32, ms: asyncOne.meanStepMs - server.sgdMs }, { batch: 256, ms: syncOne.meanStepMs - server.reduceMs - server.adamMs }];
  let compute: ComputeModel;
  try {
    compute = calibrateCompute(points, noise);
  } catch (e) {
    log(`simulate: ${(e as Error).message} Calibrating on the batch-256 step alone.`);
    compute = calibrateCompute([points[1]!], noise);
  }
  const here = (applyMs: number): ClusterModel => ({ compute, transport: FREE_TRANSPORT, server: { reduceMs: server.reduceMs, applyMs }, cores, seed: 17 });

  const rows: string[] = [];
  const plotHere = { syncMeasured: [] as [number, number][], syncPredicted: [] as [number, number][], asyncMeasured: [] as [number, number][], asyncPredicted: [] as [number, number][] };
  for (const [i, spec] of syncSpecs.entries()) {
    const m = measuredSync[i]!;
    const straggler = spec.stragglerMs === undefined ? {} : { straggler: { worker: 1, extraMs: spec.stragglerMs } };
    const p = simulateSync({ ...here(server.adamMs), ...straggler }, { workers: spec.workers, backup: spec.backup ?? 0, batch: 256, steps: 300, warmupSteps: 4 });
    rows.push(`| ${spec.label} | ${f(m.meanStepMs)} | ${f(p.stepMs.mean)} | ${pct(p.stepMs.mean, m.meanStepMs)} | | |`);
    if (spec.stragglerMs === undefined) {
      plotHere.syncMeasured.push([spec.workers, syncOne.meanStepMs / m.meanStepMs]);
      plotHere.syncPredicted.push([spec.workers, p.updatesPerSecond * (syncOne.meanStepMs / 1000)]);
    }
  }
  let asyncOnePredicted = NaN;
  for (const [i, n] of HERE_WORKERS.entries()) {
    const m = measuredAsync[i]!;
    const p = simulateAsync(here(server.sgdMs), { workers: n, batch: 32, updates: 3000, warmupUpdates: 4 * n });
    if (n === 1) asyncOnePredicted = p.updatesPerSecond;
    const ms = 1000 / p.updatesPerSecond;
    rows.push(`| async N = ${n} (ms/update) | ${f(m.meanStepMs)} | ${f(ms)} | ${pct(ms, m.meanStepMs)} | ${f(m.staleness!.mean)} / ${m.staleness!.max} | ${f(p.staleness.mean)} / ${p.staleness.max} |`);
    plotHere.asyncMeasured.push([n, asyncOne.meanStepMs / m.meanStepMs]);
    plotHere.asyncPredicted.push([n, p.updatesPerSecond / asyncOnePredicted]);
  }

  const projection = { cluster: { ...here(server.adamMs), cores: undefined }, parameterBytes: 8 * parameters };
  const scaled = [true, false].map((oneLink) => project({ ...projection.cluster, transport: clusterTransport(projection.parameterBytes, oneLink) }));
  const scaleTable = (s: Scaling): string[] => [
    '| machines | sync speedup | sync ms/step | sync + b backups speedup (b) | async speedup | async staleness mean / max |',
    '| --- | --- | --- | --- | --- | --- |',
    ...SCALE_WORKERS.map((w, i) => `| ${w} | ${f(s.sync[i]!)}× | ${f(s.syncStepMs[i]!)} | ${s.backup[i] === null ? '—' : `${f(s.backup[i]!)}× (${backupFor(w)})`} | ${f(s.async[i]!)}× | ${f(s.staleness[i]!.mean, 1)} / ${s.staleness[i]!.max} |`),
  ];

  const series = (name: string, ys: readonly (number | null)[]) => ({ name, points: SCALE_WORKERS.flatMap((w, i) => (ys[i] === null ? [] : [[w, ys[i]!] as [number, number]])) });
  const files = await writeLineCharts([
    { title: `this machine (${cores} free core${cores === 1 ? '' : 's'}): measured vs predicted`, xLabel: 'worker threads', yLabel: 'throughput vs 1 worker', series: [
      { name: 'sync, measured', points: plotHere.syncMeasured }, { name: 'sync, predicted', points: plotHere.syncPredicted },
      { name: 'async, measured', points: plotHere.asyncMeasured }, { name: 'async, predicted', points: plotHere.asyncPredicted },
    ] },
    ...scaled.map((s, k) => ({
      title: k === 0 ? 'predicted: one server, 10 Gb/s link' : 'predicted: server link not a bottleneck',
      xLabel: 'machines', yLabel: 'speedup (examples/s vs 1 machine)',
      series: [series('ideal', SCALE_WORKERS.map((w) => w)), series('sync', s.sync), series('sync, 5 % backups', s.backup), series('async', s.async)],
    })),
  ], PLOT, 'Distributed SGD on the digits MLP: the simulator against measured runs, and its predictions');

  console.log([
    '',
    'gradc bench — simulate: the discrete-event simulator of distributed SGD (runtime/distributed/simulator), calibrated',
    `on the digits MLP (${parameters} parameters) measured here with worker threads, then predicting 8–256 machines.`,
    `machine: ${cpus} cores shared with other processes; ${loadLine(loadAtStart)}`,
    `parallel capacity: 2 threads of pure arithmetic ran at ${f(capacity)}× one thread's rate (2.00× on two idle cores), so the workers are given ${cores} core${cores === 1 ? '' : 's'}.`,
    `server work measured alone: summing a gradient ${f(server.reduceMs, 3)} ms, Adam update ${f(server.adamMs, 3)} ms, SGD update ${f(server.sgdMs, 3)} ms.`,
    `calibration (1-worker runs only): step ${f(syncOne.meanStepMs)} ms at batch 256 (sync), ${f(asyncOne.meanStepMs)} ms at batch 32 (async) →`,
    `  compute = (${f(compute.fixedMs, 3)} ms + ${f(compute.msPerExample, 4)} ms/example) × lognormal(σ = ${f(noise.sigma, 3)}, from the 1-worker steps' spread); ${cores} core${cores === 1 ? '' : 's'} shared by the workers.`,
    '',
    `measured (sync: ${SYNC_EPOCHS} epochs at batch 256, Adam; async: ${ASYNC_EPOCHS} epoch at batch 32, SGD; steps after the first 4) against predicted:`,
    '',
    '| run | measured ms/step | predicted ms/step | error | measured staleness mean / max | predicted |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `projection: one machine per worker, ${PER_WORKER_BATCH} examples each a step (sync's batch is ${PER_WORKER_BATCH} × N), the calibrated compute model,`,
    `10 Gb/s links with 50 µs latency, ${projection.parameterBytes} bytes of parameters and of gradient; Adam on the server; backups b = max(1, round(machines / 20)),`,
    'so N = machines − b gradients a step. Speedup: examples applied per second against 1 machine on the same network.',
    '',
    'one parameter server whose 10 Gb/s link every pull and push shares:',
    '',
    ...scaleTable(scaled[0]!),
    '',
    'the server\'s link not a bottleneck (sharded parameters, or a link per worker):',
    '',
    ...scaleTable(scaled[1]!),
    '',
    `plot: ${files.pngPath} (and .svg)`,
    `total simulate bench time ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ].join('\n'));
}
