// When a pull or a push arrives: latency plus transfer time, and with a shared server
// link, the wait for it (the server's inbound and outbound directions are separate pipes).
import type { TransportModel } from './model.ts';
import { ResourcePool } from './resourcePool.ts';

export class Links {
  private readonly inbound: ResourcePool | null;
  private readonly outbound: ResourcePool | null;

  constructor(private readonly transport: TransportModel) {
    const shared = transport.serverBytesPerMs !== undefined;
    this.inbound = shared ? new ResourcePool(1) : null;
    this.outbound = shared ? new ResourcePool(1) : null;
  }

  /** Parameters asked for at `time` reach the worker. */
  pull(time: number): number {
    return this.send(time, this.transport.parameterBytes, this.outbound);
  }

  /** A gradient sent at `time` reaches the server. */
  push(time: number): number {
    return this.send(time, this.transport.gradientBytes, this.inbound);
  }

  private send(time: number, bytes: number, serverLink: ResourcePool | null): number {
    const own = bytes === 0 ? 0 : bytes / this.transport.bytesPerMs;
    const throughServer = serverLink === null ? time : serverLink.acquire(time, bytes / this.transport.serverBytesPerMs!);
    return Math.max(time + own, throughServer) + this.transport.latencyMs;
  }
}
