// What a server does before it serves: check that Redis answers, and clear what an
// earlier server of the same prefix left (its job lists, its blobs, the results it
// read and never acknowledged: their updates are in its checkpoint or were lost with
// it, and the restarted server recomputes from the checkpoint).
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';

export async function reachable(cmd: Redis, url: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Distributed training: cannot reach Redis at ${url} within ${timeoutMs} ms. Start one (the Debian package redis-server: \`redis-server --port 6379\`) or give distributed.transport.url of a running one.`)), timeoutMs);
  });
  try {
    await Promise.race([cmd.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Clears an earlier server's job lists, blobs and pending results; returns the results discarded. */
export async function clearEarlier(cmd: Redis, keys: RedisKeys, workers: number, generation: number): Promise<number> {
  const lists = Array.from({ length: workers }, (_, w) => [keys.jobs(w), keys.working(w)]).flat();
  if (lists.length > 0) await cmd.del(...lists);
  const mine = `${keys.prefix}:blob:${generation}:`;
  for (let cursor = '0'; ;) {
    const [next, found] = await cmd.scan(cursor, 'MATCH', keys.blobPattern, 'COUNT', 1000);
    const stale = found.filter((k) => !k.startsWith(mine));
    if (stale.length > 0) await cmd.del(...stale);
    cursor = next;
    if (cursor === '0') break;
  }
  try {
    await cmd.xgroup('CREATE', keys.gradients, keys.group, '$', 'MKSTREAM');
    return 0;
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('BUSYGROUP')) throw error;
  }
  // The group exists: an earlier server read these and never acknowledged them.
  let discarded = 0;
  for (;;) {
    const pending = (await cmd.xpending(keys.gradients, keys.group, '-', '+', 1000)) as [string, string, number, number][];
    if (pending.length === 0) return discarded;
    const ids = pending.map((p) => p[0]);
    await cmd.multi().xack(keys.gradients, keys.group, ...ids).xdel(keys.gradients, ...ids).exec();
    discarded += ids.length;
  }
}
