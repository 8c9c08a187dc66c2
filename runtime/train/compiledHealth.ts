// What a --health build of the model measures inside its value-and-gradient kernel
// (gradc compile --health: the generated `fHealth()`), gathered by the trainer step by
// step and summarized per epoch: per activation site (named by its model line) the
// share of tanh/sigmoid elements saturated or of ReLU units dead, and per loop carry
// ‖∂L/∂h_t‖ against t. The notes' problems, with their remedies:
//   saturation — "the input to a neuron is such that the gradient is close to zero",
//     for sigmoid and tanh whose inputs are too large;
//   dying ReLUs — units that output 0 for every example get no gradient and never
//     recover;
//   vanishing / exploding through time — BPTT multiplies by the recurrent Jacobian at
//     every step, so ‖∂L/∂h_t‖ shrinks or grows geometrically towards t = 0.
// Read once per step (the kernel's last call: with gradient accumulation, the step's
// last unit); sums are kept in arrays grown as needed, so a steady step allocates only
// what fHealth() itself returns.

/** The shape a --health module's `fHealth()` returns (the generated `GradcHealth`). */
export interface CompiledHealth {
  readonly saturation: number;
  readonly activations: readonly { readonly site: string; readonly text: string; readonly op: string; readonly measure: 'saturated' | 'dead'; readonly fraction: number }[];
  readonly loops: readonly { readonly site: string; readonly text: string; readonly carry: string; readonly gradNorm: ArrayLike<number> }[];
}

export interface ActivationHealth {
  /** `file:line:column` of the activation in the model file, and that line's text. */
  readonly site: string;
  readonly text: string;
  readonly op: string;
  readonly measure: 'saturated' | 'dead';
  /** The share of elements saturated (derivative below the build's threshold) or of units dead for the whole batch: mean and largest over the epoch's steps. */
  readonly mean: number;
  readonly max: number;
}

export interface LoopHealth {
  readonly site: string;
  readonly text: string;
  readonly carry: string;
  /** gradNorm[t] = ‖∂L/∂h‖ of the state step t hands on, mean over the epoch's steps that ran step t. */
  readonly gradNorm: readonly number[];
}

/** The compiled half of an epoch's HealthRecord. */
export interface CompiledHealthRecord {
  readonly saturation: number;
  readonly activations: readonly ActivationHealth[];
  readonly loops: readonly LoopHealth[];
}

export interface CompiledThresholds {
  readonly maxSaturated: number;
  readonly maxDead: number;
  readonly vanishingRatio: number;
  readonly explodingFactor: number;
}

export type CompiledWarningKind = 'saturated' | 'dead-relu' | 'vanishing' | 'exploding';

const fmt = (x: number): string => x.toExponential(1);
const pct = (x: number): string => `${(100 * x).toFixed(0)} %`;

function grow(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (a.length >= n) return a;
  const b = new Float64Array(Math.max(n, 2 * a.length));
  b.set(a);
  return b;
}

/** Step-by-step sums of a --health module's statistics. */
export class CompiledHealthMonitor {
  private last: CompiledHealth | null = null;
  private steps = 0;
  private sums: Float64Array<ArrayBuffer> = new Float64Array(0);
  private maxes: Float64Array<ArrayBuffer> = new Float64Array(0);
  /** Per loop carry, per step index t: the sum of the norms and how many steps ran t. */
  private normSums: Float64Array<ArrayBuffer>[] = [];
  private normCounts: Float64Array<ArrayBuffer>[] = [];

  constructor(private readonly read: () => CompiledHealth | null) {}

  /** After the step's gradient: the kernel's last statistics. */
  record(): void {
    const h = this.read();
    if (h === null) return;
    this.last = h;
    const a = h.activations;
    this.sums = grow(this.sums, a.length);
    this.maxes = grow(this.maxes, a.length);
    a.forEach((s, i) => {
      this.sums[i]! += s.fraction;
      this.maxes[i] = Math.max(this.maxes[i]!, s.fraction);
    });
    h.loops.forEach((l, k) => {
      this.normSums[k] = grow(this.normSums[k] ?? new Float64Array(0), l.gradNorm.length);
      this.normCounts[k] = grow(this.normCounts[k] ?? new Float64Array(0), l.gradNorm.length);
      for (let t = 0; t < l.gradNorm.length; t++) {
        this.normSums[k]![t]! += l.gradNorm[t]!;
        this.normCounts[k]![t]! += 1;
      }
    });
    this.steps++;
  }

  /** The epoch's summary (then the sums start over); null when the model reported nothing. */
  endEpoch(): CompiledHealthRecord | null {
    const h = this.last;
    if (h === null || this.steps === 0) return null;
    const n = this.steps;
    const record: CompiledHealthRecord = {
      saturation: h.saturation,
      activations: h.activations.map((s, i) => ({ site: s.site, text: s.text, op: s.op, measure: s.measure, mean: this.sums[i]! / n, max: this.maxes[i]! })),
      loops: h.loops.map((l, k) => {
        const counts = this.normCounts[k]!;
        const sums = this.normSums[k]!;
        const length = counts.findIndex((c) => c === 0);
        return { site: l.site, text: l.text, carry: l.carry, gradNorm: Array.from(sums.subarray(0, length < 0 ? counts.length : length), (s, t) => s / counts[t]!) };
      }),
    };
    this.steps = 0;
    this.sums.fill(0);
    this.maxes.fill(0);
    this.normSums.forEach((s) => s.fill(0));
    this.normCounts.forEach((c) => c.fill(0));
    return record;
  }
}

/** Warnings on the compiled statistics, each with the cause and the remedy in the notes' terms. */
export function compiledWarnings(r: CompiledHealthRecord, o: CompiledThresholds): { kind: CompiledWarningKind; block: string; message: string }[] {
  const out: { kind: CompiledWarningKind; block: string; message: string }[] = [];
  for (const a of r.activations) {
    const where = `${a.op} at ${a.site}`;
    if (a.measure === 'saturated' && a.mean >= o.maxSaturated) {
      out.push({
        kind: 'saturated',
        block: a.site,
        message: `saturation: ${pct(a.mean)} of the ${where} have a derivative below ${r.saturation} (mean over the epoch), so little gradient passes them and learning is slow; their inputs are too large: scale the inputs, use a smaller initialisation (Glorot), a lower learning rate, or ReLU`,
      });
    }
    if (a.measure === 'dead' && a.mean >= o.maxDead) {
      out.push({
        kind: 'dead-relu',
        block: a.site,
        message: `dying ReLUs: ${pct(a.mean)} of the units of the ${where} are 0 for the whole batch (mean over the epoch) and get no gradient; lower the learning rate, use leaky ReLU, He initialisation or a small positive bias`,
      });
    }
  }
  for (const l of r.loops) {
    const first = l.gradNorm[0];
    const last = l.gradNorm[l.gradNorm.length - 1];
    if (first === undefined || last === undefined || l.gradNorm.length < 2 || !(last > 0)) continue;
    const ratio = first / last;
    const where = `the loop at ${l.site} (carry '${l.carry}', ${l.gradNorm.length} steps)`;
    if (ratio < o.vanishingRatio) {
      out.push({
        kind: 'vanishing',
        block: `${l.site} ${l.carry}`,
        message: `vanishing gradients through time: in ${where} ‖∂L/∂h‖ at the first step is ${fmt(ratio)} of the last step's, so early inputs hardly teach; use shorter truncation (truncate every k steps), gated units (LSTM), a better initialisation of the recurrent weights (orthogonal) or ReLU`,
      });
    } else if (ratio > o.explodingFactor) {
      out.push({
        kind: 'exploding',
        block: `${l.site} ${l.carry}`,
        message: `exploding gradients through time: in ${where} ‖∂L/∂h‖ at the first step is ${fmt(ratio)} times the last step's; clip gradients by norm (clip: { maxNorm }), lower the learning rate or the recurrent weights' scale, or truncate`,
      });
    }
  }
  return out;
}

/** The compact form for the progress line: the worst saturated and dead shares, and each loop's first-over-last ‖∂L/∂h‖. */
export function compiledSummary(r: CompiledHealthRecord): string {
  const worst = (m: 'saturated' | 'dead'): number | null => {
    const xs = r.activations.filter((a) => a.measure === m).map((a) => a.mean);
    return xs.length === 0 ? null : Math.max(...xs);
  };
  const sat = worst('saturated');
  const dead = worst('dead');
  const parts = [...(sat === null ? [] : [`sat ${pct(sat)}`]), ...(dead === null ? [] : [`dead ${pct(dead)}`])];
  for (const l of r.loops) if (l.gradNorm.length > 0) parts.push(`∂h ${l.carry} ${fmt(l.gradNorm[0]! / l.gradNorm[l.gradNorm.length - 1]!)}`);
  return parts.join('  ');
}
