// How a step's examples are cut into shards: contiguous, in order, sizes differing by
// at most one with the larger first, empty shards left out, units concatenated in order.
import { describe, expect, it } from 'vitest';
import { ShardPlanner, shardBounds } from '../../../runtime/index.ts';

describe('shards', () => {
  it('cuts n examples into contiguous shards, larger first', () => {
    expect(shardBounds(10, 3)).toEqual([[0, 4], [4, 7], [7, 10]]);
    expect(shardBounds(256, 2)).toEqual([[0, 128], [128, 256]]);
    expect(shardBounds(2, 3)).toEqual([[0, 1], [1, 2]]);
    for (let n = 0; n < 40; n++) {
      for (let count = 1; count < 7; count++) {
        const b = shardBounds(n, count);
        expect(b.reduce((m, [from, to]) => m + to - from, 0)).toBe(n);
        b.forEach(([from], i) => expect(from).toBe(i === 0 ? 0 : b[i - 1]![1]));
        const sizes = b.map(([from, to]) => to - from);
        expect(Math.max(...sizes, 0) - Math.min(...sizes, Infinity)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('splits the concatenation of a step\'s units, in order', () => {
    const planner = new ShardPlanner(2);
    const units = [{ indices: Int32Array.from([5, 1, 4]) }, { indices: Int32Array.from([9, 0, 2, 7]) }];
    expect(planner.split(units).map((s) => [...s])).toEqual([[5, 1, 4, 9], [0, 2, 7]]);
    expect(() => new ShardPlanner(0)).toThrow(/Invalid shard count 0/);
  });
});

describe('the worker entry', () => {
  it('is the built worker from the built package, and the tsx bootstrap from the sources', async () => {
    const { workerEntry } = await import('../../../runtime/distributed/threadTransport.ts');
    expect(workerEntry('file:///p/node_modules/gradc/dist/runtime/distributed/threadTransport.js').href).toBe('file:///p/node_modules/gradc/dist/runtime/distributed/worker.js');
    expect(workerEntry('file:///repo/runtime/distributed/threadTransport.ts').href).toBe('file:///repo/runtime/distributed/workerBootstrap.mjs');
  });
});
