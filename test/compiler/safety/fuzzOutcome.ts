/**
 * What the fuzz tests count: every input ends in exactly one outcome, and the
 * only acceptable ones are a compiled module whose derivatives match finite
 * differences (where the function is smooth and finite at the point tried)
 * or a located error. Anything else is a failure, kept with its input.
 */
import { SourceError, UsageError } from '../../../compiler/index.ts';

export type Outcome =
  /** Compiled, loaded, and the gradient matches central differences at the point. */
  | 'matches finite differences'
  /** Compiled and loaded; the value, or a value it is computed from, is NaN or ±Inf at the point tried (log of a negative, …). */
  | 'not finite at the point'
  /** Compiled and loaded; central differences at two step sizes disagree (a kink or a pole nearby). */
  | 'not smooth at the point'
  /**
   * Compiled and loaded; differences and gradient disagree, the gradient is the one the derivative
   * rules give before any optimization, and some value on the way is beyond 1e12 or below 1e-12 in
   * magnitude (1e308 − z, y^(1/1e-15)): differences cannot see the slope there, or an
   * intermediate underflowed.
   */
  | 'ill-conditioned at the point'
  /** Compiled and loaded; the gradient is ±Inf: a vertical tangent (acosh at 1, sqrt at 0), where differences say nothing. */
  | 'infinite slope at the point'
  /** Compiled and loaded; the function has no differentiated parameter to compare. */
  | 'loads (no parameters)'
  /** Refused with a SourceError naming file, line and column. */
  | 'located error'
  /** Refused with a UsageError (a mistake in how gradc was called, not in the source). */
  | 'usage error';

export interface Failure {
  readonly input: string;
  readonly problem: string;
}

export class Tally {
  readonly counts = new Map<Outcome, number>();
  readonly failures: Failure[] = [];

  count(outcome: Outcome): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }

  fail(input: string, problem: string): void {
    this.failures.push({ input, problem });
  }

  get total(): number {
    let n = this.failures.length;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  report(title: string): string {
    const rows = [...this.counts].sort((a, b) => b[1] - a[1]).map(([o, c]) => `  ${String(c).padStart(5)}  ${o}`);
    rows.push(`  ${String(this.failures.length).padStart(5)}  failures`);
    return `${title}: ${this.total} inputs\n${rows.join('\n')}`;
  }
}

/** Sorts a thrown value into an outcome, or returns the problem that makes it a failure. */
export function classifyError(e: unknown): Outcome | { readonly problem: string } {
  if (e instanceof SourceError) {
    const { file, line, column } = e.location;
    const located = file.length > 0 && Number.isInteger(line) && line >= 1 && Number.isInteger(column) && column >= 1;
    if (!located) return { problem: `a SourceError without a usable location (${file}:${line}:${column}): ${e.message}` };
    if (/internal error|please report|\[object /i.test(e.message)) return { problem: `a SourceError that reads like a bug: ${e.message}` };
    // An IR op's name leading the message ("reduceLogSumExp: axis -1 …") means a check deep inside fired, not the front end's.
    if (/^[a-z]+[A-Z]\w*: /.test(e.message)) return { problem: `a SourceError in the IR's words, not the user's: ${e.message}` };
    return 'located error';
  }
  if (e instanceof UsageError) return 'usage error';
  if (e instanceof Error) return { problem: `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` };
  return { problem: `threw a non-Error: ${String(e)}` };
}

export interface GradientCheck {
  readonly outcome: Outcome;
  readonly problem?: string;
}

/**
 * Compares an analytic gradient with central differences of `f` at `x`.
 * Central differences at two step sizes must agree first: where they do not,
 * the point sits on a kink or near a pole and no comparison is meaningful.
 */
export function checkGradient(f: (x: Float64Array) => number, grad: Float64Array, x: Float64Array): GradientCheck {
  const f0 = f(x);
  if (!Number.isFinite(f0)) return { outcome: 'not finite at the point' };
  const probe = Float64Array.from(x);
  const central = (i: number, h: number): number => {
    probe[i] = x[i]! + h;
    const up = f(probe);
    probe[i] = x[i]! - h;
    const down = f(probe);
    probe[i] = x[i]!;
    return (up - down) / (2 * h);
  };
  const oneSided = (i: number, h: number): number => {
    probe[i] = x[i]! + h;
    const slope = (f(probe) - f0) / h;
    probe[i] = x[i]!;
    return slope;
  };
  for (let i = 0; i < x.length; i++) {
    const h = 1e-5 * Math.max(1, Math.abs(x[i]!));
    const fine = central(i, h);
    const coarse = central(i, 10 * h);
    const right = oneSided(i, h);
    const left = oneSided(i, -h);
    if (![fine, coarse, right, left].every(Number.isFinite)) return { outcome: 'not smooth at the point' };
    const scale = Math.max(1, Math.abs(fine), Math.abs(f0));
    // Two step sizes, and both sides: a kink within h of x fools central differences at every scale.
    if (Math.abs(fine - coarse) > 1e-4 * scale || Math.abs(right - left) > 1e-3 * scale) return { outcome: 'not smooth at the point' };
    const g = grad[i]!;
    if (g === Infinity || g === -Infinity) return { outcome: 'infinite slope at the point' };
    if (!(Math.abs(g - fine) <= 1e-4 * scale)) {
      return { outcome: 'matches finite differences', problem: `∂/∂x[${i}] = ${g}, central differences ${fine} (at x = [${[...x].join(', ')}], f = ${f0})` };
    }
  }
  return { outcome: 'matches finite differences' };
}
