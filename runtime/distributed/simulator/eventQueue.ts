// The simulator's clock: a binary min-heap of events by time, ties broken by the order
// they were scheduled in, so a run is the same for the same seed whatever the heap's
// internal order (two arrivals at the same instant are handled first come, first served).

interface Scheduled {
  readonly time: number;
  readonly seq: number;
  readonly run: (time: number) => void;
}

export class EventQueue {
  private readonly heap: Scheduled[] = [];
  private seq = 0;
  private clock = 0;

  /** The time of the event being handled (0 before the first). */
  now(): number {
    return this.clock;
  }

  /** Runs `run` at `time` (not before now: an event cannot change the past). */
  at(time: number, run: (time: number) => void): void {
    if (!(time >= this.clock)) throw new RangeError(`Event scheduled at ${time} ms, before the current time ${this.clock} ms.`);
    this.heap.push({ time, seq: this.seq++, run });
    this.siftUp(this.heap.length - 1);
  }

  /** Handles events in time order until none is left or `stop()` returns true. */
  runUntil(stop: () => boolean): void {
    while (this.heap.length > 0 && !stop()) {
      const next = this.pop();
      this.clock = next.time;
      next.run(next.time);
    }
  }

  private before(a: Scheduled, b: Scheduled): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private pop(): Scheduled {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
