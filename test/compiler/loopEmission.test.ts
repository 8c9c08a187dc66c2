/**
 * Every structural op declares in the op table how the loop emitter computes
 * it (`emission`, ir/loopEmission.ts), and no elementwise op does: the
 * emitter dispatches on that field alone, so an op without an entry would be
 * emitted as elementwise, silently wrong.
 */
import { describe, expect, it } from 'vitest';
import { OP_TABLE } from '../../compiler/ir/opTable.ts';
import { DERIVATIVE_CONTROL, OPS, STRUCTURAL, isApplyOp, isElementwise } from '../../compiler/ir/ops.ts';

const applyOps = OPS.filter(isApplyOp);

describe('loop emission entries in the op table', () => {
  it('every structural or derivative-control op has one', () => {
    const missing = applyOps.filter((op) => (STRUCTURAL.has(op) || DERIVATIVE_CONTROL.has(op)) && OP_TABLE[op].emission === undefined);
    expect(missing).toEqual([]);
  });

  it('every op with a tensor-level reference semantics has one', () => {
    const missing = applyOps.filter((op) => OP_TABLE[op].evaluateTensor !== undefined && OP_TABLE[op].emission === undefined);
    expect(missing).toEqual([]);
  });

  it('no elementwise op has one (elementwise ops are fused through their syntax)', () => {
    const extra = applyOps.filter((op) => isElementwise(op) && OP_TABLE[op].emission !== undefined);
    expect(extra).toEqual([]);
  });

  it('reductions name their combining step and initial value', () => {
    for (const op of ['reduceSum', 'reduceMax', 'reduceMin', 'reduceLogSumExp'] as const) {
      expect(OP_TABLE[op].emission?.kind).toBe('reduce');
    }
  });
});
