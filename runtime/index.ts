// The runtime's public entry: optimizers and averaging. Everything is listed here
// explicitly; nothing registers itself.

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
