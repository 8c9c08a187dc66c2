/**
 * The eager run of a prelude op: its lowering (from the op table) is built
 * over the call's arguments and evaluated with the reference evaluator, so
 * a model file run under tsx computes exactly what the compiled kernels
 * are tested against.
 */
import { bool, constant, input } from '../ir/build.ts';
import { evaluateTensors } from '../ir/evaluate.ts';
import type { Node } from '../ir/node.ts';
import { Tensor } from './tensor.ts';
import type { Dim } from './tensor.ts';
import { PRELUDE_OPS, asBool, asNumber } from '../frontend/preludeOps.ts';
import type { ArgKind, ArgValue, PreludeOpName } from '../frontend/preludeOps.ts';

export type EagerValue = number | boolean | Tensor;

/** Collects the tensors of one call as named inputs of the IR it builds. */
class Operands {
  readonly values: Record<string, { shape: readonly number[]; data: Float64Array }> = {};
  private count = 0;

  node(v: unknown, op: string): Node {
    if (typeof v === 'number') return constant(v);
    if (typeof v === 'boolean') return bool(v);
    if (v instanceof Tensor) {
      const name = `$${this.count++}`;
      this.values[name] = v;
      return input(name, v.shape, v.dtype);
    }
    throw new TypeError(`${op}: expected a number or a Tensor, got ${describe(v)}`);
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array (make a tensor with tensor(values, shape))';
  return v === null ? 'null' : typeof v;
}

function staticNumbers(v: unknown, op: string): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || !list.every((d) => typeof d === 'number')) {
    throw new TypeError(`${op}: expected a number or an array of numbers, got ${describe(v)}`);
  }
  return list;
}

/** Named dimensions in an eager shape are unknown, except one in a reshape, inferred from the size. */
function eagerShape(v: unknown, op: string, of: Tensor | undefined): number[] {
  if (!Array.isArray(v)) throw new TypeError(`${op}: expected a shape (an array of sizes), got ${describe(v)}`);
  const shape = v as Dim[];
  const named = shape.filter((d) => typeof d === 'string');
  if (named.length === 0) return shape as number[];
  if (op !== 'reshape' || of === undefined || named.length > 1) {
    throw new TypeError(`${op}: the named dimension '${named[0]}' has no size in an eager run; use a size read from a tensor, x.shape[i], which works in both runs`);
  }
  const known = shape.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  return shape.map((d) => (typeof d === 'number' ? d : of.data.length / known));
}

function convert(kind: ArgKind, v: unknown, operands: Operands, op: string, first: unknown): ArgValue {
  switch (kind) {
    case 'tensor': return asNumber(operands.node(v, op));
    case 'cond': return asBool(operands.node(v, op));
    case 'tensors':
      if (!Array.isArray(v)) throw new TypeError(`${op}: expected an array of tensors, got ${describe(v)}`);
      return v.map((x) => asNumber(operands.node(x, op)));
    case 'axes?': case 'perm?': return v === undefined ? undefined : staticNumbers(v, op);
    case 'int': return staticNumbers(v, op)[0]!;
    case 'number?': return v === undefined ? undefined : staticNumbers(v, op)[0]!;
    case 'bool?': return v === true;
    case 'bool':
      if (typeof v !== 'boolean') throw new TypeError(`${op}: expected true or false, got ${describe(v)}`);
      return v;
    case 'size':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError(`${op}: expected a length (a whole number, such as x.shape[0]), got ${describe(v)}`);
      return v;
    case 'reduction?': return v === undefined ? undefined : String(v);
    case 'shape': return eagerShape(v, op, first instanceof Tensor ? first : undefined);
  }
}

/** Runs one prelude op on run-time values: rank-0 results come back as plain numbers (or booleans). */
export function runEager(name: PreludeOpName, values: readonly unknown[]): EagerValue {
  const op = PRELUDE_OPS[name];
  const operands = new Operands();
  const args = op.args.map((kind, i) => convert(kind, values[i], operands, name, values[0]));
  const out = op.lower(args);
  const result = evaluateTensors([out], operands.values).get(out)!;
  if (result.shape.length === 0) {
    const value = result.data[0]!;
    return out.dtype === 'bool' ? value !== 0 : value;
  }
  return new Tensor(result.shape, result.data, out.dtype);
}
