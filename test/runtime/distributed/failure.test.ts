// A worker thread that dies (process.exit, or an uncaught throw) does not stop
// synchronous training: its shard goes back to the queue, a surviving worker computes
// it, the progress output says so, and with b = 0 the run is still the one without
// the failure, bit for bit. Errors of the run itself end it, with the workers stopped.
import { describe, expect, it } from 'vitest';
import { SGD, trainDistributed, type DistributedEvent, type FaultInjection } from '../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData, sameBits } from './fixtures.ts';

const data = binaryData(200, 9);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };

async function run(inject: FaultInjection | undefined, workers = 2, backup = 0) {
  const params = new Float64Array(5);
  const events: DistributedEvent[] = [];
  let output = '';
  const result = await trainDistributed({
    params, examples: data.count, optimizer: new SGD({ lr: 0.5, momentum: 0.9 }), epochs: 2, batchSize: 40, seed: 2,
    progress: { write: (s: string) => void (output += s) },
    distributed: { workers, backup, model, onEvent: (e) => void events.push(e), ...(inject === undefined ? {} : { inject }) },
  });
  return { params, events, output, result };
}

describe('worker failure', () => {
  for (const how of ['exit', 'throw'] as const) {
    it(`a worker that dies by ${how === 'exit' ? 'process.exit' : 'an uncaught throw'} mid-run: its shard is re-assigned and the run is unchanged (b = 0)`, async () => {
      const clean = await run(undefined);
      const hurt = await run({ crash: { worker: 1, job: 3, how } });
      expect(hurt.result.steps).toBe(clean.result.steps);
      expect(sameBits(hurt.params, clean.params)).toBe(true);
      expect(hurt.result.distributed.diedWorkers).toEqual([1]);
      const died = hurt.events.filter((e) => e.kind === 'died');
      expect(died).toHaveLength(1);
      expect(died[0]).toMatchObject({ worker: 1, step: 3, requeuedShard: 1 });
      expect(died[0]!.kind === 'died' && died[0]!.reason).toMatch(how === 'exit' ? /exited with code 3/ : /threw injected fault/);
      expect(hurt.output).toMatch(/distributed: worker 1 died during step 3 .*its shard 1 goes to the next free worker; 1 of 2 workers left/);
      // After the death, worker 0 computes both shards of every step.
      for (const e of hurt.events) if (e.kind === 'applied' && e.step > 3) expect(e.used.map((u) => u.worker)).toEqual([0, 0]);
    });
  }

  it('with a backup worker, a death costs nothing but the backup', async () => {
    // Workers 1 and 2 take 60 ms a shard, so worker 0's death at the start of step 2 is seen before that step completes.
    const { result, events } = await run({ crash: { worker: 0, job: 2, how: 'exit' }, delayMs: { 1: 60, 2: 60 } }, 2, 1);
    expect(result.distributed.diedWorkers).toEqual([0]);
    expect(result.steps).toBe(10);
    for (const e of events) if (e.kind === 'applied') expect(e.used).toHaveLength(2);
    expect(events.find((e) => e.kind === 'died')).toMatchObject({ worker: 0, step: 2, requeuedShard: 0 });
  });

  it('when every worker has died the run ends with an error saying so', async () => {
    await expect(run({ crash: { worker: 0, job: 1, how: 'exit' } }, 1)).rejects.toThrow(/every worker has died \(the last, worker 0, exited with code 3\)/);
  });

  it('a model function the module does not have is an error naming the module and the functions it has', async () => {
    const params = new Float64Array(5);
    const bad = { ...model, function: 'los' };
    await expect(trainDistributed({
      params, examples: data.count, optimizer: new SGD({ lr: 0.1 }), epochs: 1, batchSize: 40, progress: false,
      distributed: { workers: 2, model: bad },
    })).rejects.toThrow(/worker 0 could not start: loading examples\/logistic-regression\/logistic.grad.ts: The module .* exports no 'losFlat'.* it has 'loss', 'probability'/);
  });

  it('an error of the model in a worker ends the run with that error, as in one process', async () => {
    const params = new Float64Array(4); // one short: the generated kernel checks the parameter length
    await expect(trainDistributed({
      params, examples: data.count, optimizer: new SGD({ lr: 0.1 }), epochs: 1, batchSize: 40, progress: false,
      distributed: { workers: 2, model },
    })).rejects.toThrow(/the model failed on worker \d \(shard \d of step 1\): .*lossFlat/);
  });

  it('refuses bad worker counts and a data set that is not the one the trainer indexes', async () => {
    const base = { params: new Float64Array(5), examples: data.count, optimizer: new SGD({ lr: 0.1 }), epochs: 1, batchSize: 40, progress: false as const };
    await expect(trainDistributed({ ...base, distributed: { workers: 0, model } })).rejects.toThrow(/Invalid distributed.workers 0/);
    await expect(trainDistributed({ ...base, distributed: { workers: 1, backup: -1, model } })).rejects.toThrow(/Invalid distributed.backup -1/);
    await expect(trainDistributed({ ...base, examples: 100, distributed: { workers: 1, model } })).rejects.toThrow(/has 200 examples but examples is 100/);
  });
});
