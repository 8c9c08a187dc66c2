// AdamW (Loshchilov & Hutter 2017): Adam with decoupled weight decay, as
// torch.optim.AdamW computes it. Before the Adam update each step shrinks the
// parameters, θ ← θ (1 − γ λ), instead of adding λθ to the gradient, so the decay
// is not rescaled by the adaptive denominator. PyTorch's default λ here is 1e-2.
import { Adam, type AdamOptions } from './adam.ts';

export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;

export class AdamW extends Adam {
  override readonly type: string = 'AdamW';

  constructor(options: AdamWOptions = {}) {
    super({ ...options, weightDecay: options.weightDecay ?? 1e-2, decoupledWeightDecay: true });
  }
}
