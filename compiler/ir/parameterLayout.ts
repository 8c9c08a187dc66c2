/**
 * The flat parameter vector optimizers work on: the differentiated inputs of
 * a function, in wrt order, each a contiguous row-major block. Every generated
 * module and every façade lays parameters out this way.
 *
 * A parameter may have named sizes (`Param<Tensor<['n']>>`): then the layout
 * is a function of the bound sizes, each block's offset the sum of the sizes
 * of the blocks before it (`layoutBlocks`), and the generated module computes
 * it when the sizes are known (`fLayout(sizes)`, bind time).
 */
import { UsageError } from '../errors.ts';
import type { InputNode } from './node.ts';
import type { Shape } from './shape.ts';

/** A block of a layout whose sizes are all known at compile time. */
export interface LayoutEntry {
  readonly name: string;
  readonly shape: Shape;
  readonly offset: number;
  readonly size: number;
}

/** A block of a layout that may depend on named sizes. */
export interface LayoutBlock {
  readonly name: string;
  readonly shape: Shape;
  /** The shapes of the blocks before it: its offset is the sum of their element counts. */
  readonly before: readonly Shape[];
}

export function layoutBlocks(wrt: readonly InputNode[]): LayoutBlock[] {
  return wrt.map((x, i) => ({ name: x.name, shape: x.shape, before: wrt.slice(0, i).map((p) => p.shape) }));
}

/** The named sizes the layout depends on, in order of first appearance. */
export function layoutDims(wrt: readonly InputNode[]): string[] {
  return [...new Set(wrt.flatMap((x) => x.shape.filter((d): d is string => typeof d === 'string')))];
}

/** The layout of parameters with literal sizes (what the in-memory façades bind against). */
export function parameterLayout(wrt: readonly InputNode[]): LayoutEntry[] {
  let offset = 0;
  return wrt.map((x) => {
    if (x.shape.some((d) => typeof d !== 'number')) {
      throw new UsageError(`parameter '${x.name}' has a symbolic shape [${x.shape.join(', ')}]; parameters need sizes known at compile time here`);
    }
    const size = (x.shape as number[]).reduce((a, b) => a * b, 1);
    const entry = { name: x.name, shape: x.shape, offset, size };
    offset += size;
    return entry;
  });
}
