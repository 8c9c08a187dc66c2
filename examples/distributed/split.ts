// The digits the example trains and validates on: the mnist package's 10 000, a
// stratified 20 % held out (the split of examples/mlp), shared by the trainer and
// the Redis worker processes, which must index the same training rows.
import { loadMnist, trainValidationSplit, type Dataset } from '../../runtime/index.ts';

export function digitsSplit(): { readonly train: Dataset; readonly validation: Dataset } {
  return trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
}
