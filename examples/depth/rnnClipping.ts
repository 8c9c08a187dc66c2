/**
 * Exploding gradients in a recurrent net, and clipping by norm: the Elman RNN of
 * examples/curriculum (adding.model.ts → adding.grad.ts) on the adding problem with
 * sequences of 100 steps, its recurrent weights Wh twice their Glorot size, trained
 * with SGD (lr 0.1, momentum 0.9) with and without `clip: { maxNorm: 1 }`, the
 * trainer's `health` option measuring the gradient norm before clipping. The model file
 * is compiled --health here (loadModelFile), so the kernel also gives ‖∂L/∂h_t‖ against
 * the step t, the through-time signature of BPTT.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFile } from '../../compiler/index.ts';
import type { AddingModule } from '../curriculum/adding.ts';
import { addingData, addingLoss, addingMse, initAdding } from '../curriculum/adding.ts';
import { lossLayout } from '../curriculum/adding.grad.ts';
import { SGD, train, type CompiledHealth, type HealthRecord } from '../../runtime/index.ts';

type HealthBuild = AddingModule & { readonly lossHealth: () => CompiledHealth | null };
let build: HealthBuild | undefined;
/** adding.model.ts compiled --health, once. */
function healthBuild(): HealthBuild {
  const path = relative(process.cwd(), join(dirname(fileURLToPath(import.meta.url)), '../curriculum/adding.model.ts'));
  build ??= loadModelFile(path, { health: true }) as unknown as HealthBuild;
  return build;
}

export interface ClippingRun {
  readonly clip: boolean;
  readonly trainLoss: readonly number[];
  readonly health: readonly HealthRecord[];
  /** Per epoch: the mean ‖∂L/∂h_t‖ by step t of the hidden state (from the --health kernel). */
  readonly stateGradients: readonly (readonly number[])[];
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
    loss: addingLoss(data, healthBuild()),
    optimizer: new SGD({ lr: 0.1, momentum: 0.9 }),
    epochs,
    batchSize: 32,
    seed: 1,
    layout: lossLayout,
    health: { compiled: healthBuild().lossHealth },
    progress: false,
    ...(clip ? { clip: { maxNorm: 1 } } : {}),
  });
  const health = result.history.map((r) => r.health!);
  return { clip, trainLoss: result.history.map((r) => r.trainLoss), health, stateGradients: health.map((h) => h.compiled!.loops[0]!.gradNorm), mse: addingMse(data)(params) };
}
