/**
 * What each op is called where users write it: once per op, its prelude
 * function (compiler/prelude/index.ts, in model files), its mathjs function
 * (math expressions) and its JavaScript `Math.*` function. The front ends'
 * name tables are built from this one (frontend/preludeOps.ts,
 * frontend/mathFunctions.ts, frontend/typescript/mathNames.ts), and
 * test/compiler/opNames.test.ts fails when a table and these names disagree.
 *
 * Only ops that a call of that name applies directly are here. Functions
 * composed of several ops (softmax, mean, square, log2, clamp…) are no op's
 * name: each front end declares its own in one `COMPOSED` table beside the
 * derived entries, since what a composite means is front-end vocabulary
 * (mathjs's `sum(A, 2)` numbers dimensions from 1, the prelude's from 0).
 *
 * Entries follow the op table's order (pow joins the elementary functions),
 * which is the order messages list supported functions in.
 *
 * A table of its own rather than a field of each op's entry in ops/*.ts so
 * that the names keep their literal types (the prelude's `PreludeOpName` is a
 * union of them) and the entries stay the IR's semantics only.
 */
import type { ApplyOp } from './ops.ts';

export interface OpNames {
  /** The prelude function that applies the op. */
  readonly prelude?: string;
  /** The mathjs function that applies the op. */
  readonly mathjs?: string;
  /** The `Math.*` function that computes the op. */
  readonly math?: string;
}

/** The three names of an op that is the same function everywhere. */
const everywhere = <N extends string>(name: N) => ({ prelude: name, mathjs: name, math: name }) as const;

export const OP_NAMES = {
  // arithmetic: mathjs and JavaScript write these as operators
  add: { prelude: 'add' },
  sub: { prelude: 'sub' },
  mul: { prelude: 'mul' },
  div: { prelude: 'div' },
  neg: { prelude: 'neg' },
  // elementary functions
  sqrt: everywhere('sqrt'),
  cbrt: everywhere('cbrt'),
  exp: everywhere('exp'),
  // mathjs's log also takes a base: log(x, b) (see frontend/mathFunctions.ts)
  log: everywhere('log'),
  log1p: everywhere('log1p'),
  expm1: everywhere('expm1'),
  sin: everywhere('sin'),
  cos: everywhere('cos'),
  tan: everywhere('tan'),
  asin: everywhere('asin'),
  acos: everywhere('acos'),
  atan: everywhere('atan'),
  atan2: everywhere('atan2'),
  sinh: everywhere('sinh'),
  cosh: everywhere('cosh'),
  tanh: everywhere('tanh'),
  asinh: everywhere('asinh'),
  acosh: everywhere('acosh'),
  atanh: everywhere('atanh'),
  pow: everywhere('pow'),
  // non-smooth; in the prelude max and min reduce, maximum and minimum are elementwise
  abs: everywhere('abs'),
  sign: everywhere('sign'),
  min: { prelude: 'minimum', mathjs: 'min', math: 'min' },
  max: { prelude: 'maximum', mathjs: 'max', math: 'max' },
  relu: { prelude: 'relu', mathjs: 'relu' },
  // numerically stable primitives
  hypot: everywhere('hypot'),
  sigmoid: { prelude: 'sigmoid', mathjs: 'sigmoid' },
  softplus: { prelude: 'softplus', mathjs: 'softplus' },
  // variadic logsumexp(a, b, …); the prelude's logsumexp reduces a tensor (reduceLogSumExp)
  logsumexp: { mathjs: 'logsumexp' },
  // the log-gamma family (mathjs itself has lgamma only; expressions name the first three like
  // relu and softplus). polygamma(n, x) is the prelude's, for a whole n known at compile time
  // (it lowers n = 0 and 1 to digamma and trigamma, see frontend/preludeOps.ts)
  lgamma: { prelude: 'lgamma', mathjs: 'lgamma' },
  digamma: { prelude: 'digamma', mathjs: 'digamma' },
  trigamma: { prelude: 'trigamma', mathjs: 'trigamma' },
  polygamma: { prelude: 'polygamma' },
  // comparisons, logic and the piecewise select
  lt: { prelude: 'lt' },
  le: { prelude: 'le' },
  gt: { prelude: 'gt' },
  ge: { prelude: 'ge' },
  eq: { prelude: 'eq' },
  ne: { prelude: 'ne' },
  and: { prelude: 'and' },
  or: { prelude: 'or' },
  not: { prelude: 'not' },
  select: { prelude: 'where' },
  // structural tensor ops
  broadcastTo: { prelude: 'broadcastTo' },
  reshape: { prelude: 'reshape' },
  transpose: { prelude: 'transpose' },
  slice: { prelude: 'slice' },
  pad: { prelude: 'pad' },
  concat: { prelude: 'concat' },
  reduceSum: { prelude: 'sum' },
  reduceMax: { prelude: 'max' },
  reduceMin: { prelude: 'min' },
  reduceLogSumExp: { prelude: 'logsumexp' },
  gather: { prelude: 'gather' },
  oneHot: { prelude: 'oneHot' },
  // index vectors and structured matrices (tril, triu, diag and logDetTriangular are composed: frontend/preludeOps.ts)
  arange: { prelude: 'arange' },
  linspace: { prelude: 'linspace' },
  lowerTriangular: { prelude: 'lowerTriangular' },
  packLowerTriangular: { prelude: 'packLowerTriangular' },
  diagEmbed: { prelude: 'diagEmbed' },
  diagonal: { prelude: 'diagonal' },
  triangularSolve: { prelude: 'triangularSolve' },
  // derivative control
  stopGradient: { prelude: 'stopGradient' },
} as const satisfies { readonly [K in ApplyOp]?: OpNames };

type Named = typeof OP_NAMES;
/** The ops with a name in `kind`'s vocabulary. */
export type OpNamedIn<Kind extends keyof OpNames> = {
  [K in keyof Named]: Named[K] extends { readonly [P in Kind]: string } ? K : never;
}[keyof Named];
/** The names ops have in `kind`'s vocabulary. */
export type OpNameIn<Kind extends keyof OpNames> = {
  [K in OpNamedIn<Kind>]: Named[K] extends { readonly [P in Kind]: infer N } ? N : never;
}[OpNamedIn<Kind>];

/** Each op named in `kind`'s vocabulary with that name, in op-table order. */
export function opsNamedIn<Kind extends keyof OpNames>(kind: Kind): { op: OpNamedIn<Kind>; name: OpNameIn<Kind> }[] {
  return Object.entries(OP_NAMES as Readonly<Record<string, OpNames>>).flatMap(([op, names]) => {
    const name = names[kind];
    // The entry's type says op and name belong together; Object.entries forgets it.
    return name === undefined ? [] : [{ op: op as OpNamedIn<Kind>, name: name as OpNameIn<Kind> }];
  });
}
