// What goes over the wire, without a server: a job's header and indices, a result's
// tag, loss and gradient, and the data fingerprint come back exactly as sent.
import { describe, expect, it } from 'vitest';
import { datasetFingerprint, decodeJob, encodeJob, float64Bytes, float64FromBytes } from '../../../../runtime/distributed/redis/codec.ts';
import { parseResult, resultFields } from '../../../../runtime/distributed/redis/resultEntry.ts';
import { binaryData, sameBits } from '../fixtures.ts';

const asBuffers = (fields: readonly (string | Buffer)[]): Buffer[] => fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : f));

describe('the Redis wire format', () => {
  it('a job round-trips: header and indices', () => {
    const header = { generation: 3, job: 17, worker: 1, step: 42, kind: 'hvp' as const, params: 'p:blob:3:9', vector: 'p:blob:3:10' };
    const indices = Int32Array.from([5, 0, 199, 2 ** 31 - 1]);
    const back = decodeJob(encodeJob(header, indices));
    expect(back.header).toEqual(header);
    expect([...back.indices]).toEqual([...indices]);
  });

  it('a result round-trips bit for bit, losses −0 and NaN and every gradient bit included', () => {
    const gradient = Float64Array.from([1 / 3, -0, Number.MIN_VALUE, -1e308, Math.PI]);
    for (const loss of [0.6931471805599453, -0, Number.NaN, 1e-320]) {
      const r = parseResult(asBuffers(resultFields({ generation: 2, job: 8, worker: 0, step: 5, status: 'done', loss, data: float64Bytes(gradient) })));
      expect(r).toMatchObject({ generation: 2, job: 8, worker: 0, step: 5, status: 'done' });
      if (r.status !== 'done') throw new Error('unreachable');
      expect(Object.is(r.loss, loss)).toBe(true);
      expect(sameBits(float64FromBytes(r.data, 'gradient'), gradient)).toBe(true);
    }
    const failed = parseResult(asBuffers(resultFields({ generation: 1, job: 2, worker: 3, step: 4, status: 'failed', message: 'lossFlat: params has length 4' })));
    expect(failed).toEqual({ generation: 1, job: 2, worker: 3, step: 4, status: 'failed', message: 'lossFlat: params has length 4' });
  });

  it('a result without its fields is an error naming the field', () => {
    expect(() => parseResult(asBuffers(['generation', '1', 'job', '2']))).toThrow(/has no 'worker' field; was it written by runRedisWorker\?/);
  });

  it('the fingerprint tells data sets apart by their rows, not only their shape', () => {
    const a = binaryData(50, 1);
    const b = binaryData(50, 2);
    expect(datasetFingerprint(a)).toBe(datasetFingerprint(binaryData(50, 1)));
    expect(datasetFingerprint(a)).not.toBe(datasetFingerprint(b));
    expect(datasetFingerprint(a)).toMatch(/^50x4:[0-9a-f]{16}$/);
  });
});
