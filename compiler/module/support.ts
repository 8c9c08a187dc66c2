/**
 * Module-level code a generated model module shares between its functions:
 * the argument checks, the dense Hessian built from Hessian-vector products,
 * and the types of the flat-vector variants. Each is emitted once, and only
 * when something in the module uses it.
 */

export type SupportName = 'FlatGradient' | 'FlatObjective' | 'FlatLoss' | 'FlatTensorFunction' | 'FlatTensorFunctionVjp' | 'FlatTensorJacobian' | 'FlatLayout' | 'denseJacobian' | 'expectSize' | 'expectSameSize' | 'expectLength' | 'expectWhole' | 'expectIndices' | 'hessianFromHvp';

export const SUPPORT_SOURCE: Readonly<Record<SupportName, string>> = {
  FlatGradient: `/**
 * A scalar model function of one flat parameter vector, its data bound, with
 * its gradient only (a module built with \`--emit value,gradient,flat\`).
 */
export interface FlatGradient<Data extends readonly unknown[] = []> {
  /** Length of the flat vector x (the layout's size). */
  readonly size: number;
  /** Binds new data of the same kinds (the next mini-batch, any batch size), checked, in place: the functions below then read it. */
  readonly setData: (...data: Data) => void;
  /** f(x). */
  readonly value: (x: Float64Array) => number;
  /** f(x), with ∇f(x) written into gradOut (reverse mode): the runtime's Objective. */
  readonly objective: (x: Float64Array, gradOut: Float64Array) => number;
}`,
  FlatObjective: `/**
 * A scalar model function of one flat parameter vector, its data bound: the
 * shapes the runtime's minimizers and optimizers take, with no glue.
 */
export interface FlatObjective<Data extends readonly unknown[] = []> {
  /** Length of the flat vector x (the layout's size). */
  readonly size: number;
  /** Binds new data of the same kinds (the next mini-batch, any batch size), checked, in place: the functions below then read it. */
  readonly setData: (...data: Data) => void;
  /** f(x). */
  readonly value: (x: Float64Array) => number;
  /** f(x), with ∇f(x) written into gradOut (reverse mode): the runtime's Objective. */
  readonly objective: (x: Float64Array, gradOut: Float64Array) => number;
  /** ∇f(x)·v (forward mode). */
  readonly jvp: (x: Float64Array, v: Float64Array) => number;
  /** out ← ∇²f(x)·v (forward over reverse mode): the runtime's HessianVectorProduct. */
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
  /** out ← ∇²f(x), dense row-major, from \`size\` Hessian-vector products (small problems): the runtime's DenseHessian. */
  readonly hessian: (x: Float64Array, out: Float64Array) => void;
}`,
  FlatLoss: `/**
 * A FlatObjective whose function is a convex loss of the model's outputs,
 * L(z(θ)) (softmaxCrossEntropy(z, …), sigmoidBinaryCrossEntropy(z, …), mse(z, …)),
 * possibly plus other terms r(θ): with the generalized Gauss-Newton product too.
 */
export interface FlatLoss<Data extends readonly unknown[] = []> extends FlatObjective<Data> {
  /**
   * out ← G(x)·v with G = Jᵀ H_L J + ∇²r (J = ∂z/∂x, H_L the loss's Hessian in z, r the other terms if any): positive
   * semi-definite when r is convex, the Fisher matrix for softmax and sigmoid cross-entropy alone; the runtime's
   * FisherVectorProduct and Krylov descent's curvature product.
   */
  readonly ggnvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}`,
  FlatTensorFunction: `/** A tensor-valued model function of one flat parameter vector, its data bound. */
export interface FlatTensorFunction<Data extends readonly unknown[] = []> {
  /** Length of the flat vector x (the layout's size). */
  readonly size: number;
  /** Binds new data of the same kinds (any batch size), checked, in place. */
  readonly setData: (...data: Data) => void;
  /** Elements of the output (row-major) at the bound data's sizes. */
  readonly outputSize: number;
  /** f(x), written into out (allocated when omitted) and returned. */
  readonly value: (x: Float64Array, out?: Float64Array) => Float64Array;
  /** J(x)·v (forward mode), written into out (allocated when omitted) and returned. */
  readonly jvp: (x: Float64Array, v: Float64Array, out?: Float64Array) => Float64Array;
}`,
  FlatTensorFunctionVjp: `/** A FlatTensorFunction with its vector-Jacobian product too (reverse mode). */
export interface FlatTensorFunctionVjp<Data extends readonly unknown[] = []> extends FlatTensorFunction<Data> {
  /** uᵀ·J(x) for a cotangent u of the output (row-major, outputSize long), written flat into out (allocated when omitted) and returned. */
  readonly vjp: (x: Float64Array, u: Float64Array, out?: Float64Array) => Float64Array;
}`,
  FlatTensorJacobian: `/** A FlatTensorFunctionVjp with the dense Jacobian too. */
export interface FlatTensorJacobian<Data extends readonly unknown[] = []> extends FlatTensorFunctionVjp<Data> {
  /** J(x), outputSize × size row-major, written into out (allocated when omitted) and returned: one JVP per column when there are fewer parameters than outputs, else one VJP per row. */
  readonly jacobian: (x: Float64Array, out?: Float64Array) => Float64Array;
}`,
  FlatLayout: `/** A flat parameter layout at given sizes: every differentiated parameter with its shape, offset and size, in order. */
export interface FlatLayout {
  /** Length of the flat vector. */
  readonly size: number;
  readonly params: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly size: number }[];
}`,
  expectSize: `function expectSize(where: string, name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(\`\${where}: the size \${name} = \${value}: a size must be a whole number\`);
}`,
  expectSameSize: `function expectSameSize(where: string, name: string, value: number, laidOut: number): void {
  if (value !== laidOut) {
    throw new RangeError(\`\${where}: the new data has \${name} = \${value}, but the flat parameter vector is laid out for \${name} = \${laidOut}; bind data of those sizes, or make a new flat variant\`);
  }
}`,
  expectLength: `function expectLength(where: string, name: string, array: ArrayLike<number>, expected: number, shape: string): void {
  if (array.length !== expected) {
    throw new RangeError(\`\${where}: \${name} has \${array.length} elements, but \${shape} needs \${expected}\`);
  }
}`,
  expectWhole: `function expectWhole(where: string, name: string, array: ArrayLike<number>, divisor: number, shape: string): void {
  if (!(array.length % divisor === 0)) {
    throw new RangeError(\`\${where}: \${name} has \${array.length} elements, not a multiple of \${divisor} as its shape \${shape} needs\`);
  }
}`,
  expectIndices: `function expectIndices(where: string, name: string, indices: ArrayLike<number>, bound: number, what: string): void {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!(Number.isInteger(v) && v >= 0 && v < bound)) throw new RangeError(\`\${where}: \${name}[\${i}] = \${v}: \${what} must be an integer in [0, \${bound})\`);
  }
}`,
  denseJacobian: `/** out ← J (m×n row-major) from products: one JVP per column when n < m (forward mode), else one VJP per row (reverse mode). */
function denseJacobian(
  m: number,
  n: number,
  jvp: (v: Float64Array, column: Float64Array) => void,
  vjp: (u: Float64Array, row: Float64Array) => void,
  out: Float64Array,
): Float64Array {
  if (n < m) {
    const unit = new Float64Array(n);
    const column = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      unit[j] = 1;
      jvp(unit, column);
      unit[j] = 0;
      for (let i = 0; i < m; i++) out[i * n + j] = column[i];
    }
  } else {
    const unit = new Float64Array(m);
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      unit[i] = 1;
      vjp(unit, row);
      unit[i] = 0;
      out.set(row, i * n);
    }
  }
  return out;
}`,
  hessianFromHvp: `/** out ← ∇²f(x), one Hessian-vector product per column, then symmetrized. */
function hessianFromHvp(
  where: string,
  n: number,
  hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void,
): (x: Float64Array, out: Float64Array) => void {
  // Allocated on first use: a flat variant made per mini-batch must not pay for n-vectors it never uses.
  let unit: Float64Array | undefined;
  let column: Float64Array | undefined;
  return (x, out) => {
    expectLength(where, 'out', out, n * n, 'the dense Hessian');
    unit ??= new Float64Array(n);
    column ??= new Float64Array(n);
    for (let j = 0; j < n; j++) {
      unit[j] = 1;
      hvp(x, unit, column);
      unit[j] = 0;
      for (let i = 0; i < n; i++) out[i * n + j] = column[i];
    }
    // H is symmetric; averaging the two triangles removes rounding differences between columns.
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const s = 0.5 * (out[i * n + j] + out[j * n + i]);
        out[i * n + j] = s;
        out[j * n + i] = s;
      }
    }
  };
}`,
};

/** Support code that other support code calls. */
export const SUPPORT_DEPENDENCIES: Readonly<Partial<Record<SupportName, readonly SupportName[]>>> = {
  hessianFromHvp: ['expectLength'],
  FlatLoss: ['FlatObjective'],
  FlatTensorFunctionVjp: ['FlatTensorFunction'],
  FlatTensorJacobian: ['FlatTensorFunctionVjp', 'FlatTensorFunction'],
};
