/**
 * Trains the delayed-recall RNN (examples/rnn/rnn.ts) with full BPTT and with
 * truncated BPTT (k = 10), for a delay inside a window (d = 5) and one longer
 * than a window (d = 12), and prints the held-out loss curves and the tape
 * memory of reverse mode, with and without checkpointing.
 *
 * Run: `npx tsx examples/rnn/train.ts [iterations]` (default 800).
 */
import { tapeReport } from '../../compiler/index.ts';
import { BASELINE, CONFIG, compileRnn, train } from './rnn.ts';

const iterations = Number(process.argv[2] ?? 800);

for (const delay of [5, 12]) {
  const config = { ...CONFIG, delay };
  for (const [label, loop] of [['full BPTT', {}], ['truncated BPTT, k = 10', { truncate: 10 }]] as const) {
    const model = compileRnn(config, loop);
    const started = performance.now();
    const result = train(model, config, { iterations });
    const seconds = (performance.now() - started) / 1000;
    const curve = result.curve.filter(([it]) => it % 200 === 0).map(([it, l]) => `${it}: ${l.toFixed(4)}`).join('  ');
    console.log(`delay ${delay}, ${label}: held-out MSE ${curve}  (baseline ${BASELINE.toFixed(4)}; ${seconds.toFixed(1)} s)`);
  }
}

const full = compileRnn(CONFIG);
const checkpointed = compileRnn(CONFIG, { checkpoint: 'sqrt' });
const tape = (m: typeof full) => tapeReport([m.derivatives.value, ...m.derivatives.gradient]);
const [a, b] = [tape(full), tape(checkpointed)];
console.log(`tape of one gradient: full ${a.elements} values (${a.bytes} bytes); checkpointed every ⌈√T⌉ = 10 steps ${b.elements} values (${b.bytes} bytes), ${b.recomputedSteps} steps rerun`);
