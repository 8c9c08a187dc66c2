// The general-models section of `npm run bench` (alone: `npm run bench -- models`): the
// objectives of issue 15 written with every size named (a regularized log-sum-exp, a
// polynomial fit on an arange grid, a Gaussian mixture's negative log-posterior, a two-layer LSTM language model).
// Each is compiled once: its module size and compile time cannot depend on the run-time
// sizes, which are arguments of that one module. Then value + gradient is timed at three
// sizes, ten times apart, with the time per element (point, step) beside it: linear cost
// shows as a constant column.

import { Bench } from 'tinybench';
import { performance } from 'node:perf_hooks';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import type { LoadedModule } from '../../compiler/load/loadModule.ts';
import { SeededRng } from '../../runtime/random/seededRng.ts';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000) / 4;
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

interface Flat {
  readonly size: number;
  readonly objective: (x: Float64Array, g: Float64Array) => number;
}

interface Model {
  readonly file: string;
  readonly fn: string;
  /** What the sizes are, for the table. */
  readonly what: string;
  /** The element the time is divided by. */
  readonly per: string;
  readonly sizes: readonly number[];
  /** The flat objective at size n, with its starting point. */
  readonly at: (mod: LoadedModule, n: number, rng: SeededRng) => { readonly f: Flat; readonly x: Float64Array };
}

const normals = (rng: SeededRng, n: number, scale = 1): Float64Array => Float64Array.from({ length: n }, () => scale * rng.normal());
const factory = (mod: LoadedModule, name: string) => mod[`${name}Flat`] as (...args: (number | Float64Array)[]) => Flat;
const GENERAL = 'test/compiler/frontend-ts/fixtures/general.model.ts';

const MODELS: readonly Model[] = [
  {
    file: GENERAL, fn: 'regularizedLogSumExp', what: 'n', per: 'element', sizes: [1_000, 10_000, 100_000],
    at: (mod, n, rng) => ({ f: factory(mod, 'regularizedLogSumExp')(n), x: normals(rng, n) }),
  },
  {
    file: GENERAL, fn: 'polynomialLeastSquares', what: 'n points, degree 7', per: 'point', sizes: [1_000, 10_000, 100_000],
    at: (mod, n, rng) => ({ f: factory(mod, 'polynomialLeastSquares')(normals(rng, n), 8), x: normals(rng, 8) }),
  },
  {
    file: GENERAL, fn: 'gmmNegativeLogPosterior', what: 'n points, 4 components in 3-D, Wishart and Dirichlet priors', per: 'point', sizes: [1_000, 10_000, 100_000],
    at: (mod, n, rng) => {
      const f = factory(mod, 'gmmNegativeLogPosterior')(normals(rng, 3 * n, 2), 1, 2, 2, 4);
      const x = normals(rng, f.size, 0.3);
      for (let c = 0; c < 4; c++) for (const j of [0, 2, 5]) x[16 + 6 * c + j] = 1;
      return { f, x };
    },
  },
  {
    file: 'test/compiler/frontend-ts/fixtures/lstm.model.ts', fn: 'nextCharLoss', what: 'time steps, vocab 20, hidden 16', per: 'step', sizes: [100, 1_000, 10_000],
    at: (mod, n, rng) => {
      const chars = Float64Array.from({ length: n }, () => rng.int(0, 19));
      const next = Float64Array.from({ length: n }, () => rng.int(0, 19));
      const f = factory(mod, 'nextCharLoss')(chars, next, 20, 16);
      return { f, x: normals(rng, f.size, 0.25) };
    },
  },
];

const kb = (source: string): string => `${(Buffer.byteLength(source) / 1024).toFixed(1)} kB`;
const ms = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

/** Median of five in-process compiles after one warm-up (the first pays for loading ts-morph). */
function compileTimes(file: string): { source: string; medianMs: number } {
  let source = '';
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    source = compileModelFile(file).files[0]!.content;
    if (i > 0) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { source, medianMs: times[2]! };
}

export async function generalModelsBench(): Promise<void> {
  const lines = [
    '',
    '## General models: one module for every size',
    '',
    '| model | module | compile | sizes | value + gradient | per element |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const compiled = new Map<string, { source: string; medianMs: number; mod: LoadedModule }>();
  for (const m of MODELS) {
    if (!compiled.has(m.file)) {
      log(`compiling ${m.file} …`);
      const c = compileTimes(m.file);
      compiled.set(m.file, { ...c, mod: loadModule(c.source) });
    }
    const c = compiled.get(m.file)!;
    const rng = SeededRng.fromSeed(20261203);
    const cells: string[] = [];
    for (const n of m.sizes) {
      log(`timing ${m.fn} at ${n} …`);
      const { f, x } = m.at(c.mod, n, rng);
      const g = new Float64Array(f.size);
      if (!Number.isFinite(f.objective(x, g))) throw new Error(`${m.fn} at ${n}: the objective is not finite`);
      // At least 5 calls (a 10 000-step LSTM call takes a good part of a second), not tinybench's default 64.
      const bench = new Bench({ time: TIME_MS, warmupTime: TIME_MS / 4, iterations: 5, warmupIterations: 2, throws: true });
      bench.add(`${m.fn} ${n}`, () => f.objective(x, g));
      await bench.run();
      const r = bench.tasks[0]!.result;
      if (r.state !== 'completed') throw new Error(`${m.fn} at ${n}: ${r.state}`);
      const mean = r.latency.mean;
      cells.push(`${n.toLocaleString('en-US')}|${ms(mean)} ms|${((mean * 1e6) / n).toFixed(0)} ns`);
    }
    const file = m.file.split('/').pop()!;
    cells.forEach((cell, i) => {
      const [n, t, per] = cell.split('|');
      const head = i === 0 ? `\`${m.fn}\` (${m.what}) | ${file}: ${kb(c.source)} | ${ms(c.medianMs)} ms` : ' | | ';
      lines.push(`| ${head} | ${n} | ${t} | ${per} per ${m.per} |`);
    });
  }
  lines.push('', 'The compile column is one in-process `compileModelFile` of the whole file (median of 5 after a warm-up); module sizes are for the whole file.');
  console.log(lines.join('\n'));
}
