// Staleness-aware learning rate and delay compensation, on the least-squares
// quadratic of the regression golden module (0.5 Σ (A v − t)², Hessian AᵀA): with a
// scripted round-robin order every update but the first two is 2 updates stale.
// DC-ASGD's correction is checked against its formula bit for bit; the HVP correction
// recovers the gradient at the server's current parameters (exact on a quadratic, up
// to rounding), so the asynchronous run is sequential SGD.
import { describe, expect, it } from 'vitest';
import { loadShardLoss, trainDistributed, type AsyncOptions, type DistributedEvent } from '../../../runtime/index.ts';
import { QUADRATIC_FUNCTION, QUADRATIC_MODULE, RecordingSGD, quadraticData, sameBits } from './fixtures.ts';

const data = quadraticData(120, 11);
const model = { module: QUADRATIC_MODULE, function: QUADRATIC_FUNCTION, data };
/** 6 batches of 20 an epoch, 3 workers in turn. */
const script = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2];
const LR = 0.01;
type Update = Extract<DistributedEvent, { kind: 'update' }>;

async function runAsync(async: AsyncOptions) {
  const params = new Float64Array(4);
  const optimizer = new RecordingSGD({ lr: LR });
  const updates: Update[] = [];
  const result = await trainDistributed({
    params, examples: data.count, optimizer, epochs: 2, batchSize: 20, seed: 3, progress: false,
    distributed: { mode: 'async', workers: 3, model, async: { script, ...async }, onEvent: (e) => void (e.kind === 'update' && updates.push({ ...e, indices: e.indices.slice() })) },
  });
  expect(updates.map((u) => u.staleness)).toEqual([0, 1, 2, 2, 2, 2, 0, 1, 2, 2, 2, 2]);
  return { params, optimizer, updates, result };
}

const gradientAt = async () => {
  const loss = await loadShardLoss({ module: QUADRATIC_MODULE, function: QUADRATIC_FUNCTION, data });
  return (w: Float64Array, indices: Int32Array): Float64Array => {
    const g = new Float64Array(4);
    loss(w, indices, g);
    return g;
  };
};

const norm = (v: Float64Array): number => Math.hypot(...v);
const distance = (a: Float64Array, b: Float64Array): number => norm(a.map((x, i) => x - b[i]!));

describe('asynchronous SGD: staleness-aware learning rate and delay compensation', () => {
  it('the staleness-aware learning rate takes an update of staleness τ ≥ 2 with lr / τ, and leaves the optimizer at lr', async () => {
    const { optimizer, updates } = await runAsync({ stalenessAwareLr: true });
    expect(optimizer.lrs).toEqual(updates.map((u) => (u.staleness >= 2 ? LR / u.staleness : LR)));
    expect(updates.map((u) => u.lrScale)).toEqual(updates.map((u) => (u.staleness >= 2 ? 1 / u.staleness : 1)));
    expect(optimizer.lr).toBe(LR);
  });

  it("DC-ASGD ('dc', λ = 0.5) applies g + λ g⊙g⊙(w_now − w_read), bit for bit, with g the gradient at w_read", async () => {
    const lambda = 0.5;
    const { optimizer, updates } = await runAsync({ compensation: { kind: 'dc', lambda } });
    const at = await gradientAt();
    let corrected = 0;
    for (const u of updates) {
      const wRead = optimizer.before[u.readVersion]!;
      const wNow = optimizer.before[u.step - 1]!;
      const g = at(wRead, u.indices);
      const expected = g.map((gi, i) => gi + lambda * gi * gi * (wNow[i]! - wRead[i]!));
      expect(sameBits(optimizer.grads[u.step - 1]!, expected)).toBe(true);
      expect(u.compensated).toBe(u.staleness > 0);
      if (!sameBits(expected, g)) corrected++;
    }
    expect(corrected).toBe(10);
  });

  it("the HVP correction ('hvp') applies g + H(w_read)(w_now − w_read) = g(w_now) exactly on a quadratic: the run is sequential SGD", async () => {
    const { params, optimizer, updates } = await runAsync({ compensation: { kind: 'hvp' } });
    const at = await gradientAt();
    for (const u of updates) {
      const wNow = optimizer.before[u.step - 1]!;
      const wRead = optimizer.before[u.readVersion]!;
      const fresh = at(wNow, u.indices);
      const applied = optimizer.grads[u.step - 1]!;
      // Rounding only: the stale gradient is far off whenever the parameters moved.
      expect(distance(applied, fresh)).toBeLessThanOrEqual(1e-12 * norm(fresh));
      if (u.staleness > 0) expect(distance(at(wRead, u.indices), fresh)).toBeGreaterThan(1e-3 * norm(fresh));
    }
    // Sequential SGD over the same batches in the same order, each gradient at the current parameters.
    const sequential = new Float64Array(4);
    for (const u of updates) {
      const g = at(sequential, u.indices);
      for (let i = 0; i < 4; i++) sequential[i] = sequential[i]! - LR * g[i]!;
    }
    expect(distance(params, sequential)).toBeLessThanOrEqual(1e-12 * norm(sequential));
  });

  it("a damped HVP correction ('hvp', λ = 0.5) applies g + λ H(w_read)(w_now − w_read): half way to g(w_now) on a quadratic", async () => {
    const { optimizer, updates } = await runAsync({ compensation: { kind: 'hvp', lambda: 0.5 } });
    const at = await gradientAt();
    for (const u of updates) {
      const stale = at(optimizer.before[u.readVersion]!, u.indices);
      const fresh = at(optimizer.before[u.step - 1]!, u.indices);
      const halfway = stale.map((g, i) => g + 0.5 * (fresh[i]! - g));
      expect(distance(optimizer.grads[u.step - 1]!, halfway)).toBeLessThanOrEqual(1e-12 * norm(fresh));
    }
  });

  it('without compensation the same run applies the stale gradients themselves', async () => {
    const { optimizer, updates } = await runAsync({});
    const at = await gradientAt();
    for (const u of updates) expect(sameBits(optimizer.grads[u.step - 1]!, at(optimizer.before[u.readVersion]!, u.indices))).toBe(true);
  });
});
