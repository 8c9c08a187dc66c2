// The Redis keys of one training run, all under one prefix so several runs can share
// a server. The server owns config, generation, the job lists and the blobs; each
// worker process owns its heartbeat; the gradients stream is written by workers and
// read by the server's consumer group.

export class RedisKeys {
  /** The server's consumer group on the gradients stream. */
  readonly group = 'server';
  /** The one consumer of that group: the server of the current generation. */
  readonly consumer = 'trainer';

  constructor(readonly prefix: string) {}

  /** JSON RunConfig: the generation, the worker capacity, the data's fingerprint, the heartbeat. */
  get config(): string {
    return `${this.prefix}:config`;
  }

  /** A counter bumped by each server that starts: results of an earlier one are recognized and discarded. */
  get generation(): string {
    return `${this.prefix}:generation`;
  }

  /** Worker `w`'s heartbeat: its process's nonce, expiring unless renewed ('left:<nonce>' once it leaves). */
  heartbeat(worker: number): string {
    return `${this.prefix}:worker:${worker}`;
  }

  /** Worker `w`'s queue of jobs. */
  jobs(worker: number): string {
    return `${this.prefix}:jobs:${worker}`;
  }

  /** The job worker `w` has taken and not yet answered (moved here by BLMOVE, so a reply lost with the connection loses no job). */
  working(worker: number): string {
    return `${this.prefix}:working:${worker}`;
  }

  /** A parameter (or vector) blob: raw little-endian float64, named by generation and version. */
  blob(generation: number, version: number): string {
    return `${this.prefix}:blob:${generation}:${version}`;
  }

  get blobPattern(): string {
    return `${this.prefix}:blob:*`;
  }

  /** The stream workers push their results to. */
  get gradients(): string {
    return `${this.prefix}:gradients`;
  }
}

/** What the server publishes for its workers. */
export interface RunConfig {
  readonly generation: number;
  /** Worker ids 0 … capacity − 1. */
  readonly capacity: number;
  readonly fingerprint: string;
  readonly heartbeatMs: number;
}
