/**
 * The op table: every op defined once (shape rule, reference evaluation, JVP,
 * VJP, syntax). Its type makes a missing op a compile error.
 */
import type { ApplyOp } from './ops.ts';
import type { OpDef } from './opDef.ts';
import { arithmeticOps } from './ops/arithmetic.ts';
import { controlOps } from './ops/control.ts';
import { customOps } from './ops/custom.ts';
import { elementaryOps } from './ops/elementary.ts';
import { indexingOps } from './ops/indexing.ts';
import { linalgOps } from './ops/linalg.ts';
import { piecewiseOps } from './ops/piecewise.ts';
import { rangeOps } from './ops/ranges.ts';
import { reductionOps } from './ops/reductions.ts';
import { shapeOps } from './ops/shapeOps.ts';
import { structuredMatrixOps } from './ops/structuredMatrices.ts';
import { specialOps } from './ops/special.ts';

export const OP_TABLE: { readonly [K in ApplyOp]: OpDef } = {
  ...arithmeticOps,
  ...elementaryOps,
  ...specialOps,
  ...piecewiseOps,
  ...shapeOps,
  ...reductionOps,
  ...linalgOps,
  ...indexingOps,
  ...rangeOps,
  ...structuredMatrixOps,
  ...controlOps,
  ...customOps,
};
