/** Source-line attribution survives differentiation and the optimizer. */
import { describe, expect, it } from 'vitest';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { jvp } from '../../compiler/autodiff/forward.ts';
import { cos, exp, input, mul, sin } from '../../compiler/ir/build.ts';
import { originOf, withOrigin } from '../../compiler/ir/origin.ts';
import type { SourceOrigin } from '../../compiler/ir/origin.ts';
import { optimize } from '../../compiler/passes/pipeline.ts';

const at = (line: number): SourceOrigin => ({ file: 'm.model.ts', line, column: 3, text: `line ${line}` });

describe('node origins', () => {
  it('attributes nodes built in a scope, first origin wins', () => {
    const x = input('originX');
    const a = withOrigin(at(1), () => sin(x));
    withOrigin(at(2), () => sin(x)); // the same hash-consed node, seen again
    expect(originOf(a)?.line).toBe(1);
    expect(originOf(x)).toBeUndefined();
  });

  it('adjoint and tangent code carries the line of the node it differentiates', () => {
    const x = input('originY');
    const a = withOrigin(at(4), () => exp(x));
    const b = withOrigin(at(5), () => mul(a, cos(a)));
    const [g] = gradient(b, [x]);
    const [t] = jvp([b], new Map([[x, input('originYDot')]]));
    // The derivative of cos(a) (built for line 5) is -sin(a): attributed to line 5.
    expect(originOf(sin(a))?.line).toBe(5);
    expect(originOf(g!)?.line).toBeDefined();
    expect(originOf(t!)?.line).toBeDefined();
  });

  it('rewritten nodes keep the line of what they replace', () => {
    const x = input('originZ');
    const y = withOrigin(at(9), () => mul(exp(x), exp(x)));
    const out = optimize({ inputs: [x], outputs: [{ name: 'y', node: y }] }).program.outputs[0]!.node;
    expect(originOf(out)?.line).toBe(9);
  });
});
