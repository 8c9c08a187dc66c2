/**
 * The flat parameter vector optimizers work on: the differentiated inputs of
 * a function, in wrt order, each a contiguous row-major block. Every generated
 * module and every façade lays parameters out this way.
 */
import { UsageError } from '../errors.ts';
import type { InputNode } from './node.ts';
import type { Shape } from './shape.ts';

export interface LayoutEntry {
  readonly name: string;
  readonly shape: Shape;
  readonly offset: number;
  readonly size: number;
}

export function parameterLayout(wrt: readonly InputNode[]): LayoutEntry[] {
  let offset = 0;
  return wrt.map((x) => {
    if (x.shape.some((d) => typeof d !== 'number')) {
      throw new UsageError(`parameter '${x.name}' has a symbolic shape [${x.shape.join(', ')}]; parameters need sizes known at compile time`);
    }
    const size = (x.shape as number[]).reduce((a, b) => a * b, 1);
    const entry = { name: x.name, shape: x.shape, offset, size };
    offset += size;
    return entry;
  });
}
