/**
 * Derivatives with respect to a variable the expression does not use are 0
 * (as in SymPy, JAX and mathjs): gradient entries, JVP contributions, H·v
 * entries and Hessian rows and columns. `strictWrt` turns it into an error.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../compiler/cli.ts';
import { compileExpression } from '../../../compiler/index.ts';
import { typeCheckModule } from '../../../compiler/load/typeCheckModule.ts';
import { differentiate } from '../gradcheck.ts';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const f = (x: number, y: number) => x ** 2 * Math.sin(y);

describe('wrt variables the expression does not use', () => {
  const c = compileExpression('x^2*sin(y)', { wrt: ['x', 'z', 'y'] });
  const p = { x: 1.3, y: 0.4, z: 7 };

  it('have gradient 0, and the other entries match finite differences', () => {
    const g = c.gradient(p);
    expect(c.unusedWrt).toEqual(['z']);
    expect(g[1]).toBe(0);
    const fd = differentiate((t) => [f(p.x + t, p.y), f(p.x, p.y + t)], 1e-3);
    expect(g[0]).toBeCloseTo(fd.derivative[0]!, 8);
    expect(g[2]).toBeCloseTo(fd.derivative[1]!, 8);
  });

  it('contribute nothing to a JVP, and have zero H·v entries and Hessian rows and columns', () => {
    const t = { x: 0.5, y: -0.25, z: 3 };
    expect(c.jvp(p, t)).toBeCloseTo(c.jvp(p, { ...t, z: 0 }), 14);
    const fd = differentiate((s) => [f(p.x + s * t.x, p.y + s * t.y)], 1e-3);
    expect(c.jvp(p, t)).toBeCloseTo(fd.derivative[0]!, 8);
    const hv = c.hvp(p, t);
    expect(hv[1]).toBe(0);
    const h = c.hessian(p);
    expect(h[1]).toEqual([0, 0, 0]);
    expect(h.map((row) => row[1])).toEqual([0, 0, 0]);
    // H·v from the dense Hessian, the z column contributing nothing.
    expect(hv[0]).toBeCloseTo(h[0]![0]! * t.x + h[0]![2]! * t.y, 12);
  });

  it('may be left out of a point: their value changes nothing', () => {
    expect(c.gradient({ x: p.x, y: p.y })).toEqual(c.gradient(p));
    expect(c.value({ x: p.x, y: p.y })).toBe(f(p.x, p.y));
  });

  it('work for tensor-shaped unused variables, and the flat objective gives their block zeros', () => {
    const t = compileExpression('sum(a.^2)', { wrt: ['a', 'b'], shapes: { a: [2], b: [3] } });
    expect(t.gradient({ a: [1, 2] })).toEqual([2, 4, 0, 0, 0]);
    const obj = t.objective();
    const g = new Float64Array(5).fill(9);
    expect(obj(Float64Array.from([1, 2, 5, 6, 7]), g)).toBe(5);
    expect(Array.from(g)).toEqual([2, 4, 0, 0, 0]);
  });

  it('give a module that type-checks under --strict --noUnusedLocals --noUnusedParameters', () => {
    expect(typeCheckModule(c.source)).toEqual([]);
    expect(typeCheckModule(compileExpression('3', { wrt: ['x'] }).source)).toEqual([]);
    expect(typeCheckModule(compileExpression('sum(a.^2)', { wrt: ['a', 'b'], shapes: { a: [2], b: [3] } }).source)).toEqual([]);
  });

  it('are an error with strictWrt', () => {
    expect(() => compileExpression('x^2', { wrt: ['x', 'z'], strictWrt: true })).toThrow(/cannot differentiate with respect to 'z': it does not appear in 'x\^2'/);
  });

  it('gradc diff prints a note on stderr and the zero derivative', async () => {
    const r = await run('diff', 'x^2', '--wrt', 'x,z', '--at', 'x=3', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ value: 9, gradient: [6, 0] });
    expect(r.err).toBe('note: z does not appear in the expression; its derivatives are 0 (--strict-wrt makes this an error)');
    const strict = await run('diff', 'x^2', '--wrt', 'x,z', '--strict-wrt');
    expect(strict.code).toBe(2);
    expect(strict.err).toContain("gradc: error: cannot differentiate with respect to 'z'");
  });
});
