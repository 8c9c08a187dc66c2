// A redis-server of the tests' own, on a free loopback port with an append-only file
// in a temporary folder, so a test can restart it; or, for tests that do not restart
// it, the one CI started (.ci/run exports GRADC_REDIS_URL). Missing redis-server is
// an error, never a skip: the Redis transport is tested against a real server
// everywhere (CI installs the Debian package in .ci/run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  readonly url: string;
  /** Stops it (SIGTERM: it writes its append-only file) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'redis-server is not on the PATH, and the Redis transport\'s tests need a real one (they start their own on a free loopback port). '
      + `Install the Debian package: apt-get install -y redis-server (CI's .ci/run does this when redis-server is missing${process.env['CI'] === undefined ? '' : '; this is CI, so .ci/run did not'}).`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}

async function untilPong(port: number, process: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (process.exitCode !== null) throw new Error(`redis-server exited with code ${process.exitCode} before answering on port ${port}`);
    if (await pong(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not answer on port ${port} within 5 s`);
}

const exited = (p: ChildProcess): Promise<void> => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r())));

export async function startTestRedis(): Promise<TestRedis> {
  requireRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gradc-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir, '--daemonize', 'no'];
  const launch = async (): Promise<ChildProcess> => {
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    await untilPong(port, p);
    return p;
  };
  let server = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      server.kill('SIGTERM');
      await exited(server);
      server = await launch();
    },
    async stop() {
      server.kill('SIGTERM');
      await exited(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
