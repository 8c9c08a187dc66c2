// examples/depth on a small slice of the digits: the compiled deep MLP's loss equals the
// forward pass's cross-entropy, the --health kernel counts dead ReLUs and saturated units, and depth with sigmoid
// units from a small initialisation makes the first layer's gradient vanish (and the
// trainer say so) where two layers do not.
import { describe, expect, it } from 'vitest';
import { deepMlp } from '../../examples/depth/deepMlp.ts';
import { depthData, trainDepth } from '../../examples/depth/depth.ts';
import { rnnClipping } from '../../examples/depth/rnnClipping.ts';

const data = depthData(512, 256);

describe('examples/depth', () => {
  it("the compiled loss is the forward pass's softmax cross-entropy, for every depth and activation", () => {
    for (const [depth, activation] of [[2, 'sigmoid'], [4, 'tanh'], [3, 'relu']] as const) {
      const m = deepMlp(depth, 8, activation);
      const p = m.init('scaled', 1);
      const n = 20;
      const logits = m.forward(p, data.validation.x, n);
      let ce = 0;
      for (let r = 0; r < n; r++) {
        const row = logits.subarray(r * 10, r * 10 + 10);
        const max = Math.max(...row);
        ce += max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0)) - row[data.validation.y[r]!]!;
      }
      expect(m.valueAndGradient(p, data.validation.x, data.validation.y, n, new Float64Array(m.size))).toBeCloseTo(ce / n, 10);
    }
  });

  it("the compiled kernel counts a ReLU layer whose biases are very negative as all dead, and saturated tanh units", () => {
    const m = deepMlp(3, 8, 'relu');
    const p = m.init('scaled', 1);
    const n = 50;
    m.valueAndGradient(p, data.validation.x, data.validation.y, n, new Float64Array(m.size));
    const alive = m.health()!.activations.map((a) => a.fraction);
    expect(alive).toHaveLength(2);
    expect(alive.every((d) => d < 1)).toBe(true);
    const b1 = m.layout.params.find((e) => e.name === 'b1')!;
    p.fill(-100, b1.offset, b1.offset + b1.size);
    m.valueAndGradient(p, data.validation.x, data.validation.y, n, new Float64Array(m.size));
    // Layer 2 sees only zeros, so each unit outputs relu(its bias) = 0 (biases start at 0): dead too.
    expect(m.health()!.activations.map((a) => [a.measure, a.fraction])).toEqual([['dead', 1], ['dead', 1]]);
    const t = deepMlp(2, 8, 'tanh');
    const q = t.init('scaled', 1).map((w) => 100 * w);
    t.valueAndGradient(q, data.validation.x, data.validation.y, n, new Float64Array(t.size));
    expect(t.health()!.activations.map((a) => a.measure)).toEqual(['saturated']);
    expect(t.health()!.activations[0]!.fraction).toBeGreaterThan(0.9);
  });

  it('sigmoid from a small initialisation: the gradient vanishes at depth 8 (and the trainer warns), not at depth 2', async () => {
    const shallow = await trainDepth(data, 2, 'sigmoid', 'small', 1, 16);
    const deep = await trainDepth(data, 8, 'sigmoid', 'small', 1, 16);
    expect(shallow.vanishingWarned).toBe(false);
    expect(deep.vanishingWarned).toBe(true);
    expect(deep.firstOverLast).toBeLessThan(1e-3 * shallow.firstOverLast);
    // Down the deep net the gradient per weight falls layer after layer.
    const g = deep.layerGradients;
    for (let l = 1; l < g.length - 1; l++) expect(g[l - 1]!).toBeLessThan(g[l]!);
  });
});

describe('examples/depth: exploding gradients in an RNN on 100-step sequences', () => {
  it('without clipping the trainer warns of exploding gradients and the fit is worse; clipping by norm trains', async () => {
    const [plain, clipped] = [await rnnClipping(false, 2), await rnnClipping(true, 2)];
    const explodingNorm = (r: typeof plain) => r.health.some((h) => h.warnings.some((w) => w.kind === 'exploding' && w.block === undefined));
    expect(explodingNorm(plain)).toBe(true);
    expect(explodingNorm(clipped)).toBe(false);
    expect(clipped.mse).toBeLessThan(plain.mse);
    // Through time (the --health kernel's ‖∂L/∂h_t‖): both start exploding (clipping bounds the step, not the
    // Jacobians' product), ‖∂L/∂h‖ at the first step 10⁴ times the last's.
    for (const r of [plain, clipped]) {
      const g = r.stateGradients[0]!;
      expect(g).toHaveLength(100);
      expect(g[0]! / g[99]!).toBeGreaterThan(1e3);
      expect(r.health[0]!.warnings.filter((w) => w.block?.endsWith(' h') === true).map((w) => w.kind)).toEqual(['exploding']);
    }
  });
});
