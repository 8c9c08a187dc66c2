// Type-checked by this project's own tsc against the installed declarations.
import { compileExpression, type CompiledExpression } from 'gradc';
import { defineConfig } from 'gradc/config';
import type { Tensor } from 'gradc/prelude';
import { Adam, type TrainOptions } from 'gradc/runtime';
import gradc from 'gradc/unplugin';
import { lossFlat, lossLayout, unpackLoss, type LossParams } from './line.grad.js';

const f: CompiledExpression = compileExpression('x^2', { wrt: ['x'] });
const slope: number[] = f.gradient({ x: 1 });
const objective = lossFlat(new Float64Array(3), new Float64Array(3));
const params: LossParams = unpackLoss(new Float64Array(lossLayout.size));
const optimizer = new Adam({ lr: 1e-2 });
const options: Pick<TrainOptions, 'epochs' | 'batchSize'> = { epochs: 1, batchSize: 3 };
const config = defineConfig({ inputs: ['*.model.ts'], emit: 'js' });
const plugins = [gradc.vite(), gradc.esbuild()];
type Row = Tensor<['n']>;

// The declarations are real types, not `any`: each mistake below must be an error.
// @ts-expect-error a string is not a Float64Array
lossFlat('x', new Float64Array(3));
// @ts-expect-error Adam has no option `learningRate` (it is `lr`)
new Adam({ learningRate: 1 });
// @ts-expect-error gradient returns number[]
const wrong: string = f.gradient({ x: 1 });

export { slope, objective, params, optimizer, options, config, plugins, lossLayout, wrong };
export type { Row };
