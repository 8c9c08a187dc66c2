// CosineAnnealingWarmRestarts: SGDR (Loshchilov & Hutter 2016), the cosine decay with
// warm restarts (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts).
//
//   η_t = η_min + ½ (η_max − η_min)(1 + cos(π T_cur / T_i))
//
// T_cur counts epochs since the last restart and T_i is the length of the current
// cycle: T_0 first, multiplied by T_mult after every restart. Epochs may be
// fractional (step(epoch + i / batches) after each batch).
//
// One deliberate difference from PyTorch: for step(epoch) with T_mult > 1 PyTorch finds
// the cycle with a floating-point logarithm, which rounds down at some exact restart
// epochs (T_0 = 1, T_mult = 10, epoch 111 lands at the end of the previous cycle,
// η_min, instead of the start of a new one, η_max). We find the cycle exactly.
import { LRScheduler, check, stateValue, type LrTarget, type SchedulerStateDict } from './scheduler.ts';

export interface CosineAnnealingWarmRestartsOptions {
  /** Length of the first cycle, in epochs (a positive integer). */
  readonly T0: number;
  /** Factor by which each cycle is longer than the one before (an integer >= 1). Default 1. */
  readonly TMult?: number;
  /** Lowest learning rate. Default 0. */
  readonly etaMin?: number;
}

/** The cycle holding `epoch` (>= 0): its length T_i and the position T_cur within it. */
export function warmRestartCycle(epoch: number, T0: number, TMult: number): { readonly Ti: number; readonly Tcur: number } {
  if (TMult === 1) return { Ti: T0, Tcur: epoch % T0 };
  let start = 0;
  let Ti = T0;
  // Cycle n starts at T0 (TMult^n − 1) / (TMult − 1); walk to the one holding epoch.
  while (epoch >= start + Ti) {
    start += Ti;
    Ti *= TMult;
  }
  return { Ti, Tcur: epoch - start };
}

/** The closed form: the lr at `epoch` (fractional allowed) with η_max = `baseLr`. */
export function cosineAnnealingWarmRestartsAt(
  epoch: number,
  baseLr: number,
  options: CosineAnnealingWarmRestartsOptions,
): number {
  const { Ti, Tcur } = warmRestartCycle(epoch, options.T0, options.TMult ?? 1);
  return cosineAt(Tcur, Ti, baseLr, options.etaMin ?? 0);
}

function cosineAt(Tcur: number, Ti: number, etaMax: number, etaMin: number): number {
  return etaMin + ((etaMax - etaMin) * (1 + Math.cos((Math.PI * Tcur) / Ti))) / 2;
}

export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly type = 'CosineAnnealingWarmRestarts';
  readonly T0: number;
  readonly TMult: number;
  readonly etaMin: number;
  /** Length of the current cycle. */
  Ti: number;
  /** Epochs since the last restart (fractional after step(epoch)). */
  Tcur = -1;

  constructor(optimizer: LrTarget, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer);
    const TMult = options.TMult ?? 1;
    check(Number.isInteger(options.T0) && options.T0 >= 1, `Expected positive integer T0, but got ${options.T0}.`);
    check(Number.isInteger(TMult) && TMult >= 1, `Expected integer TMult >= 1, but got ${TMult}.`);
    this.T0 = options.T0;
    this.Ti = options.T0;
    this.TMult = TMult;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  /** Advances one epoch, or jumps to `epoch`, which may be fractional. */
  override step(epoch?: number): void {
    this.stepCount++;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.Tcur += 1;
      if (this.Tcur >= this.Ti) {
        this.Tcur %= this.Ti;
        this.Ti *= this.TMult;
      }
    } else {
      check(epoch >= 0, `Expected non-negative epoch, but got ${epoch}.`);
      const { Ti, Tcur } = warmRestartCycle(epoch, this.T0, this.TMult);
      this.Ti = Ti;
      this.Tcur = Tcur;
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLr(this.chainableLr());
  }

  /** Also what SequentialLR's restart at epoch 0 uses: the current T_cur, as in PyTorch. */
  protected chainableLr(): number {
    return cosineAt(this.Tcur, this.Ti, this.baseLr, this.etaMin);
  }

  protected override extraState(): Record<string, number> {
    return { Ti: this.Ti, Tcur: this.Tcur };
  }

  protected override loadExtraState(state: SchedulerStateDict): void {
    this.Ti = stateValue(state, 'Ti');
    this.Tcur = stateValue(state, 'Tcur');
  }
}
