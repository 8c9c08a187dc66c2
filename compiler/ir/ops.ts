/**
 * The op vocabulary, in one place. Passes ask a group (`UNARY.has(op)`) rather
 * than listing ops ad hoc; the op table in `opTable.ts` gives each op its rules.
 */
export const OPS = [
  // leaves
  'const', 'input',
  // arithmetic
  'add', 'sub', 'mul', 'div', 'neg', 'pow',
  // elementary functions
  'sqrt', 'cbrt', 'exp', 'log', 'log1p', 'expm1',
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
  // non-smooth
  'abs', 'sign', 'min', 'max', 'relu',
  // numerically stable primitives
  'hypot', 'sigmoid', 'softplus', 'logsumexp',
  // special functions: the log-gamma family
  'lgamma', 'digamma', 'trigamma', 'polygamma',
  // comparisons, logic and the piecewise select
  'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or', 'not', 'select',
  // structural tensor ops
  'broadcastTo', 'reshape', 'transpose', 'slice', 'pad', 'concat',
  'reduceSum', 'reduceMax', 'reduceMin', 'reduceLogSumExp',
  'matmul', 'gather', 'scatterAdd', 'oneHot', 'dimSize',
  // index vectors and structured matrices
  'arange', 'linspace',
  'lowerTriangular', 'packLowerTriangular', 'diagEmbed', 'diagonal', 'triangularPart', 'triangularSolve',
  // structured loops and derivative control
  'scan', 'stopGradient',
  // a function with derivative rules of the user's own
  'custom',
] as const;

export type Op = (typeof OPS)[number];
export type LeafOp = 'const' | 'input';
export type ApplyOp = Exclude<Op, LeafOp>;

const group = <T extends Op>(...ops: T[]): ReadonlySet<Op> => new Set<Op>(ops);

export const LEAF = group('const', 'input');
export const UNARY = group(
  'neg', 'sqrt', 'cbrt', 'exp', 'log', 'log1p', 'expm1', 'sin', 'cos', 'tan', 'asin', 'acos',
  'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'abs', 'sign', 'relu', 'sigmoid',
  'softplus', 'lgamma', 'digamma', 'trigamma', 'not',
);
export const BINARY = group(
  'add', 'sub', 'mul', 'div', 'pow', 'atan2', 'min', 'max', 'hypot', 'polygamma',
  'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or',
);
export const VARIADIC = group('logsumexp', 'concat');
/** Ops that move or combine whole tensors rather than acting element by element. */
export const STRUCTURAL = group(
  'broadcastTo', 'reshape', 'transpose', 'slice', 'pad', 'concat',
  'reduceSum', 'reduceMax', 'reduceMin', 'reduceLogSumExp',
  'matmul', 'gather', 'scatterAdd', 'oneHot', 'dimSize', 'scan', 'custom',
  'arange', 'linspace',
  'lowerTriangular', 'packLowerTriangular', 'diagEmbed', 'diagonal', 'triangularPart', 'triangularSolve',
);
/** Ops that steer differentiation rather than compute: value-wise identities, neither elementwise nor structural. */
export const DERIVATIVE_CONTROL = group('stopGradient');
export const REDUCTION = group('reduceSum', 'reduceMax', 'reduceMin', 'reduceLogSumExp');
/** Ops whose operands may be swapped without changing the IEEE result. */
export const COMMUTATIVE = group('add', 'mul', 'min', 'max', 'hypot', 'eq', 'ne', 'and', 'or');
/** Ops that produce booleans; they carry no derivative. */
export const PREDICATE = group('lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or', 'not');
/** Ops that are not differentiable everywhere; each documents its kink. */
export const NONSMOOTH = group('abs', 'sign', 'min', 'max', 'relu', 'select');

export function isApplyOp(op: Op): op is ApplyOp {
  return !LEAF.has(op);
}

/** Elementwise ops: applied to each element, with operands broadcast. */
export function isElementwise(op: Op): boolean {
  return !LEAF.has(op) && !STRUCTURAL.has(op) && !DERIVATIVE_CONTROL.has(op);
}
