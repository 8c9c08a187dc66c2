// zod building blocks for checking decoded checkpoints, and the sentence a failed
// check becomes. Each schema's message is the noun phrase of what was expected
// ("an integer >= 0"), so that one formatter can say "<field> should be <expected>
// but is <found>" for every field of every part of a checkpoint.
import { z } from 'zod';

/** A value that passes `ok`, described as `what` when it does not. */
export function expected<T>(what: string, ok: (v: unknown) => boolean): z.ZodType<T> {
  return z.custom<T>((v) => ok(v), { error: what });
}

export const finite = expected<number>('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
export const finiteNonNegative = expected<number>('a finite number >= 0', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
/** A number that may be ±Infinity (a "best so far" before the first epoch) but not NaN. */
export const notNaN = expected<number>('a number (±Infinity allowed, not NaN)', (v) => typeof v === 'number' && !Number.isNaN(v));
/** Any number, NaN included (reported metrics: the loss of an epoch with no examples is 0/0). */
export const anyNumber = expected<number>('a number', (v) => typeof v === 'number');
export const bool = expected<boolean>('true or false', (v) => typeof v === 'boolean');

export function integer(min: number): z.ZodType<number> {
  return expected<number>(`an integer >= ${min}`, (v) => Number.isInteger(v) && (v as number) >= min);
}

/** Counters: steps taken, evaluations, iterations. */
export const count = integer(0);

/** A Float64Array of `length` finite numbers, e.g. the parameters; `what` says what the length is. */
export function float64(length: number, what: string): z.ZodType<Float64Array> {
  return sizedFloat64(length, `a Float64Array of ${length} numbers (${what})`, false) as z.ZodType<Float64Array>;
}

/** The same or null: an optimizer buffer not allocated before the first step. */
export function float64OrNull(length: number, what: string): z.ZodType<Float64Array | null> {
  return sizedFloat64(length, `a Float64Array of ${length} numbers (${what}) or null`, true);
}

function sizedFloat64(length: number, noun: string, nullable: boolean): z.ZodType<Float64Array | null> {
  return z
    .custom<Float64Array | null>((v) => v instanceof Float64Array || (nullable && v === null), { error: noun })
    .check((ctx) => {
      const a = ctx.value;
      if (a === null) return;
      if (a.length !== length) {
        ctx.issues.push({ code: 'custom', message: noun, input: a });
        return;
      }
      const i = firstNonFinite(a);
      if (i >= 0) ctx.issues.push({ code: 'custom', message: 'a finite number', path: [i], input: a[i] });
    });
}

/** A Float64Array of finite numbers of any length (a carried hidden state). */
export const anyFloat64 = z
  .custom<Float64Array>((v) => v instanceof Float64Array, { error: 'a Float64Array' })
  .check((ctx) => {
    const i = firstNonFinite(ctx.value);
    if (i >= 0) ctx.issues.push({ code: 'custom', message: 'a finite number', path: [i], input: ctx.value[i] });
  });

/** Index of the first NaN or ±Infinity in `a`, or −1: one pass, no allocation. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity.
    const x = a[i]!;
    if (x - x !== 0) return i;
  }
  return -1;
}

/** `optimizer.state.expAvg`, `params[3]`: a zod path as it would be written in code. */
export function fieldName(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? 'the top level' : out;
}

/** A short description of a decoded value, for "… but is <found>". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return v.length > 40 ? `the string ${JSON.stringify(v.slice(0, 40))}…` : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Float64Array) return `a Float64Array of ${v.length} numbers`;
  if (Array.isArray(v)) return `a plain array of ${v.length} entries`;
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, 6).join(', ');
    return `an object with the fields ${shown}${keys.length > 6 ? ', …' : ''}`;
  }
  return typeof v;
}

/** "<field> should be <expected> but is <found>" for the first issue zod found. */
export function describeIssue(root: string, issue: z.core.$ZodIssue): { field: string; problem: string } {
  if (issue.code === 'unrecognized_keys') {
    const field = fieldName(root, issue.path);
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    return { field, problem: `${field} has ${issue.keys.length === 1 ? 'a field' : 'fields'} ${keys} that this run does not know` };
  }
  const field = fieldName(root, issue.path);
  return { field, problem: `${field} should be ${issue.message} but is ${describeValue(issue.input)}` };
}
