// The transport over Redis, for worker processes anywhere that can reach it
// (runRedisWorker, redisWorker.ts). The coordinator runs in this process, as with
// threads; what moves through Redis:
//   - parameters: a binary blob (raw float64) per version, written once and read by
//     every job that names it; blobs no job needs any more are deleted;
//   - jobs: a list per worker, each a header (generation, job, worker, step, blob
//     keys) and the example indices; a worker moves the job it takes to its
//     'working' list until it has pushed the result;
//   - results: a stream the workers append to and the server reads with a consumer
//     group. An entry is acknowledged only once its update is safe (ResultCommits: at
//     the next checkpoint, or once applied when the run writes none), so an
//     acknowledged update is never lost; its payload is deleted as soon as it has been
//     read (the pending entry is the record). Every result carries (generation, job,
//     worker, step): a repeat (a command sent again after a reconnect, a re-read of
//     the pending list) is dropped, and so is a result from an earlier server;
//   - liveness: each worker renews a heartbeat key holding its process's nonce; a key
//     that expires (SIGKILL, a lost machine) makes the worker 'died', its job goes
//     back to the coordinator; a key that appears (a late start, a return) 'joined'.
// A server that starts bumps the generation, clears the earlier server's job lists,
// acknowledges and deletes whatever that server left pending (its updates are in its
// checkpoint or lost with it, and its work is redone), and waits for workers.
import type { Redis } from 'ioredis';
import type { Dataset } from '../../data/dataset.ts';
import { AsyncQueue } from '../asyncQueue.ts';
import type { ShardJob, SyncTransport, TransportEvent } from '../transport.ts';
import { BlobStore } from './blobStore.ts';
import { datasetFingerprint, encodeJob, readFloat64Into } from './codec.ts';
import { connectRedis } from './connect.ts';
import { heartbeatChanges } from './heartbeats.ts';
import { RedisKeys, type RunConfig } from './keys.ts';
import { parseResult } from './resultEntry.ts';
import { clearEarlier, reachable } from './startup.ts';

export interface RedisTransportOptions {
  readonly url: string;
  readonly prefix: string;
  /** Worker ids the coordinator uses: 0 … workers − 1. */
  readonly workers: number;
  /** Parameters per vector. */
  readonly size: number;
  readonly slots: number;
  /** The training set, whose fingerprint every worker checks against its own. */
  readonly data: Dataset;
  /** A worker whose heartbeat is this old is given up. */
  readonly heartbeatMs: number;
  /** Workers to wait for before training starts (more may join later). */
  readonly minWorkers: number;
  readonly joinTimeoutMs: number;
}

/** What the Redis transport saw besides the results it used. */
export interface RedisReport {
  /** This server's generation (1 for the first server on a prefix, 2 after one restart, …). */
  readonly generation: number;
  /** Results of an earlier server, pending at the start or arriving later: acknowledged, deleted, never used. */
  readonly discardedEarlier: number;
  /** Results that arrived a second time (a resend, a re-read after a reconnect): the repeat dropped. */
  readonly duplicates: number;
  /** Results of jobs their worker no longer held (it had been given up): dropped. */
  readonly orphaned: number;
  /** Results acknowledged after their update was safe. */
  readonly acknowledged: number;
  /** Times the connection to Redis came back after it was lost. */
  readonly reconnects: number;
}

interface InFlight {
  readonly job: ShardJob;
  readonly message: Buffer;
  readonly blobs: readonly string[];
}

type Queued = TransportEvent | { readonly kind: 'fatal'; readonly error: Error };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRedisTransport(o: RedisTransportOptions): Promise<RedisTransport> {
  const keys = new RedisKeys(o.prefix);
  const cmd = await connectRedis(o.url, `${o.prefix}:server`);
  const reader = await connectRedis(o.url, `${o.prefix}:server-reader`);
  let configured = false;
  try {
    await reachable(cmd, o.url, o.joinTimeoutMs);
    const generation = await cmd.incr(keys.generation);
    const discarded = await clearEarlier(cmd, keys, o.workers, generation);
    const config: RunConfig = { generation, capacity: o.workers, fingerprint: datasetFingerprint(o.data), heartbeatMs: o.heartbeatMs };
    await cmd.set(keys.config, JSON.stringify(config));
    configured = true;
    const transport = new RedisTransport(o, keys, cmd, reader, generation, discarded);
    await transport.waitForWorkers();
    return transport;
  } catch (error) {
    // Workers must not join a server that never started.
    if (configured) await cmd.del(keys.config).catch(() => {});
    cmd.disconnect();
    reader.disconnect();
    throw error;
  }
}

export class RedisTransport implements SyncTransport {
  readonly slots: readonly Float64Array[];
  readonly workersMayJoin = true;
  private live: readonly number[] = [];
  private readonly events = new AsyncQueue<Queued>();
  /** The nonce of each worker's process, while it is live. */
  private readonly known: (string | null)[];
  private readonly inFlight = new Map<number, InFlight>();
  /** Stream entry of every result taken and not yet acknowledged, by job id: a second entry for the same job is a repeat (after the acknowledgement, the job is no longer in flight and a repeat is dropped as orphaned). */
  private readonly received = new Map<number, string>();
  private settledJobs: number[] = [];
  private readonly blobs: BlobStore;
  private published: string | null = null;
  private closing = false;
  private rereadPending = false;
  private readonly loops: Promise<void>[] = [];
  private readonly counts = { discardedEarlier: 0, duplicates: 0, orphaned: 0, acknowledged: 0, reconnects: 0 };

  constructor(
    private readonly o: RedisTransportOptions,
    private readonly keys: RedisKeys,
    private readonly cmd: Redis,
    private readonly reader: Redis,
    private readonly generation: number,
    discardedAtStart: number,
  ) {
    this.slots = Array.from({ length: o.slots }, () => new Float64Array(o.size));
    this.known = Array.from({ length: o.workers }, () => null);
    this.counts.discardedEarlier = discardedAtStart;
    this.blobs = new BlobStore(cmd, keys, generation, (command) => this.send(command));
    this.watchConnection();
  }

  get workerCount(): number {
    return this.o.workers;
  }

  get initiallyLive(): readonly number[] {
    return this.live;
  }

  report(): RedisReport {
    return { generation: this.generation, ...this.counts };
  }

  /** Resolves once minWorkers heartbeats are seen; starts the loops. */
  async waitForWorkers(): Promise<void> {
    const deadline = Date.now() + this.o.joinTimeoutMs;
    for (;;) {
      await this.observeHeartbeats();
      const live = this.liveWorkers();
      if (live.length >= this.o.minWorkers) {
        this.live = live;
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`Distributed training over Redis: ${live.length} of the ${this.o.minWorkers} workers needed joined within ${this.o.joinTimeoutMs} ms. Start worker processes with runRedisWorker({ url: '${this.o.url}', prefix: '${this.o.prefix}', model }) (the same model and data as the server).`);
      }
      await sleep(Math.min(200, this.o.heartbeatMs / 4));
    }
    // Joins seen so far are in initiallyLive; the queue starts empty of them.
    while (this.events.poll() !== undefined);
    this.loops.push(this.readLoop(), this.watchLoop());
  }

  private liveWorkers(): number[] {
    return this.known.flatMap((nonce, w) => (nonce === null ? [] : [w]));
  }

  /**
   * After Redis comes back: the blobs still needed are written again (a crash with
   * `appendfsync everysec` can lose the last second of writes), jobs in flight are
   * sent again, and this consumer's pending entries re-read; duplicates are dropped by tag.
   */
  private watchConnection(): void {
    // The command connection is ready before the transport exists (startRedisTransport pinged it).
    this.cmd.on('ready', () => {
      this.counts.reconnects++;
      this.rereadPending = true;
      this.blobs.rewrite();
      for (const [worker, flight] of this.inFlight) this.send(this.cmd.rpush(this.keys.jobs(worker), flight.message));
    });
    let readerReady = this.reader.status === 'ready';
    this.reader.on('ready', () => {
      if (readerReady) this.rereadPending = true;
      readerReady = true;
    });
  }

  publish(params: Float64Array): void {
    const key = this.blobs.upload(params);
    this.blobs.ref(key);
    if (this.published !== null) this.blobs.unref(this.published);
    this.published = key;
  }

  assign(worker: number, job: ShardJob): void {
    if (this.published === null && job.params === undefined) throw new Error('Internal error: a job was assigned before any parameters were published.');
    const params = job.params === undefined ? this.published! : this.blobs.upload(this.slots[job.params]!);
    const vector = job.hvpOf === undefined ? undefined : this.blobs.upload(this.slots[job.hvpOf]!);
    const blobs = vector === undefined ? [params] : [params, vector];
    for (const b of blobs) this.blobs.ref(b);
    const header = {
      generation: this.generation, job: job.id, worker, step: job.step ?? 0,
      kind: job.hvpOf === undefined ? 'gradient' as const : 'hvp' as const, params, ...(vector === undefined ? {} : { vector }),
    };
    const message = encodeJob(header, job.indices);
    this.inFlight.set(worker, { job, message, blobs });
    this.send(this.cmd.rpush(this.keys.jobs(worker), message));
  }

  async next(): Promise<TransportEvent> {
    return this.unwrap(await this.events.next());
  }

  poll(): TransportEvent | null {
    const e = this.events.poll();
    return e === undefined ? null : this.unwrap(e);
  }

  settled(jobs: readonly number[]): void {
    this.settledJobs.push(...jobs);
  }

  commit(): void {
    const ids: string[] = [];
    for (const job of this.settledJobs) {
      const entry = this.received.get(job);
      if (entry === undefined) continue;
      ids.push(entry);
      this.received.delete(job);
    }
    this.settledJobs = [];
    if (ids.length === 0) return;
    this.counts.acknowledged += ids.length;
    this.send(this.cmd.xack(this.keys.gradients, this.keys.group, ...ids));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // The reader is blocked in XREADGROUP: dropping it ends the read loop at once.
    this.reader.disconnect();
    await Promise.allSettled(this.loops);
    const mine = this.blobs.keysHeld();
    const lists = Array.from({ length: this.o.workers }, (_, w) => [this.keys.jobs(w), this.keys.working(w)]).flat();
    try {
      // Workers wait for the next server once the config is gone; unacknowledged results stay pending for it.
      await this.cmd.del(this.keys.config, ...lists, ...mine);
      await this.cmd.quit();
    } catch {
      this.cmd.disconnect();
    }
  }

  private unwrap(e: Queued): TransportEvent {
    if (e.kind === 'fatal') throw e.error;
    return e;
  }

  /** A command whose failure (not a lost connection: those are retried) ends the run. */
  private send(command: Promise<unknown>): void {
    command.catch((error: unknown) => {
      if (!this.closing) this.events.push({ kind: 'fatal', error: new Error(`Distributed training over Redis: a command failed: ${error instanceof Error ? error.message : String(error)}`) });
    });
  }

  private release(worker: number): InFlight | undefined {
    const flight = this.inFlight.get(worker);
    if (flight === undefined) return undefined;
    this.inFlight.delete(worker);
    for (const b of flight.blobs) this.blobs.unref(b);
    return flight;
  }

  private async readLoop(): Promise<void> {
    while (!this.closing) {
      const from = this.rereadPending ? '0' : '>';
      this.rereadPending = false;
      let reply: unknown;
      try {
        reply = await this.reader.callBuffer('XREADGROUP', 'GROUP', this.keys.group, this.keys.consumer, 'COUNT', 64, 'BLOCK', 500, 'STREAMS', this.keys.gradients, from);
      } catch (error) {
        if (this.closing) return;
        // Redis restarted without its data (no append-only file): the stream and the group are gone.
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          await this.cmd.xgroup('CREATE', this.keys.gradients, this.keys.group, '$', 'MKSTREAM').catch(() => {});
          continue;
        }
        this.events.push({ kind: 'fatal', error: new Error(`Distributed training over Redis: reading results failed: ${error instanceof Error ? error.message : String(error)}`) });
        return;
      }
      // XREADGROUP replies [[stream, [[id, fields | null], …]]] (fields null: an entry deleted since it was read).
      for (const [, entries] of (reply ?? []) as [Buffer, [Buffer, Buffer[] | null][]][]) {
        for (const [id, fields] of entries) this.receive(id.toString(), fields);
      }
    }
  }

  private receive(entry: string, fields: Buffer[] | null): void {
    if (fields === null) return;
    const r = parseResult(fields);
    const drop = (): void => this.send(this.cmd.multi().xack(this.keys.gradients, this.keys.group, entry).xdel(this.keys.gradients, entry).exec());
    if (r.generation !== this.generation) {
      this.counts.discardedEarlier++;
      return drop();
    }
    const seen = this.received.get(r.job);
    if (seen !== undefined) {
      // The same entry read again keeps its place in the pending list; another entry for the job is a repeat.
      if (seen === entry) return;
      this.counts.duplicates++;
      return drop();
    }
    const flight = this.inFlight.get(r.worker);
    if (flight === undefined || flight.job.id !== r.job) {
      this.counts.orphaned++;
      return drop();
    }
    this.received.set(r.job, entry);
    if (r.status === 'failed') {
      this.release(r.worker);
      this.events.push({ kind: 'failed', worker: r.worker, job: r.job, message: r.message });
      return;
    }
    try {
      readFloat64Into(r.data, this.slots[flight.job.slot]!, `the result of job ${r.job} from worker ${r.worker}`);
    } catch (error) {
      this.release(r.worker);
      this.events.push({ kind: 'failed', worker: r.worker, job: r.job, message: (error as Error).message });
      return;
    }
    this.release(r.worker);
    // The payload is in its slot now; the pending entry stays until the update is safe.
    this.send(this.cmd.xdel(this.keys.gradients, entry));
    this.events.push({ kind: 'done', worker: r.worker, job: r.job, loss: r.loss });
  }

  private async watchLoop(): Promise<void> {
    while (!this.closing) {
      await sleep(this.o.heartbeatMs / 4);
      if (this.closing) return;
      try {
        await this.observeHeartbeats();
      } catch (error) {
        if (this.closing) return;
        this.events.push({ kind: 'fatal', error: new Error(`Distributed training over Redis: reading heartbeats failed: ${(error as Error).message}`) });
        return;
      }
    }
  }

  /** Compares each worker's heartbeat with the nonce known: a new one joined, a missing one died. */
  private async observeHeartbeats(): Promise<void> {
    const values = await this.cmd.mget(...this.known.map((_, w) => this.keys.heartbeat(w)));
    for (const change of heartbeatChanges(this.known, values, this.o.heartbeatMs)) {
      if (change.kind === 'died') this.giveUp(change.worker, change.reason);
      else {
        this.known[change.worker] = change.nonce;
        this.events.push({ kind: 'joined', worker: change.worker });
      }
    }
  }

  /** A worker given up: its job is forgotten here (a late result of it is dropped) and its queue cleared. */
  private giveUp(worker: number, reason: string): void {
    this.known[worker] = null;
    this.release(worker);
    this.send(this.cmd.del(this.keys.jobs(worker), this.keys.working(worker)));
    this.events.push({ kind: 'died', worker, reason });
  }
}
