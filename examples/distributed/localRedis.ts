/**
 * With `--transport redis` and no `--redis-url` the example trains through the
 * runtime's startLocalRedis() (a redis-server of its own on a free loopback port,
 * stopped when the example ends); without redis-server on the PATH it says how to get
 * one, or to pass a URL, instead.
 */
import { redisServerOnPath } from '../../runtime/index.ts';

/** Why there is no local redis-server to start, and what to do instead; null when there is one. */
export function missingRedisServer(): string | null {
  if (redisServerOnPath()) return null;
  return [
    '--transport redis without --redis-url starts a local redis-server, but redis-server is not on the PATH.',
    'Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis; or docker run -p 6379:6379 redis),',
    'or pass the URL of a Redis you run: --redis-url redis://host:6379. Or train on worker threads: --transport threads.',
  ].join('\n');
}
