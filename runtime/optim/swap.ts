// Swapping averaged parameters in for evaluation and the live ones back afterwards.
// Shared by ASGD (whose average is part of the algorithm) and PolyakAveraging.

export class ParamSwap {
  private backup: Float64Array | null = null;
  private active = false;

  /** True between swapIn and swapOut. */
  get swapped(): boolean {
    return this.active;
  }

  /** Saves `params` and overwrites them with `averaged`. */
  swapIn(owner: string, params: Float64Array, averaged: Float64Array): void {
    if (this.active) throw new Error(`${owner}.swapIn: the averaged parameters are already swapped in; call swapOut first.`);
    if (averaged.length !== params.length) {
      throw new RangeError(`${owner}.swapIn: the average has ${averaged.length} entries but params has ${params.length}.`);
    }
    if (this.backup === null || this.backup.length !== params.length) this.backup = new Float64Array(params.length);
    this.backup.set(params);
    params.set(averaged);
    this.active = true;
  }

  /** Restores the parameters saved by swapIn, bit for bit. */
  swapOut(owner: string, params: Float64Array): void {
    if (!this.active || this.backup === null) throw new Error(`${owner}.swapOut: nothing is swapped in; call swapIn first.`);
    if (this.backup.length !== params.length) {
      throw new RangeError(`${owner}.swapOut: ${this.backup.length} parameters were swapped in but params has ${params.length}.`);
    }
    params.set(this.backup);
    this.active = false;
  }

  /** Throws if a training step is attempted on swapped-in averages. */
  assertNotSwapped(owner: string): void {
    if (this.active) throw new Error(`${owner}.step: the averaged parameters are swapped in; call swapOut before training on.`);
  }
}
