// The options of asynchronous training, checked before any worker starts: each
// refusal says what is wrong and what is supported instead.
import type { DistributedTrainOptions } from './options.ts';

export function checkAsync(o: DistributedTrainOptions): void {
  const d = o.distributed;
  const a = d.async ?? {};
  if ((d.backup ?? 0) !== 0) {
    throw new RangeError(`distributed.backup is ${d.backup}, but backup workers belong to mode 'sync' (a step applied with the first N of N + b gradients); in mode 'async' every gradient is applied as it comes. Drop backup, or bound the staleness with distributed.async.bound.`);
  }
  if (a.bound !== undefined) {
    const { staleness, policy } = a.bound;
    if (!(Number.isInteger(staleness) && staleness >= 0)) throw new RangeError(`Invalid distributed.async.bound.staleness ${staleness}; it must be an integer >= 0.`);
    if (policy !== 'drop' && policy !== 'wait') throw new RangeError(`Invalid distributed.async.bound.policy '${String(policy)}'; it must be 'drop' (a staler gradient is dropped and its batch recomputed) or 'wait' (workers wait so that none is staler).`);
  }
  const c = a.compensation;
  if (c !== undefined) {
    if (c.kind !== 'dc' && c.kind !== 'hvp') throw new RangeError(`Invalid distributed.async.compensation.kind '${String((c as { kind: unknown }).kind)}'; it must be 'dc' (DC-ASGD, with lambda) or 'hvp' (the model's Hessian-vector product).`);
    if (c.kind === 'dc' && !(Number.isFinite(c.lambda) && c.lambda >= 0)) throw new RangeError(`Invalid distributed.async.compensation.lambda ${c.lambda}; it must be a finite number >= 0 (DC-ASGD's paper uses 0.04 to 2).`);
    if (c.kind === 'hvp' && c.lambda !== undefined && !(Number.isFinite(c.lambda) && c.lambda >= 0)) throw new RangeError(`Invalid distributed.async.compensation.lambda ${c.lambda}; for 'hvp' it must be a finite number >= 0 (1, the default, is the Taylor step itself).`);
  }
  for (const [i, w] of (a.script ?? []).entries()) {
    if (!(Number.isInteger(w) && w >= 0 && w < d.workers)) throw new RangeError(`Invalid distributed.async.script[${i}] ${w}; it must name a worker, an integer from 0 to ${d.workers - 1}.`);
  }
  if (o.checkpoint?.everySteps !== undefined) {
    throw new RangeError('checkpoint.everySteps is not supported in mode \'async\': mid-epoch, gradients of later batches are in flight, so a resumed run could not continue exactly. Checkpoints after each epoch (when nothing is in flight) are written; leave everySteps out.');
  }
  if (o.diagnose !== undefined && o.diagnose !== false) {
    throw new RangeError('diagnose is not supported in mode \'async\': the gradient a step applies was computed by a worker at older parameters on another batch, so re-running the step here would diagnose something else. Leave diagnose out (a non-finite step is still caught), or train in mode \'sync\'.');
  }
}
