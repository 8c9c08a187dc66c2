/** The IR: hash-consing, shapes, the verifier and the printer. */
import { describe, expect, it } from 'vitest';
import { add, apply, constant, input, IRError, mul } from '../../compiler/ir/build.ts';
import { internApply } from '../../compiler/ir/node.ts';
import { OPS, isApplyOp } from '../../compiler/ir/ops.ts';
import { OP_TABLE } from '../../compiler/ir/opTable.ts';
import { printProgram } from '../../compiler/ir/print.ts';
import { ShapeError, broadcastShapes } from '../../compiler/ir/shape.ts';
import { verify, VerifyError } from '../../compiler/ir/verify.ts';

describe('IR', () => {
  it('hash-conses: building the same node twice returns the same object', () => {
    const x = input('x');
    expect(input('x')).toBe(x);
    expect(mul(add(x, constant(1)), x)).toBe(mul(add(input('x'), constant(1)), input('x')));
    expect(add(x, constant(1))).not.toBe(add(constant(1), x));
  });

  it('keeps 0 and -0 apart, and NaN equal to itself', () => {
    expect(constant(0)).not.toBe(constant(-0));
    expect(constant(NaN)).toBe(constant(NaN));
  });

  it('has an op table entry for every non-leaf op, and nothing else', () => {
    expect(Object.keys(OP_TABLE).sort()).toEqual(OPS.filter(isApplyOp).sort());
  });

  it('treats scalars as rank-0 tensors and broadcasts shapes with symbols', () => {
    expect(input('x').shape).toEqual([]);
    expect(broadcastShapes('add', [['batch', 3], [3]])).toEqual(['batch', 3]);
    expect(broadcastShapes('add', [['batch', 1], [1, 4]])).toEqual(['batch', 4]);
    expect(() => broadcastShapes('add', [[2, 3], [4]])).toThrow(ShapeError);
    expect(() => broadcastShapes('add', [['batch'], ['time']])).toThrow('[batch] and [time] do not broadcast');
    expect(add(input('v', [3]), constant(1)).shape).toEqual([3]);
  });

  it('refuses ill-formed nodes at construction', () => {
    expect(() => apply('sin', input('x'), input('y'))).toThrow(IRError);
    expect(() => apply('select', input('x'), input('x'), input('x'))).toThrow('operand 1 must be bool');
  });

  it('prints deterministically, numbering nodes in schedule order', () => {
    const x = input('x');
    const y = input('y');
    const prog = { inputs: [x, y], outputs: [{ name: 'f', node: mul(apply('sin', x), add(x, constant(-0))) }] };
    const text = [
      '   %0 = input y : f64[]',
      '   %1 = input x : f64[]',
      '   %2 = sin %1 : f64[]',
      '   %3 = const -0 : f64[]',
      '   %4 = add %1, %3 : f64[]',
      '   %5 = mul %2, %4 : f64[]',
      '   out f = %5',
    ].join('\n');
    expect(printProgram(prog)).toBe(text);
  });

  it('verifies binding and shapes, printing the program around the bad node', () => {
    const x = input('x');
    expect(() => verify({ inputs: [], outputs: [{ name: 'f', node: apply('exp', x) }] })).toThrow(
      "input 'x' is not a declared program input\n>> %0 = input x",
    );
    // A node forged past the builder, with a wrong shape, is caught by the verifier.
    const forged = internApply('acosh', [input('forged')], [2], 'f64');
    expect(() => verify({ inputs: [input('forged')], outputs: [{ name: 'f', node: forged }] })).toThrow(VerifyError);
  });
});
