// Checkpoint encoding keeps every bit: Float64Array bytes, ±Infinity, NaN and −0.
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../../runtime/index.ts';

describe('checkpoint encoding', () => {
  it('round-trips Float64Arrays bit for bit and the numbers JSON cannot hold', () => {
    const a = Float64Array.from([0.1, -0, Math.PI, Number.MIN_VALUE, -Infinity, 1e308]);
    const bytes = new Uint8Array(a.buffer);
    // A NaN with a payload, which a number round trip through JSON would lose.
    const weird = new Float64Array(1);
    new DataView(weird.buffer).setBigUint64(0, 0x7ff8_0000_dead_beefn, true);
    const value = { a, weird, nested: [{ best: Infinity, lo: -Infinity, nan: NaN, zero: -0, n: 0.30000000000000004 }], s: 'x', none: null };
    const back = decodeCheckpoint(encodeCheckpoint(value)) as typeof value;
    expect(back.a).toBeInstanceOf(Float64Array);
    expect(new Uint8Array(back.a.buffer)).toEqual(bytes);
    expect(new DataView(back.weird.buffer).getBigUint64(0, true)).toBe(0x7ff8_0000_dead_beefn);
    expect(back.nested[0]!.best).toBe(Infinity);
    expect(back.nested[0]!.lo).toBe(-Infinity);
    expect(back.nested[0]!.nan).toBeNaN();
    expect(Object.is(back.nested[0]!.zero, -0)).toBe(true);
    expect(back.nested[0]!.n).toBe(0.30000000000000004);
    expect([back.s, back.none]).toEqual(['x', null]);
  });

  it('copies a Float64Array view, not its whole buffer', () => {
    const big = Float64Array.from([1, 2, 3, 4]);
    const back = decodeCheckpoint(encodeCheckpoint({ v: big.subarray(1, 3) })) as { v: Float64Array };
    expect(Array.from(back.v)).toEqual([2, 3]);
  });
});
