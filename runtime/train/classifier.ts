// Glue between a classifier's compiled kernels and the trainer: a unit loss that
// gathers the unit's examples into reused buffers, and validation metrics (mean
// softmax cross-entropy and accuracy) computed from the logits kernel in batches.
import { BatchGatherer, type Dataset } from '../data/dataset.ts';
import type { Metrics, UnitLoss } from './options.ts';

/** A compiled loss on a batch: mean loss, gradient with respect to the flat parameters into gradOut. */
export type BatchValueAndGradient = (params: Float64Array, x: Float64Array, y: Float64Array, size: number, gradOut: Float64Array) => number;

/** A compiled forward pass: logits [size, classes] row-major into out. */
export type BatchLogits = (params: Float64Array, x: Float64Array, size: number, out: Float64Array) => Float64Array;

/** The trainer's loss for `data`, gathering each unit's rows for `valueAndGradient`. */
export function batchLoss(data: Dataset, valueAndGradient: BatchValueAndGradient): UnitLoss {
  const gatherer = new BatchGatherer(data);
  return (params, unit, gradOut) => {
    const { x, y, size } = gatherer.gather(unit.indices);
    return valueAndGradient(params, x, y, size, gradOut);
  };
}

export interface ClassifierMetricsOptions {
  readonly logits: BatchLogits;
  readonly classes: number;
  /** Examples per logits call. Default 500. */
  readonly batchSize?: number;
}

/** validate() for the trainer: { loss, accuracy } of the classifier on `data`. */
export function classifierMetrics(data: Dataset, options: ClassifierMetricsOptions): (params: Float64Array) => Metrics {
  const { classes } = options;
  const batch = Math.min(options.batchSize ?? 500, data.count);
  const out = new Float64Array(batch * classes);
  return (params) => {
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < data.count; start += batch) {
      const size = Math.min(batch, data.count - start);
      const x = data.x.subarray(start * data.features, (start + size) * data.features);
      const z = options.logits(params, x, size, size === batch ? out : out.subarray(0, size * classes));
      for (let r = 0; r < size; r++) {
        const s = scoreRow(z, r * classes, classes, data.y[start + r]!);
        loss += s.loss;
        if (s.correct) correct++;
      }
    }
    return { loss: loss / data.count, accuracy: correct / data.count };
  };
}

/** −log softmax(z)[label] by log-sum-exp around the row's maximum, and whether argmax = label. */
function scoreRow(z: Float64Array, offset: number, classes: number, label: number): { loss: number; correct: boolean } {
  let best = 0;
  for (let c = 1; c < classes; c++) if (z[offset + c]! > z[offset + best]!) best = c;
  const max = z[offset + best]!;
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(z[offset + c]! - max);
  return { loss: max + Math.log(sum) - z[offset + label]!, correct: best === label };
}
