// SequentialLR: hand the lr from one scheduler to the next at milestone epochs
// (torch.optim.lr_scheduler.SequentialLR), e.g. a LinearLR warm-up, then cosine.
//
// At a milestone the next scheduler restarts from its epoch 0 (closed form, so from
// the base lr); between milestones the active scheduler steps as usual. Build the
// children on the same target first; SequentialLR then undoes their initial steps,
// puts the lr back to the initial lr and performs the first child's initial step.
import { LRScheduler, bisectRight, check, type LrTarget, type SchedulerStateDict } from './scheduler.ts';

export interface SequentialLROptions {
  /** Schedulers in the order they take over. */
  readonly schedulers: readonly LRScheduler[];
  /** Epochs at which the next scheduler takes over: one fewer than schedulers. */
  readonly milestones: readonly number[];
}

/** The closed form over child closed forms: each `at(epoch)` counts from its own epoch 0. */
export function sequentialLRAt(
  epoch: number,
  schedules: readonly ((epoch: number) => number)[],
  milestones: readonly number[],
): number {
  const idx = bisectRight(milestones, epoch);
  const start = idx === 0 ? 0 : milestones[idx - 1]!;
  return schedules[idx]!(epoch - start);
}

export class SequentialLR extends LRScheduler {
  readonly type = 'SequentialLR';
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];

  constructor(optimizer: LrTarget, options: SequentialLROptions) {
    super(optimizer);
    const { schedulers, milestones } = options;
    check(schedulers.length >= 1, 'SequentialLR expects at least one scheduler, but got none.');
    schedulers.forEach((s, i) => {
      check(s.optimizer === optimizer, `SequentialLR expects all schedulers to drive the same optimizer, but the one at index ${i} (${s.type}) drives another.`);
    });
    check(
      milestones.length === schedulers.length - 1,
      `SequentialLR expects one milestone fewer than schedulers, but got ${schedulers.length} schedulers and ${milestones.length} milestones.`,
    );
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.lastEpoch = 0;
    optimizer.lr = this.baseLr;
    this.undoInitialStep();
    schedulers[0]!.initialStep();
    this.lastLr = schedulers[0]!.getLastLr();
  }

  override step(): void {
    this.lastEpoch++;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.updateLr(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  override undoInitialStep(): void {
    for (const s of this.schedulers) s.undoInitialStep();
  }

  protected chainableLr(): number {
    throw new Error('SequentialLR computes no lr of its own; its schedulers do.');
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), children: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(state: SchedulerStateDict): void {
    super.loadStateDict(state);
    const children = state.children ?? [];
    check(children.length === this.schedulers.length, `SequentialLR state dict has ${children.length} schedulers, this one has ${this.schedulers.length}.`);
    this.schedulers.forEach((s, i) => s.loadStateDict(children[i]!));
  }
}
