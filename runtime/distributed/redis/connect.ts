// One ioredis connection as both ends use it: it reconnects for ever (a Redis
// restart is waited out, not an error), commands issued meanwhile wait in the
// offline queue, and commands unanswered when the connection dropped are sent again
// (so a result can arrive twice: every result is tagged and duplicates are dropped).
// ioredis is imported on first use: the runtime's other users do not load it (it
// costs some 60–90 ms at start-up here).
import type { Redis } from 'ioredis';

export async function connectRedis(url: string, name: string): Promise<Redis> {
  const { Redis: Client } = await import('ioredis');
  const client = new Client(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(50 * times, 500),
    autoResendUnfulfilledCommands: true,
  });
  // Connection errors while Redis is down are expected and retried; without a listener ioredis logs each one.
  client.on('error', () => {});
  return client;
}
