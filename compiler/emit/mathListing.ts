/**
 * Derivatives as math text, for `gradc diff --format text`: shared
 * subexpressions are named once, then each result is one line.
 */
import type { Derivatives } from '../autodiff/derive.ts';
import type { Node } from '../ir/node.ts';
import { buildListing } from './listing.ts';
import { NameManager } from './names.ts';

export interface MathListingOptions {
  readonly hessian?: boolean;
}

export function mathListing(d: Derivatives, options: MathListingOptions = {}): string {
  const names = d.wrt.map((x) => x.name);
  const labelled: [string, Node][] = [['f', d.value]];
  d.gradient.forEach((g, i) => labelled.push([`∂f/∂${names[i]}`, g]));
  if (options.hessian && d.hessian !== null) {
    // The Hessian is symmetric: print the upper triangle.
    d.hessian.forEach((row, i) =>
      row.forEach((h, j) => {
        if (j < i) return;
        labelled.push([i === j ? `∂²f/∂${names[i]}²` : `∂²f/∂${names[i]}∂${names[j]}`, h]);
      }),
    );
  }
  const manager = new NameManager(d.inputs.map((x) => x.name));
  const listing = buildListing(labelled.map(([, node]) => node), 'math', manager, new Map([[d.value, 'f']]));
  return [
    ...listing.bindings.map((b) => `${b.name} = ${b.text}`),
    // When f itself was bound (the Hessian refers to it), its binding is its line.
    ...labelled.map(([label], i) => `${label} = ${listing.roots[i]}`).filter((line) => line !== 'f = f'),
  ].join('\n');
}
