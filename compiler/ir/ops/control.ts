/**
 * Structured loops and derivative control: `scan` (one result of a loop; see
 * scanNode.ts) and `stopGradient` (the value unchanged, the derivative cut).
 */
import type { OpDef } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { evaluateLoop } from '../evaluateScan.ts';
import { loopKey, scanShape } from '../scanNode.ts';
import { helperCall } from '../syntax.ts';
import { notElementwise } from './shapeOps.ts';
import { scanGroupVjp, scanJvp } from './scanDerivative.ts';

export const controlOps = {
  scan: {
    doc: 'one result of a structured loop: a final carry, a stacked per-step output, the carry history or the step count',
    arity: 'variadic',
    inputTypes: f64,
    output: 'f64',
    shape: (_op, inputs, attrs) => scanShape(inputs, attrs),
    evaluate: notElementwise('scan'),
    emission: { kind: 'loop' },
    evaluateTensor: (inputs, attrs, _out, sizes) => evaluateLoop(inputs, attrs, sizes)(attrs),
    derivative: { jvp: scanJvp, vjp: (node, bar, reverse) => scanGroupVjp([node], [bar], reverse) },
    group: { key: loopKey, evaluate: evaluateLoop, vjp: scanGroupVjp },
    syntax: helperCall('scan'),
  },
  stopGradient: {
    doc: 'the value unchanged, with a zero derivative in every mode: cuts a path for differentiation',
    arity: 1,
    inputTypes: f64,
    output: 'f64',
    shape: (_op, [a]) => a!,
    evaluate: ([x]) => x!,
    emission: { kind: 'flatCopy' },
    evaluateTensor: ([x]) => ({ shape: [...x!.shape], data: x!.data.slice() }),
    derivative: { jvp: () => null, vjp: () => [null] },
    // An identity: the emitter reads the operand itself.
    syntax: { ts: { kind: 'call', name: '' }, math: { kind: 'call', name: 'stopGradient' } },
  },
} satisfies Record<string, OpDef>;
