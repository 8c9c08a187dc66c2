/**
 * Shared by the generated-module tests: concrete points for a model
 * function, the reference evaluation of its IR, and typed access to the
 * exports of a generated module (which the tests load at run time).
 */
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { InputNode } from '../../compiler/ir/node.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import type { FunctionIR } from '../../compiler/ir/function.ts';
import { SeededRng } from '../../runtime/index.ts';

export type Arg = number | Float64Array;
/** A generated module's exports, looked up by the names the contract promises. */
export type GeneratedModule = Readonly<Record<string, unknown>>;

// The generated functions take a few typed shapes; the tests call them through these.
type AnyFunction = (...args: never[]) => unknown;

export function exported<F extends AnyFunction>(mod: GeneratedModule, name: string): F {
  const f = mod[name];
  if (typeof f !== 'function') throw new Error(`the generated module exports no function '${name}'`);
  return f as F;
}

/** Sizes the tests bind named dimensions to. */
export const DIMS: Readonly<Record<string, number>> = { batch: 7, n: 9, m: 6, rows: 3, cols: 2 };

/** Data that must be integers (class labels) or 0/1, by parameter name. */
const SPECIAL: Readonly<Record<string, (i: number) => number>> = {
  labels: (i) => i % 3,
  y: (i) => (i * 7) % 3 === 0 ? 1 : 0,
};

export const concreteShape = (p: InputNode): number[] => p.shape.map((d) => (typeof d === 'number' ? d : DIMS[d]!));
export const sizeOfShape = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Seeded values for every parameter of `fn`, in declaration order. */
export function pointFor(fn: FunctionIR, seed: number): Arg[] {
  const random = SeededRng.fromSeed(seed).asFunction();
  return fn.params.map((p) => {
    const special = SPECIAL[p.name];
    if (p.shape.length === 0) return special !== undefined ? special(0) : random() * 1.6 - 0.8;
    return Float64Array.from({ length: sizeOfShape(concreteShape(p)) }, (_, i) => (special !== undefined ? special(i) : random() * 1.6 - 0.8));
  });
}

/** The reference evaluation of `fn`'s output at `args`, flat. */
export function reference(fn: FunctionIR, args: readonly Arg[]): Float64Array {
  const values = Object.fromEntries(
    fn.params.map((p, i) => {
      const a = args[i]!;
      return [p.name, typeof a === 'number' ? a : tensor(concreteShape(p), a)];
    }),
  );
  return evaluateTensors([fn.output], values).get(fn.output)!.data;
}
