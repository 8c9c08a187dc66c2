/**
 * Exploding gradients in a recurrent net, and clipping by norm: the Elman RNN of
 * examples/curriculum (adding.model.ts → adding.grad.ts) on the adding problem with
 * sequences of 100 steps, its recurrent weights Wh twice their Glorot size, trained
 * with SGD (lr 0.1, momentum 0.9) with and without `clip: { maxNorm: 1 }`, the
 * trainer's `health` option measuring the gradient norm before clipping.
 */
import { addingData, addingLoss, addingMse, initAdding } from '../curriculum/adding.ts';
import { lossLayout } from '../curriculum/adding.grad.ts';
import { SGD, train, type HealthRecord } from '../../runtime/index.ts';

export interface ClippingRun {
  readonly clip: boolean;
  readonly trainLoss: readonly number[];
  readonly health: readonly HealthRecord[];
  /** Mean squared error on the training sequences after training (predicting the mean scores 1/6). */
  readonly mse: number;
}

export async function rnnClipping(clip: boolean, epochs = 6, sequences = 512, length = 100): Promise<ClippingRun> {
  const data = addingData(sequences, length, length, 1);
  // Init seed 2: a start from which the unclipped run explodes. Whether one does is
  // chaotic in the draw (of seeds 1–6, four explode unclipped; clipping helps in four).
  const params = initAdding(2);
  const wh = lossLayout.params.find((e) => e.name === 'Wh')!;
  for (let i = wh.offset; i < wh.offset + wh.size; i++) params[i]! *= 2;
  const result = await train({
    params,
    examples: data.count,
    loss: addingLoss(data),
    optimizer: new SGD({ lr: 0.1, momentum: 0.9 }),
    epochs,
    batchSize: 32,
    seed: 1,
    layout: lossLayout,
    health: true,
    progress: false,
    ...(clip ? { clip: { maxNorm: 1 } } : {}),
  });
  return { clip, trainLoss: result.history.map((r) => r.trainLoss), health: result.history.map((r) => r.health!), mse: addingMse(data)(params) };
}
