// Joins and deaths read off the heartbeat keys, without a server.
import { describe, expect, it } from 'vitest';
import { heartbeatChanges } from '../../../../runtime/distributed/redis/heartbeats.ts';

describe('heartbeat changes', () => {
  it('a new nonce joins; an expired key, a left key and a replaced nonce are deaths with their reasons; unchanged is nothing', () => {
    const known = ['a', 'b', 'c', null, 'e'];
    const values = ['a', null, 'left:c', 'd', 'f'];
    expect(heartbeatChanges(known, values, 1000)).toEqual([
      { kind: 'died', worker: 1, reason: 'its heartbeat stopped (not renewed for 1000 ms)' },
      { kind: 'died', worker: 2, reason: 'it left' },
      { kind: 'joined', worker: 3, nonce: 'd' },
      { kind: 'died', worker: 4, reason: 'a new process took its id' },
      { kind: 'joined', worker: 4, nonce: 'f' },
    ]);
    expect(heartbeatChanges(values.map((v) => (v?.startsWith('left:') ? null : v)), values, 1000)).toEqual([]);
  });
});
