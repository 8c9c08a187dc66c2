// The training loop: epochs of shuffled mini-batches (optionally a growing curriculum,
// optionally windows of truncated BPTT), gradient accumulation, clipping, optimizer
// and schedule steps, validation, early stopping, checkpoints, progress, metrics and
// learning curves. Every random choice comes from one seeded generator whose state is
// checkpointed, so a resumed run repeats the uninterrupted one bit for bit. A step whose
// loss or gradient is NaN or ±Infinity stops the run (or is skipped) before the update.
// Where each step's gradient comes from is a GradientSource: computed here by train(),
// by worker threads for trainDistributed() (runtime/distributed), through this one loop.
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { clipGradNorm } from '../clip/clipGradNorm.ts';
import { clipGradValue } from '../clip/clipGradValue.ts';
import { ReduceLROnPlateau } from '../schedule/reduceLROnPlateau.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { admittedCount, easiestFirst, pacingFunction } from './curriculum.ts';
import { writeLearningCurves } from './curves.ts';
import { EarlyStopping } from './earlyStopping.ts';
import { localGradient, type GradientSource, type StepContext } from './gradientSource.ts';
import { FiniteTwins } from './finiteTwins.ts';
import { HealthMonitor, checkHealthOptions, healthSummary, type HealthWarning } from './health.ts';
import { NonFiniteError, findNonFinite, modelOriginOf, blockOf, type Diagnosis, type NonFiniteFinding } from './nonFinite.ts';
import type { EpochRecord, Metrics, TrainOptions, TrainResult, TrainUnit, UnitLoss } from './options.ts';
import { createProgress, formatLoss, silentProgress, type Progress } from './progress.ts';
import { SeededRng } from '../random/seededRng.ts';
import { range, shuffleInPlace } from '../random/shuffle.ts';
import { firstNonFinite } from './stateSchemas.ts';
import { removeStaleTemporaries } from './staleTemporaries.ts';
import { CHECKPOINT_FORMAT, checkTrainingState, type LoopState, type TrainingState } from './trainingState.ts';

export async function train(options: TrainOptions): Promise<TrainResult> {
  return runTraining(options, localGradient(options.loss, options.params.length, options.accumulate ?? 1));
}

/**
 * The options of the loop itself: train()'s, with the step's gradient from a
 * GradientSource; `loss`, when there is one in this thread, is what a non-finite
 * step's diagnosis re-runs by default (without it only a `diagnose` loss can).
 */
export type LoopOptions = Omit<TrainOptions, 'loss'> & { readonly loss?: UnitLoss };

/** The training loop behind train() and trainDistributed(), with the step's gradient from `source`. */
export async function runTraining(options: LoopOptions, source: GradientSource): Promise<TrainResult> {
  checkOptions(options);
  const run = new Run(options, source);
  let stoppedEarly: boolean;
  let resumedFrom: TrainResult['resumedFrom'];
  try {
    resumedFrom = run.resume();
    stoppedEarly = await run.loop();
  } finally {
    // A loss or callback that throws must not leave a live bar (and a hidden cursor) behind.
    run.progress.stop();
  }
  const restoredEpoch = run.finish(stoppedEarly);
  const plot = options.plot === undefined ? null : await writeLearningCurves(run.state.history, options.plot.path, options.plot.title);
  if (plot !== null) run.progress.note(`learning curves: ${plot.pngPath}`);
  return { history: run.state.history, steps: run.state.step, skippedSteps: run.state.skippedSteps ?? 0, stoppedEarly, restoredEpoch, resumedFrom, plot };
}

/** The examples one epoch trains on, in order: the curriculum's admitted set, shuffled. */
export function epochOrder(epoch: number, count: number, rng: SeededRng, options: Pick<TrainOptions, 'curriculum' | 'shuffle'>, easiest: Int32Array | null): Int32Array {
  const order = options.curriculum === undefined || easiest === null ? range(count) : easiest.slice(0, admitted(epoch, { curriculum: options.curriculum, examples: count }, easiest));
  return options.shuffle === false ? order : shuffleInPlace(order, rng);
}

/** How many examples epoch `epoch` trains on: the curriculum's admitted count, or all. */
function admitted(epoch: number, options: Pick<TrainOptions, 'curriculum' | 'examples'>, easiest: Int32Array | null): number {
  if (options.curriculum === undefined || easiest === null) return options.examples;
  return admittedCount(pacingFunction(options.curriculum.pacing)(epoch), options.examples);
}

class Run {
  readonly o: LoopOptions;
  readonly state: LoopState;
  readonly early: EarlyStopping | null;
  readonly progress: Progress;
  private readonly easiest: Int32Array | null;
  private readonly grad: Float64Array;
  /** The recurrent carry before the step, kept only when a diagnosis may re-run the step. */
  private carryBefore: Float64Array | null = null;
  /** Gradient-health measurements (the health option), or null. */
  private readonly health: HealthMonitor | null;
  /** Warnings of the last epoch (kind and block), so a note is printed when one first appears. */
  private lastWarnings = new Set<string>();
  /** checkFinite builds of the model files the loss's kernels come from, built at the first bad step. */
  private readonly twins = new FiniteTwins();
  private readonly windows: number;
  private readonly startTime = performance.now();
  private unitsDone = 0;

  constructor(
    o: LoopOptions,
    private readonly source: GradientSource,
  ) {
    this.o = o;
    this.state = { epoch: 0, position: 0, step: 0, rngAtEpochStart: SeededRng.fromSeed(o.seed ?? 0).state(), lossSum: 0, lossExamples: 0, lastLr: o.optimizer.lr, history: [] };
    this.early = o.earlyStopping === undefined ? null : new EarlyStopping(o.earlyStopping);
    this.easiest = o.curriculum === undefined ? null : easiestFirst(o.curriculum.difficulty, o.examples);
    this.grad = new Float64Array(o.params.length);
    this.windows = o.recurrent?.windows ?? 1;
    const layout = o.layout ?? { params: [{ name: 'params', offset: 0, size: o.params.length }] };
    this.health = o.health === undefined || o.health === false ? null : new HealthMonitor(layout, o.params.length, o.health);
    const stream = o.progress === undefined ? process.stderr : o.progress;
    this.progress = stream === false ? silentProgress : createProgress(stream, { epochs: o.epochs });
  }

  /** Loads the checkpoint if there is one to resume from. */
  resume(): { epoch: number; step: number } | null {
    const c = this.o.checkpoint;
    if (c === undefined) return null;
    const removed = removeStaleTemporaries(c.path);
    if (removed.length > 0) this.progress.note(`removed ${removed.length} temporary file${removed.length === 1 ? '' : 's'} left by an interrupted checkpoint write: ${removed.join(', ')}`);
    if (c.resume === false || !existsSync(c.path)) return null;
    const o = this.o;
    const s = checkTrainingState(loadCheckpoint(c.path), c.path, {
      params: o.params,
      optimizer: o.optimizer,
      schedule: o.schedule,
      earlyStopping: this.early !== null,
      recurrent: o.recurrent !== undefined,
      epochs: o.epochs,
      unitsInEpoch: (epoch) => this.units(admitted(epoch, o, this.easiest)),
    });
    this.o.params.set(s.params);
    this.o.optimizer.loadStateDict(s.optimizer);
    if (s.schedule !== null) this.o.schedule?.loadStateDict(s.schedule);
    if (s.earlyStopping !== null) this.early?.loadState(s.earlyStopping);
    if (s.carry !== null) this.o.recurrent?.loadState(s.carry);
    Object.assign(this.state, s.loop, { history: [...s.loop.history], rngAtEpochStart: [...s.loop.rngAtEpochStart] });
    this.health?.resume(s.loop.history);
    this.log({ event: 'resume', epoch: s.loop.epoch, step: s.loop.step, position: s.loop.position });
    this.progress.note(`resumed from ${c.path} at epoch ${s.loop.epoch + 1}, step ${s.loop.step}`);
    return { epoch: s.loop.epoch, step: s.loop.step };
  }

  /** Runs the remaining epochs; returns true if early stopping (or a callback) ended them. */
  async loop(): Promise<boolean> {
    const s = this.state;
    while (s.epoch < this.o.epochs) {
      const rng = SeededRng.fromState(s.rngAtEpochStart);
      const order = epochOrder(s.epoch, this.o.examples, rng, this.o, this.easiest);
      await this.trainEpoch(order);
      const stop = this.endEpoch(order.length);
      s.rngAtEpochStart = rng.state();
      this.saveCheckpoint();
      if (stop) return true;
    }
    return false;
  }

  /** Puts the best parameters back if early stopping kept them; returns their epoch. */
  finish(stoppedEarly: boolean): number | null {
    if (this.early === null || !this.early.restore(this.o.params)) return null;
    const epoch = this.early.bestEpoch + 1;
    this.progress.note(`${stoppedEarly ? 'early stopping' : 'done'}: restored the parameters of epoch ${epoch} (validation ${this.early.monitor} ${formatLoss(this.early.best)})`);
    return epoch;
  }

  private async trainEpoch(order: Int32Array): Promise<void> {
    const s = this.state;
    const units = this.units(order.length);
    this.progress.epochStart(s.epoch, units, s.position);
    while (s.position < units) {
      const group = this.group(order, s.position, units);
      const finding = await this.step(group, this.upcoming(order, units));
      // A bad step's diagnosis may build the model's checkFinite twin, which is async too.
      if (finding !== null) await this.nonFiniteStep(group, finding);
      s.position += group.length;
      this.unitsDone += group.length;
      this.progress.update(s.position, { loss: s.lossSum / s.lossExamples, lr: s.lastLr, etaSeconds: this.eta(units) });
      const every = this.o.checkpoint?.everySteps;
      if (every !== undefined && s.step % every === 0 && s.position < units) this.saveCheckpoint();
    }
  }

  /** The units of the step that starts at unit `from`: `accumulate` of them, fewer at the end of the epoch. */
  private group(order: Int32Array, from: number, units: number): TrainUnit[] {
    const group: TrainUnit[] = [];
    for (let u = from; u < Math.min(units, from + (this.o.accumulate ?? 1)); u++) group.push(this.unit(order, u));
    return group;
  }

  /** The groups after the current one in this epoch that the gradient source asks to see. */
  private upcoming(order: Int32Array, units: number): StepContext['upcoming'] {
    const ahead = this.source.lookahead ?? 0;
    if (ahead === 0) return [];
    const k = this.o.accumulate ?? 1;
    const groups: { position: number; units: TrainUnit[] }[] = [];
    for (let from = this.state.position + k; from < units && groups.length < ahead; from += k) groups.push({ position: from, units: this.group(order, from, units) });
    return groups;
  }

  /** Units (batches × windows) of an epoch over `examples` examples. */
  private units(examples: number): number {
    const { batchSize } = this.o;
    const batches = this.o.dropLast === true ? Math.floor(examples / batchSize) : Math.ceil(examples / batchSize);
    return batches * this.windows;
  }

  private unit(order: Int32Array, u: number): TrainUnit {
    const b = Math.floor(u / this.windows);
    const start = b * this.o.batchSize;
    const indices = order.subarray(start, Math.min(order.length, start + this.o.batchSize));
    return { indices, window: u % this.windows, windows: this.windows, epoch: this.state.epoch };
  }

  /** One optimizer step over the group's units; a non-finite loss or gradient is returned, before any update. */
  private async step(group: readonly TrainUnit[], upcoming: StepContext['upcoming']): Promise<NonFiniteFinding | null> {
    const { o, state: s, grad } = this;
    const reduction = o.reduction ?? 'mean';
    if (o.diagnose !== false && o.nonFinite !== 'ignore' && o.recurrent !== undefined) this.saveCarry(o.recurrent);
    const context: StepContext = { step: s.step + 1, note: (line: string) => this.progress.note(line), epoch: s.epoch, position: s.position, upcoming };
    const { loss, examples, lrScale } = await this.source.gradient(o.params, group, reduction, grad, context);
    if (o.nonFinite !== 'ignore') {
      const finding = findNonFinite(loss, grad);
      if (finding !== null) return finding;
    }
    // Before clipping: an exploding gradient shows even when clipping hides it from the update.
    this.health?.beforeUpdate(o.params, grad);
    if (o.clip !== undefined) {
      if ('maxNorm' in o.clip) clipGradNorm(grad, o.clip.maxNorm, o.clip.normType ?? 2);
      else clipGradValue(grad, o.clip.value);
    }
    s.lastLr = o.optimizer.lr;
    if (lrScale === undefined || lrScale === 1) o.optimizer.step(o.params, grad);
    else {
      // For this step only: the schedule's learning rate is what the next step starts from.
      o.optimizer.lr = s.lastLr * lrScale;
      try {
        o.optimizer.step(o.params, grad);
      } finally {
        o.optimizer.lr = s.lastLr;
      }
    }
    this.health?.afterUpdate(o.params);
    s.step++;
    if (o.schedule !== undefined && o.scheduleInterval === 'step') o.schedule.step();
    s.lossSum += reduction === 'mean' ? loss * examples : loss;
    s.lossExamples += examples;
    o.callbacks?.onStep?.({ epoch: s.epoch, step: s.step, loss, lr: s.lastLr });
    return null;
  }

  /** The recurrent carry before this step, for a diagnosis to re-run it from; into the same buffer every step. */
  private saveCarry(recurrent: NonNullable<TrainOptions['recurrent']>): void {
    this.carryBefore = recurrent.saveStateInto !== undefined && this.carryBefore !== null ? recurrent.saveStateInto(this.carryBefore) : recurrent.saveState();
  }

  /** Before any update: throws a NonFiniteError ('stop', the default) or counts the step as skipped. */
  private async nonFiniteStep(group: readonly TrainUnit[], finding: NonFiniteFinding): Promise<void> {
    const { o, state: s } = this;
    const skipped = s.skippedSteps ?? 0;
    const place = { step: s.step + skipped + 1, epoch: s.epoch + 1, batch: s.position + 1 };
    const error = new NonFiniteError(place, finding, o.layout, await this.diagnose(group));
    if (o.nonFinite !== 'skip') throw error;
    s.skippedSteps = skipped + 1;
    if (skipped === 0) this.progress.note(`skipping non-finite steps (nonFinite: 'skip'); the first: ${error.message}`);
    o.callbacks?.onSkip?.(error);
  }

  /**
   * Re-runs the step's units from the same parameters (and carry) with finiteness
   * checks: through the user's `diagnose` loss, or (by default) through the user's
   * loss with the model's kernels answered by their checkFinite twins.
   */
  private async diagnose(group: readonly TrainUnit[]): Promise<Diagnosis> {
    const { o } = this;
    if (o.diagnose === false) return { kind: 'off' };
    const loss = o.diagnose ?? o.loss;
    // Gradients computed elsewhere (trainDistributed) and no diagnose loss: nothing here to re-run.
    if (loss === undefined) return { kind: 'none' };
    const after = this.carryBefore === null ? null : o.recurrent!.saveState();
    const reset = (): void => {
      if (this.carryBefore !== null) o.recurrent!.loadState(this.carryBefore);
    };
    // Allocated only here: a diagnosis happens once per bad step, never in steady state.
    const scratch = new Float64Array(o.params.length);
    const rerun = (): void => {
      for (const unit of group) loss(o.params, unit, scratch);
    };
    try {
      if (o.diagnose !== undefined) {
        reset();
        try {
          rerun();
          return { kind: 'clean' };
        } catch (error) {
          return this.diagnosisOf(error);
        }
      }
      const run = await this.twins.run(rerun, reset);
      if (run.kind === 'unused') return { kind: 'none' };
      if (run.kind === 'failed') return { kind: 'failed', message: run.message };
      return run.error === null ? { kind: 'clean' } : this.diagnosisOf(run.error);
    } finally {
      if (after !== null) o.recurrent!.loadState(after);
    }
  }

  private diagnosisOf(error: unknown): Diagnosis {
    const origin = modelOriginOf(error);
    return origin !== null ? { kind: 'found', origin } : { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }

  /** Validation, bookkeeping and the stop decision at the end of an epoch. */
  private endEpoch(examples: number): boolean {
    const { o, state: s } = this;
    const validation: Metrics = o.validate?.(o.params) ?? {};
    const skipped = s.skippedSteps ?? 0;
    const health = this.health?.endEpoch() ?? null;
    const staleness = this.source.epochStaleness?.() ?? null;
    const record: EpochRecord = {
      epoch: s.epoch + 1,
      step: s.step,
      ...(skipped > 0 ? { skippedSteps: skipped } : {}),
      trainLoss: s.lossSum / s.lossExamples,
      lr: s.lastLr,
      examples,
      validation,
      ...(health === null ? {} : { health }),
      ...(staleness === null ? {} : { staleness }),
    };
    if (health !== null) this.noteHealth(record.epoch, health.warnings);
    s.history.push(record);
    let stop = this.early !== null && this.early.update(this.monitored(validation, this.early.monitor), s.epoch, o.params);
    if (o.schedule !== undefined && o.scheduleInterval !== 'step') {
      if (o.schedule instanceof ReduceLROnPlateau) o.schedule.step(validation['loss'] ?? record.trainLoss);
      else o.schedule.step();
    }
    s.epoch++;
    s.position = 0;
    s.lossSum = 0;
    s.lossExamples = 0;
    this.log({ ...record, seconds: (performance.now() - this.startTime) / 1000 });
    this.progress.epochEnd(epochSummary(record, o.epochs));
    if (o.callbacks?.onEpoch?.(record) === 'stop') stop = true;
    if (stop && this.early !== null && this.early.badEpochs >= this.early.patience) {
      this.progress.note(`early stopping: validation ${this.early.monitor} has not improved by more than ${this.early.minDelta} for ${this.early.patience} epochs`);
    }
    return stop;
  }

  /** A note for each health warning that the previous epoch did not have. */
  private noteHealth(epoch: number, warnings: readonly HealthWarning[]): void {
    const now = new Set<string>();
    for (const w of warnings) {
      const key = `${w.kind} ${w.block ?? ''}`;
      now.add(key);
      if (!this.lastWarnings.has(key)) this.progress.note(`epoch ${epoch}: ${w.message}`);
    }
    this.lastWarnings = now;
  }

  private monitored(validation: Metrics, key: string): number {
    const v = validation[key];
    if (v === undefined) {
      throw new Error(`Early stopping watches the validation metric '${key}', but validate() returned only [${Object.keys(validation).join(', ')}]; return '${key}' or set earlyStopping.monitor.`);
    }
    return v;
  }

  private saveCheckpoint(): void {
    const c = this.o.checkpoint;
    if (c === undefined || !this.finiteForCheckpoint(c.path)) return;
    const state: TrainingState = {
      format: CHECKPOINT_FORMAT,
      params: this.o.params,
      optimizer: this.o.optimizer.stateDict(),
      schedule: this.o.schedule?.stateDict() ?? null,
      earlyStopping: this.early?.state() ?? null,
      carry: this.o.recurrent?.saveState() ?? null,
      loop: this.state,
    };
    saveCheckpoint(c.path, state);
    this.source.committed?.(this.state.step);
    this.o.callbacks?.onCheckpoint?.(c.path, this.state.step);
  }

  /**
   * A checkpoint with NaN or ±Infinity parameters could never be resumed (and would
   * replace a good one): refused, with an error, or with a note under nonFinite: 'ignore'.
   */
  private finiteForCheckpoint(path: string): boolean {
    const i = firstNonFinite(this.o.params);
    if (i < 0) return true;
    const block = blockOf(this.o.layout, i);
    const where = block === null ? `flat index ${i}` : `element ${block.element} of parameter '${block.name}' (flat index ${i})`;
    const problem = `the parameters are not finite after step ${this.state.step} (${this.o.params[i]} at ${where})`;
    if (this.o.nonFinite === 'ignore') {
      this.progress.note(`checkpoint ${path} not written: ${problem}`);
      return false;
    }
    throw new RangeError(`Refusing to write the checkpoint ${path}: ${problem}; the last checkpoint written is kept. Lower the learning rate or clip the gradients.`);
  }

  private eta(unitsPerEpoch: number): number {
    const perUnit = (performance.now() - this.startTime) / 1000 / this.unitsDone;
    const left = unitsPerEpoch - this.state.position + (this.o.epochs - this.state.epoch - 1) * unitsPerEpoch;
    return perUnit * left;
  }

  private log(entry: Record<string, unknown>): void {
    if (this.o.metricsPath !== undefined) {
      // Appends (a resumed run continues the same file); the folder is made on first use.
      mkdirSync(dirname(this.o.metricsPath), { recursive: true });
      appendFileSync(this.o.metricsPath, `${JSON.stringify(entry)}\n`);
    }
  }
}

function epochSummary(r: EpochRecord, epochs: number): string {
  const parts = [`epoch ${r.epoch}/${epochs}`, `train loss ${formatLoss(r.trainLoss)}`];
  for (const [k, v] of Object.entries(r.validation)) parts.push(`val ${k} ${k === 'accuracy' ? `${(100 * v).toFixed(2)}%` : formatLoss(v)}`);
  parts.push(`lr ${r.lr.toExponential(2)}`);
  if (r.skippedSteps !== undefined) parts.push(`skipped ${r.skippedSteps} non-finite steps`);
  if (r.health !== undefined) parts.push(healthSummary(r.health));
  if (r.staleness !== undefined) parts.push(`staleness mean ${r.staleness.mean.toFixed(2)} max ${r.staleness.max}`);
  return parts.join('  ');
}

function checkOptions(o: LoopOptions): void {
  const positiveInt = (x: number | undefined, name: string): void => {
    if (x !== undefined && !(Number.isInteger(x) && x >= 1)) throw new RangeError(`Invalid ${name} ${x}; it must be an integer >= 1.`);
  };
  positiveInt(o.epochs, 'epochs');
  positiveInt(o.batchSize, 'batchSize');
  positiveInt(o.accumulate, 'accumulate');
  positiveInt(o.examples, 'examples');
  positiveInt(o.checkpoint?.everySteps, 'checkpoint.everySteps');
  positiveInt(o.recurrent?.windows, 'recurrent.windows');
  if (o.health !== undefined && o.health !== false) checkHealthOptions(o.health);
  if (o.diagnose !== undefined && o.diagnose !== false && typeof o.diagnose !== 'function') {
    throw new TypeError(`Invalid diagnose ${typeof o.diagnose}; it must be a loss function (over a checkFinite build), false, or left out (the trainer builds the checkFinite twin itself).`);
  }
  if (o.nonFinite !== undefined && !['stop', 'skip', 'ignore'].includes(o.nonFinite)) {
    throw new RangeError(`Invalid nonFinite '${String(o.nonFinite)}'; it must be 'stop', 'skip' or 'ignore'.`);
  }
  if (o.schedule instanceof ReduceLROnPlateau && o.scheduleInterval === 'step') {
    throw new RangeError('ReduceLROnPlateau steps on a validation metric, which exists once per epoch; use scheduleInterval: \'epoch\'.');
  }
}
