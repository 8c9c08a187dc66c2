// What the synchronous coordinator and the asynchronous server do alike with a
// transport whose workers come and go (Redis): who is live at the start, and when
// the results used so far are acknowledged.
import type { SyncTransport } from './transport.ts';

/** The workers live when a coordinator starts: the transport's list, or all of them. */
export function liveAtStart(transport: SyncTransport): Set<number> {
  return new Set(transport.initiallyLive ?? Array.from({ length: transport.workerCount }, (_, w) => w));
}

/**
 * Acknowledges used results once their updates are safe: at each checkpoint when the
 * run writes them (a restarted server resumes from it, so an acknowledged update is
 * never lost), else as soon as they are applied, i.e. when the next step starts.
 */
export class ResultCommits {
  constructor(
    private readonly transport: SyncTransport,
    private readonly onCheckpoint: boolean,
  ) {}

  /** A step starts: the previous one's update has been applied. */
  stepStarting(): void {
    if (!this.onCheckpoint) this.transport.commit?.();
  }

  /** A checkpoint holding every update so far has been written. */
  checkpointed(): void {
    this.transport.commit?.();
  }
}
