// k identical servers taking requests first come, first served: CPU cores shared by
// worker threads, the parameter server's single update thread, its network link.
// Requests reach a pool in event (time) order, so handing each to the server free
// soonest is FIFO and needs no queue of its own: acquire() returns when the work ends.

export class ResourcePool {
  private readonly freeAt: number[];

  /** `servers` may be Infinity: every request starts at once. */
  constructor(private readonly servers: number) {
    if (!(servers >= 1)) throw new RangeError(`A resource pool needs at least one server; got ${servers}.`);
    this.freeAt = Number.isFinite(servers) ? new Array<number>(servers).fill(0) : [];
  }

  /** Work of `duration` ms asked for at `time`: the time it ends, after waiting for a free server. */
  acquire(time: number, duration: number): number {
    if (!Number.isFinite(this.servers)) return time + duration;
    let best = 0;
    for (let i = 1; i < this.freeAt.length; i++) if (this.freeAt[i]! < this.freeAt[best]!) best = i;
    const end = Math.max(time, this.freeAt[best]!) + duration;
    this.freeAt[best] = end;
    return end;
  }
}
