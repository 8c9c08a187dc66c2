// The start-up section of `npm run bench` (alone: `npm run bench -- startup`): how long
// the built `gradc` bin takes before it does anything, against what it cannot avoid.
//
//   gradc --version                     vs  node -e 0          (target: within 5×)
//   gradc compile of an unchanged model vs  loading ts-morph   (target: within 1.5×)
//
// The bin is the one the package ships (dist/compiler/bin/gradc.js, rebuilt first with
// `npm run build`), run as a child process with no TypeScript loader, as installed. Each
// command runs RUNS times, interleaved with the others so a busy moment of the machine
// falls on all of them; the table shows medians. "Loading ts-morph" is an ES module's
// `await import('ts-morph')`, what gradc's own front end needs at the least; the row
// with require() shows the CommonJS path (no named-export scan), which gradc uses.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'compiler', 'bin', 'gradc.js');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const MODEL = fileURLToPath(new URL('../package/project/line.model.ts', import.meta.url));

interface Command {
  readonly name: string;
  readonly args: readonly string[];
}

export interface StartupRow {
  readonly name: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

function timeOnce(c: Command, cwd: string): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, c.args, { cwd, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${c.name} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return ms;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function runStartup(log: (text: string) => void): StartupRow[] {
  log('start-up: npm run build …');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = mkdtempSync(join(tmpdir(), 'gradc-startup-'));
  try {
    writeFileSync(join(dir, 'line.model.ts'), readFileSync(MODEL, 'utf8'));
    const tsMorph = createRequire(import.meta.url).resolve('ts-morph');
    const commands: Command[] = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: 'gradc --version', args: [BIN, '--version'] },
      { name: "import('ts-morph')", args: ['--input-type=module', '-e', `await import(${JSON.stringify(tsMorph)})`] },
      { name: "require('ts-morph')", args: ['-e', `require(${JSON.stringify(tsMorph)})`] },
      { name: 'gradc compile (unchanged, 8-line model)', args: [BIN, 'compile', 'line.model.ts'] },
      { name: "gradc diff 'x^2' --wrt x", args: [BIN, 'diff', 'x^2', '--wrt', 'x'] },
    ];
    timeOnce(commands[4]!, dir); // writes line.grad.ts: every timed compile is then unchanged
    const samples = commands.map(() => [] as number[]);
    log(`start-up: ${commands.length} commands × ${RUNS} runs, interleaved …`);
    for (let run = 0; run < RUNS; run++) commands.forEach((c, i) => samples[i]!.push(timeOnce(c, dir)));
    return commands.map((c, i) => ({ name: c.name, medianMs: median(samples[i]!), minMs: Math.min(...samples[i]!), maxMs: Math.max(...samples[i]!) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows as a table, with the two targets checked. */
export function startupReport(rows: readonly StartupRow[]): string {
  const ms = (name: string): number => rows.find((r) => r.name === name)!.medianMs;
  const width = Math.max(...rows.map((r) => r.name.length));
  const lines = rows.map((r) =>
    `${r.name.padEnd(width)}  ${r.medianMs.toFixed(0).padStart(6)} ms median  (${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms)`);
  const version = ms('gradc --version') / ms('node -e 0');
  const compile = ms('gradc compile (unchanged, 8-line model)') / ms("import('ts-morph')");
  const verdict = (ratio: number, target: number) => `${ratio.toFixed(2)}× (target ≤ ${target}×: ${ratio <= target ? 'met' : 'NOT met'})`;
  return [
    `start-up of the built bin (dist/compiler/bin/gradc.js), ${RUNS} runs each, Node ${process.version}:`,
    ...lines,
    `gradc --version / node -e 0:              ${verdict(version, 5)}`,
    `gradc compile unchanged / import ts-morph: ${verdict(compile, 1.5)}`,
  ].join('\n');
}
