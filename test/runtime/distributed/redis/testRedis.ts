// A redis-server of the tests' own, on a free loopback port with an append-only file
// in a temporary folder, so a test can restart it; or, for tests that do not restart
// it, the one CI started (.ci/run exports GRADC_REDIS_URL). Missing redis-server is
// an error, never a skip: the Redis transport is tested against a real server
// everywhere (CI installs the Debian package in .ci/run).
import { redisServerOnPath, startLocalRedis, type LocalRedis } from '../../../../runtime/distributed/redis/localServer.ts';

export type TestRedis = LocalRedis;

export function requireRedisServer(): void {
  if (!redisServerOnPath()) {
    throw new Error(
      'redis-server is not on the PATH, and the Redis transport\'s tests need a real one (they start their own on a free loopback port). '
      + `Install the Debian package: apt-get install -y redis-server (CI's .ci/run does this when redis-server is missing${process.env['CI'] === undefined ? '' : '; this is CI, so .ci/run did not'}).`,
    );
  }
}

/** A redis-server of the test's own, with an append-only file, so that restart() keeps its data. */
export async function startTestRedis(): Promise<TestRedis> {
  requireRedisServer();
  return startLocalRedis({ appendOnly: true });
}

/** The server .ci/run started, if there is one (each test uses its own key prefix), else one of our own. */
export async function sharedOrOwnRedis(): Promise<TestRedis> {
  const url = process.env['GRADC_REDIS_URL'];
  if (url === undefined || url === '') return startTestRedis();
  return {
    url,
    restart: () => Promise.reject(new Error('The Redis of GRADC_REDIS_URL is not the test\'s own; a test that restarts Redis uses startTestRedis().')),
    stop: () => Promise.resolve(),
  };
}
