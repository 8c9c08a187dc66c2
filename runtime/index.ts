// The runtime's public entry: optimizers, averaging, learning-rate schedules and
// gradient clipping. Everything is listed here explicitly; nothing registers itself.

// Optimizers (torch.optim) and the contract they share.
export {
  FlatOptimizer,
  type HyperValue,
  type Optimizer,
  type OptimizerStateDict,
  type StateValue,
} from './optim/optimizer.ts';
export { SGD, type SGDOptions } from './optim/sgd.ts';
export { Adagrad, type AdagradOptions } from './optim/adagrad.ts';
export { Adadelta, type AdadeltaOptions } from './optim/adadelta.ts';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.ts';
export { Adam, type AdamOptions } from './optim/adam.ts';
export { AdamW, type AdamWOptions } from './optim/adamw.ts';
export { ASGD, type ASGDOptions } from './optim/asgd.ts';

// Averaging of iterates around any optimizer.
export { PolyakAveraging, type AveragingOptions } from './optim/polyak.ts';

// Learning-rate schedules (torch.optim.lr_scheduler), each with its closed form.
export { LRScheduler, type LrTarget, type SchedulerStateDict } from './schedule/scheduler.ts';
export { StepLR, stepLRAt, type StepLROptions } from './schedule/stepLR.ts';
export { MultiStepLR, multiStepLRAt, type MultiStepLROptions } from './schedule/multiStepLR.ts';
export { ExponentialLR, exponentialLRAt, type ExponentialLROptions } from './schedule/exponentialLR.ts';
export {
  CosineAnnealingLR,
  cosineAnnealingLRAt,
  type CosineAnnealingLROptions,
} from './schedule/cosineAnnealingLR.ts';
export {
  CosineAnnealingWarmRestarts,
  cosineAnnealingWarmRestartsAt,
  warmRestartCycle,
  type CosineAnnealingWarmRestartsOptions,
} from './schedule/cosineAnnealingWarmRestarts.ts';
export { LinearLR, linearLRAt, type LinearLROptions } from './schedule/linearLR.ts';
export { SequentialLR, sequentialLRAt, type SequentialLROptions } from './schedule/sequentialLR.ts';
export {
  ReduceLROnPlateau,
  reduceLROnPlateauLrs,
  type ReduceLROnPlateauOptions,
} from './schedule/reduceLROnPlateau.ts';

// Gradient clipping (torch.nn.utils.clip_grad_*).
export { clipGradNorm, gradNorm, type ClipGradNormOptions, type GradGroups } from './clip/clipGradNorm.ts';
export { clipGradValue } from './clip/clipGradValue.ts';
