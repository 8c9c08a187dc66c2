// examples/surface on a short run: the planes pass through the trained parameters,
// the line through both ends, the Hessian directions are eigenvectors of the generated
// HVP, and the training path lies (almost) in its principal plane.
import { describe, expect, it } from 'vitest';
import { lossFlat } from '../../examples/iris/mlp.grad.ts';
import { surfaceRun } from '../../examples/surface/surface.ts';
import { fitStandardizer, loadIris, standardize } from '../../runtime/index.ts';

describe('examples/surface', async () => {
  const run = await surfaceRun(15, 11);
  const centre = (s: { xs: Float64Array; ys: Float64Array; losses: Float64Array }) => s.losses[((s.ys.length - 1) / 2) * s.xs.length + (s.xs.length - 1) / 2]!;

  it('draws planes through the trained parameters and the line through both ends', () => {
    const trained = run.value(run.trained);
    expect(trained).toBeLessThan(run.value(run.initial));
    for (const s of [run.random, run.pca, run.hessian]) expect(centre(s)).toBe(trained);
    const i0 = run.line.alphas.findIndex((a) => Math.abs(a) < 1e-12);
    const i1 = run.line.alphas.findIndex((a) => Math.abs(a - 1) < 1e-12);
    expect(run.line.losses[i0]).toBeCloseTo(run.value(run.initial), 12);
    expect(run.line.losses[i1]).toBeCloseTo(trained, 12);
  });

  it('takes eigenvectors of the generated Hessian-vector product, and the principal plane holds the path', () => {
    const iris = loadIris();
    const data = standardize(iris, fitStandardizer(iris));
    const f = lossFlat(data.x, data.y);
    run.eigenvectors.forEach((u, k) => {
      const hu = new Float64Array(u.length);
      f.hvp(run.trained, u, hu);
      const lambda = run.eigenvalues[k]!;
      expect(Math.sqrt(hu.reduce((s, h, i) => s + (h - lambda * u[i]!) ** 2, 0))).toBeLessThan(1e-6 * Math.abs(run.eigenvalues[0]!));
    });
    expect(run.eigenvalues[0]).toBeGreaterThanOrEqual(run.eigenvalues[1]!);
    expect(run.explained[0] + run.explained[1]).toBeGreaterThan(0.9);
  });
});
