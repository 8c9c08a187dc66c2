/**
 * How the loop emitter (emit/loops) computes each structural op, declared in
 * the op table next to the op's other rules, as `syntax` declares how an
 * elementwise op is written. It is data only, so ir/ never imports emit/:
 * emit/loops/statements.ts maps each kind to its template, and the planner
 * (plan.ts) reads the storage facts below instead of listing op names.
 * Elementwise ops have no entry: their syntax is fused into the loops.
 */
export type LoopEmission =
  /** Accumulates over `axes` from `init`; log-sum-exp runs a maximum pass first so nothing overflows. */
  | { readonly kind: 'reduce'; readonly combine: 'sum' | 'max' | 'min' | 'logSumExp'; readonly init: string }
  /**
   * A call of the `gemm` helper (batched in a loop). Its operands may be
   * literals only once in memory, and a matrix transpose feeding it is read
   * through strides, never copied (see `transposeView`).
   */
  | { readonly kind: 'matmul' }
  /**
   * out[i] = x[strided i]: `permute` (transpose), `broadcast`, `slice`.
   * `transposeView`: a 2-D swap used only by matrix products is read through
   * strides; `elementwiseView`: read in place when every user is elementwise.
   */
  | {
    readonly kind: 'stridedCopy';
    readonly source: 'permute' | 'broadcast' | 'slice';
    readonly transposeView?: boolean;
    readonly elementwiseView?: boolean;
  }
  /** The same elements in the same order (reshape, stopGradient): unless it is a root, it aliases its operand's memory. */
  | { readonly kind: 'flatCopy' }
  /** Zeros, then the operand written at offset `before` along `axis`. */
  | { readonly kind: 'pad' }
  /** Each operand written at its running offset along `axis`. */
  | { readonly kind: 'concat' }
  /** Row copies, with each index checked (gather, scatterAdd) or a 1 per index (oneHot). */
  | { readonly kind: 'gather' }
  | { readonly kind: 'scatterAdd' }
  | { readonly kind: 'oneHot' }
  /** An index vector from its length: 0, 1, …, n − 1 (`integers`), or n points from a to b, both included (`endpoints`). */
  | { readonly kind: 'indexVector'; readonly points: 'integers' | 'endpoints' }
  /**
   * A structured matrix through its index map, batched over leading axes:
   * packed lower triangle → matrix and back, vector → diagonal matrix and
   * back, a triangle kept with zeros elsewhere.
   */
  | { readonly kind: 'matrixStructure'; readonly map: MatrixMap }
  /** Forward (lower) or back (upper) substitution, one right-hand side column at a time. */
  | { readonly kind: 'triangularSolve' }
  /** A named size read as an expression; never stored. */
  | { readonly kind: 'dimSize' }
  /** A structured loop: a statement of its own (emit/loops/scan.ts). */
  | { readonly kind: 'loop' }
  /** Replaced by its rule's primal before any kernel is planned (passes/inlineCustomRules.ts). */
  | { readonly kind: 'inlinedBeforeEmission' };

export type LoopEmissionKind = LoopEmission['kind'];

export type MatrixMap = 'packedToLower' | 'lowerToPacked' | 'vectorToDiagonal' | 'diagonalToVector' | 'triangle';
