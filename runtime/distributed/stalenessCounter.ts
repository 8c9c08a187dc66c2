// Counts the staleness of asynchronous updates as a histogram (integers, so the mean
// is exact up to one division), with the gradients dropped or held for the bound.
import type { StalenessRecord } from '../train/options.ts';

export class StalenessCounter {
  private histogram: number[] = [];
  private updates = 0;
  private sum = 0;
  private dropped = 0;
  private held = 0;

  applied(staleness: number): void {
    while (this.histogram.length <= staleness) this.histogram.push(0);
    this.histogram[staleness]!++;
    this.updates++;
    this.sum += staleness;
  }

  drop(): void {
    this.dropped++;
  }

  hold(): void {
    this.held++;
  }

  record(): StalenessRecord {
    const { updates, dropped, held } = this;
    return { updates, mean: updates === 0 ? 0 : this.sum / updates, max: Math.max(0, this.histogram.length - 1), histogram: [...this.histogram], dropped, held };
  }

  reset(): void {
    this.histogram = [];
    this.updates = this.sum = this.dropped = this.held = 0;
  }
}
