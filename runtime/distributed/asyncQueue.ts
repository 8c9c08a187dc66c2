// Events pushed by callbacks, taken one at a time by an async consumer in the order
// they were pushed.

export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly waiting: ((item: T) => void)[] = [];

  push(item: T): void {
    const take = this.waiting.shift();
    if (take !== undefined) take(item);
    else this.items.push(item);
  }

  /** The oldest item already pushed, without waiting; undefined if there is none. */
  poll(): T | undefined {
    return this.items.shift();
  }

  next(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
