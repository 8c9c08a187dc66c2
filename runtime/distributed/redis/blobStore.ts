// The server's parameter (and vector) blobs in Redis: one key per version, written
// once, shared by every job that reads those bytes (workers started together read one
// version), counted by the jobs and the published parameters that need it, deleted
// when none does, and written again after a reconnect (Redis may have lost them).
import type { Redis } from 'ioredis';
import { float64Bytes } from './codec.ts';
import type { RedisKeys } from './keys.ts';

export class BlobStore {
  private readonly refs = new Map<string, number>();
  /** The bytes of every blob still needed. */
  private readonly bytes = new Map<string, Buffer>();
  private last: { readonly key: string; readonly bytes: Buffer } | null = null;
  private version = 0;

  constructor(
    private readonly cmd: Redis,
    private readonly keys: RedisKeys,
    private readonly generation: number,
    /** Issues a command whose failure ends the run. */
    private readonly send: (command: Promise<unknown>) => void,
  ) {}

  /** The key holding `v`: the last one written if its bytes are the same, else a new version. Unreferenced until ref(). */
  upload(v: Float64Array): string {
    const bytes = float64Bytes(v);
    const last = this.last;
    if (last !== null && this.refs.has(last.key) && last.bytes.equals(bytes)) return last.key;
    const key = this.keys.blob(this.generation, ++this.version);
    this.send(this.cmd.set(key, bytes));
    this.refs.set(key, 0);
    this.bytes.set(key, bytes);
    this.last = { key, bytes };
    return key;
  }

  ref(key: string): void {
    this.refs.set(key, (this.refs.get(key) ?? 0) + 1);
  }

  unref(key: string): void {
    const n = (this.refs.get(key) ?? 0) - 1;
    if (n > 0) {
      this.refs.set(key, n);
      return;
    }
    this.refs.delete(key);
    this.bytes.delete(key);
    this.send(this.cmd.del(key));
  }

  /** Writes every blob still needed again (after Redis came back). */
  rewrite(): void {
    for (const [key, bytes] of this.bytes) this.send(this.cmd.set(key, bytes));
  }

  keysHeld(): string[] {
    return [...this.refs.keys()];
  }
}
