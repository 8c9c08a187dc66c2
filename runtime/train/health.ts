// Gradient health, measured by the trainer from what every step already has: the
// flat gradient (before clipping) and the parameters before and after the update,
// per parameter block of the model's layout. The notes' training problems, named
// where they show and with their remedies:
//   exploding gradients — the gradient norm grows by orders of magnitude;
//   vanishing gradients — the first layers' gradients are orders below the last's;
//   updates out of scale — ‖Δθ‖/‖θ‖ far above or below ~1e-3 (too high or too low a
//   learning rate).
// Saturated tanh/sigmoid units, dead ReLUs and ∂L/∂h_t over time need the activations:
// a --health build of the model measures them in its kernel, and `compiled` hands its
// fHealth to this monitor (compiledHealth.ts gathers them). The cost is three passes
// over the parameters per step (norms, a copy, the update's norm), paid only when
// `health` is on; nothing is allocated per step.
import type { ParameterLayout } from './nonFinite.ts';
import { CompiledHealthMonitor, compiledSummary, compiledWarnings } from './compiledHealth.ts';
import type { CompiledHealth, CompiledHealthRecord } from './compiledHealth.ts';

export interface HealthOptions {
  /**
   * Exploding: an epoch's largest gradient norm is at least this many times the
   * reference (the geometric mean of the first `referenceSteps` steps' norms). Default 1e3.
   */
  readonly explodingFactor?: number;
  /**
   * Exploding, too: an epoch's largest gradient norm reaches this, whatever the
   * reference (a recurrent net can explode from its first step). Default 1e6.
   */
  readonly explodingNorm?: number;
  /** Steps whose gradient norms make the reference. Default 10. */
  readonly referenceSteps?: number;
  /**
   * Vanishing: the first weight block's gradient, per element (RMS), is below this
   * fraction of the last weight block's (median over the epoch's steps). Default 1e-3.
   */
  readonly vanishingRatio?: number;
  /** An update ‖Δθ‖/‖θ‖ of a weight block (rank ≥ 2; every block when there are none), mean over the epoch, above this is too large. Default 0.1. */
  readonly maxUpdateRatio?: number;
  /**
   * … and below this, too small to move the block, while its gradient is still at least
   * a tenth of its first epoch's (a converged block's updates are tiny by right). Default 1e-7.
   */
  readonly minUpdateRatio?: number;
  /**
   * A --health build's statistics (gradc compile --health): its `fHealth`, read after each
   * step's gradient. Adds each activation's saturated or dead share and each loop's ‖∂L/∂h_t‖
   * to the record (`compiled`), with warnings for saturation, dying ReLUs, and vanishing or
   * exploding gradients through time (by vanishingRatio and explodingFactor).
   */
  readonly compiled?: () => CompiledHealth | null;
  /** Saturation: a tanh or sigmoid site's saturated share, mean over the epoch, at least this. Default 0.5. */
  readonly maxSaturated?: number;
  /** Dying ReLUs: a relu site's share of units dead for the whole batch, mean over the epoch, at least this. Default 0.5. */
  readonly maxDead?: number;
}

export type HealthWarningKind = 'exploding' | 'vanishing' | 'large-updates' | 'small-updates' | 'saturated' | 'dead-relu';

export interface HealthWarning {
  readonly kind: HealthWarningKind;
  /** The parameter block, for per-block warnings; the model line (and carry) for a --health build's. */
  readonly block?: string;
  /** What was measured, the cause in the notes' terms, and what to do. */
  readonly message: string;
}

export interface BlockHealth {
  readonly name: string;
  /** ‖g‖₂ of the block's gradient over the epoch's steps: mean, median and largest. */
  readonly gradNorm: { readonly mean: number; readonly median: number; readonly max: number };
  /** ‖Δθ‖₂ / ‖θ‖₂ of the block's update, mean over the epoch's steps (0 for a zero block). */
  readonly updateRatio: number;
}

export interface HealthRecord {
  /** Steps measured in the epoch. */
  readonly steps: number;
  /** ‖g‖₂ of the whole gradient: mean and largest over the epoch. */
  readonly gradNorm: { readonly mean: number; readonly max: number };
  /** The exploding check's reference norm (null until `referenceSteps` steps were seen). */
  readonly reference: number | null;
  readonly blocks: readonly BlockHealth[];
  /** What a --health build measured (the `compiled` option). */
  readonly compiled?: CompiledHealthRecord;
  readonly warnings: readonly HealthWarning[];
}

const DEFAULTS = { explodingFactor: 1e3, explodingNorm: 1e6, referenceSteps: 10, vanishingRatio: 1e-3, maxUpdateRatio: 0.1, minUpdateRatio: 1e-7, maxSaturated: 0.5, maxDead: 0.5 } as const;
type Thresholds = Required<Omit<HealthOptions, 'compiled'>>;

export function checkHealthOptions(h: HealthOptions | true): void {
  if (h === true) return;
  if (h === null || typeof h !== 'object') throw new TypeError(`Invalid health ${String(h)}; it must be true, false or an object of thresholds.`);
  const positive = (k: keyof Thresholds): void => {
    const v = h[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`Invalid health.${k} ${v}; it must be a positive number.`);
  };
  (['explodingFactor', 'explodingNorm', 'vanishingRatio', 'maxUpdateRatio', 'minUpdateRatio'] as const).forEach(positive);
  for (const k of ['maxSaturated', 'maxDead'] as const) {
    const v = h[k];
    if (v !== undefined && !(v > 0 && v <= 1)) throw new RangeError(`Invalid health.${k} ${v}; it must be a share in (0, 1].`);
  }
  if (h.compiled !== undefined && typeof h.compiled !== 'function') {
    throw new TypeError(`Invalid health.compiled; it must be the fHealth function of a module compiled with gradc compile --health.`);
  }
  if (h.referenceSteps !== undefined && !(Number.isInteger(h.referenceSteps) && h.referenceSteps >= 1)) {
    throw new RangeError(`Invalid health.referenceSteps ${h.referenceSteps}; it must be an integer >= 1.`);
  }
}

const fmt = (x: number): string => x.toExponential(1);

/** The trainer's gradient-health monitor: fed every step, summarized every epoch. */
export class HealthMonitor {
  private readonly o: Thresholds;
  private readonly compiled: CompiledHealthMonitor | null;
  private readonly blocks: readonly { readonly name: string; readonly offset: number; readonly size: number; readonly weight: boolean }[];
  private readonly before: Float64Array;
  /** Per step of the epoch and block: gradient norms (grown as needed, kept across epochs). */
  private norms: Float64Array;
  private readonly ratioSums: Float64Array;
  private steps = 0;
  private globalSum = 0;
  private globalMax = 0;
  private referenceLogSum = 0;
  private referenceCount = 0;
  private reference: number | null = null;
  /** Each block's median gradient norm in the first epoch: a block far below it has converged, not stalled. */
  private blockReference: Float64Array | null = null;

  constructor(layout: ParameterLayout, size: number, options: HealthOptions | true) {
    const { compiled, ...thresholds } = options === true ? {} : options;
    this.o = { ...DEFAULTS, ...thresholds };
    this.compiled = compiled === undefined ? null : new CompiledHealthMonitor(compiled);
    // Weight blocks (rank ≥ 2) are the layers, in the order the model declares them.
    this.blocks = layout.params.map((p) => ({ name: p.name, offset: p.offset, size: p.size, weight: (p.shape?.length ?? 0) >= 2 }));
    this.before = new Float64Array(size);
    this.norms = new Float64Array(64 * this.blocks.length);
    this.ratioSums = new Float64Array(this.blocks.length);
  }

  /** Picks up the references from a resumed run's epoch records: the exploding check's from the last, the blocks' from the first. */
  resume(history: readonly { readonly health?: HealthRecord }[]): void {
    const last = history.at(-1)?.health;
    if (last?.reference != null) {
      this.reference = last.reference;
      this.referenceCount = this.o.referenceSteps;
    }
    const first = history[0]?.health;
    if (first !== undefined && first.blocks.length === this.blocks.length) this.blockReference = Float64Array.from(first.blocks, (b) => b.gradNorm.median);
  }

  /** Before the update (and before clipping): the gradient's norms, and the parameters kept to measure the update. */
  beforeUpdate(params: Float64Array, grad: Float64Array): void {
    const b = this.blocks.length;
    if ((this.steps + 1) * b > this.norms.length) {
      const grown = new Float64Array(this.norms.length * 2);
      grown.set(this.norms);
      this.norms = grown;
    }
    let total = 0;
    this.blocks.forEach((block, k) => {
      let s = 0;
      for (let i = block.offset; i < block.offset + block.size; i++) s += grad[i]! * grad[i]!;
      this.norms[this.steps * b + k] = Math.sqrt(s);
      total += s;
    });
    const norm = Math.sqrt(total);
    this.globalSum += norm;
    this.globalMax = Math.max(this.globalMax, norm);
    if (this.referenceCount < this.o.referenceSteps && norm > 0) {
      this.referenceLogSum += Math.log(norm);
      if (++this.referenceCount === this.o.referenceSteps) this.reference = Math.exp(this.referenceLogSum / this.referenceCount);
    }
    this.before.set(params);
    this.compiled?.record();
  }

  /** After the update: each block's ‖Δθ‖/‖θ‖. */
  afterUpdate(params: Float64Array): void {
    this.blocks.forEach((block, k) => {
      let dd = 0;
      let pp = 0;
      for (let i = block.offset; i < block.offset + block.size; i++) {
        const p = this.before[i]!;
        dd += (params[i]! - p) ** 2;
        pp += p * p;
      }
      if (pp > 0) this.ratioSums[k]! += Math.sqrt(dd / pp);
    });
    this.steps++;
  }

  /** The epoch's record (then the counters start over). Null when no step was measured. */
  endEpoch(): HealthRecord | null {
    const n = this.steps;
    if (n === 0) return null;
    const b = this.blocks.length;
    const column = (k: number): Float64Array => Float64Array.from({ length: n }, (_, t) => this.norms[t * b + k]!);
    const blocks: BlockHealth[] = this.blocks.map((block, k) => {
      const c = column(k);
      const sorted = Float64Array.from(c).sort();
      return {
        name: block.name,
        gradNorm: { mean: c.reduce((s, v) => s + v, 0) / n, median: sorted[Math.floor((n - 1) / 2)]!, max: sorted[n - 1]! },
        updateRatio: this.ratioSums[k]! / n,
      };
    });
    this.blockReference ??= Float64Array.from(blocks, (b) => b.gradNorm.median);
    const compiled = this.compiled?.endEpoch() ?? null;
    const record: HealthRecord = {
      steps: n,
      gradNorm: { mean: this.globalSum / n, max: this.globalMax },
      reference: this.reference,
      blocks,
      ...(compiled === null ? {} : { compiled }),
      warnings: [...this.warnings(blocks), ...(compiled === null ? [] : compiledWarnings(compiled, this.o))],
    };
    this.steps = 0;
    this.globalSum = 0;
    this.globalMax = 0;
    this.ratioSums.fill(0);
    return record;
  }

  private warnings(blocks: readonly BlockHealth[]): HealthWarning[] {
    const o = this.o;
    const out: HealthWarning[] = [];
    const remedy = 'clip gradients by norm (clip: { maxNorm }) and lower the learning rate';
    if (this.reference !== null && this.globalMax >= o.explodingFactor * this.reference) {
      out.push({
        kind: 'exploding',
        message: `exploding gradients: the gradient norm reached ${fmt(this.globalMax)}, ${fmt(this.globalMax / this.reference)} times its size over the first ${o.referenceSteps} steps (${fmt(this.reference)}); ${remedy}`,
      });
    } else if (this.globalMax >= o.explodingNorm) {
      out.push({ kind: 'exploding', message: `exploding gradients: the gradient norm reached ${fmt(this.globalMax)} (explodingNorm ${fmt(o.explodingNorm)}); ${remedy}` });
    }
    const weights = this.blocks.map((blk, k) => ({ blk, h: blocks[k]! })).filter((x) => x.blk.weight);
    if (weights.length >= 2) {
      const rms = (x: (typeof weights)[number]): number => x.h.gradNorm.median / Math.sqrt(x.blk.size);
      const first = weights[0]!;
      const last = weights[weights.length - 1]!;
      const ratio = rms(first) / rms(last);
      if (rms(last) > 0 && ratio < o.vanishingRatio) {
        out.push({
          kind: 'vanishing',
          block: first.blk.name,
          message: `vanishing gradients: '${first.blk.name}' gets ${fmt(ratio)} of the gradient per weight that '${last.blk.name}' gets, so the early layers hardly learn; use ReLU instead of sigmoid/tanh, a better initialisation (Glorot, He), fewer layers or, in a recurrent model, shorter truncation`,
        });
      }
    }
    // Biases start at 0 and move by a large fraction of their small norm in any healthy run:
    // the scale of updates is judged on the weight matrices (on every block when there are none).
    const judged = weights.length > 0 ? weights.map((x) => x.h) : blocks;
    const stillLearning = (h: BlockHealth): boolean => h.gradNorm.median >= 0.1 * this.blockReference![blocks.indexOf(h)]!;
    judged.forEach((h) => {
      if (h.updateRatio > o.maxUpdateRatio) {
        out.push({ kind: 'large-updates', block: h.name, message: `large updates: each step changes '${h.name}' by ${fmt(h.updateRatio)} of its norm (above ${fmt(o.maxUpdateRatio)}; about 1e-3 is typical); lower the learning rate` });
      } else if (h.updateRatio > 0 && h.updateRatio < o.minUpdateRatio && h.gradNorm.max > 0 && stillLearning(h)) {
        out.push({ kind: 'small-updates', block: h.name, message: `tiny updates: each step changes '${h.name}' by ${fmt(h.updateRatio)} of its norm (below ${fmt(o.minUpdateRatio)}); raise the learning rate, or look for vanishing gradients` });
      }
    });
    return out;
  }
}

/** The compact form for the progress display: the gradient norm and the largest update ratio. */
export function healthSummary(h: HealthRecord): string {
  const worst = h.blocks.reduce((m, b) => Math.max(m, b.updateRatio), 0);
  const compiled = h.compiled === undefined ? '' : compiledSummary(h.compiled);
  return `|g| ${fmt(h.gradNorm.mean)} (max ${fmt(h.gradNorm.max)})  upd/w ${fmt(worst)}${compiled === '' ? '' : `  ${compiled}`}${h.warnings.length > 0 ? `  ${h.warnings.map((w) => w.kind).join(', ')}` : ''}`;
}
