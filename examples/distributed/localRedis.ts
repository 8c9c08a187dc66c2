/**
 * The Redis the example trains through when `--transport redis` is given without
 * `--redis-url`: a redis-server of its own on a free loopback port (no persistence,
 * its files in a temporary folder), stopped when the example ends. Without
 * redis-server on the PATH it says how to get one, or to pass a URL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** Why there is no local redis-server to start, and what to do instead; null when there is one. */
export function missingRedisServer(): string | null {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return null;
  return [
    '--transport redis without --redis-url starts a local redis-server, but redis-server is not on the PATH.',
    'Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis; or docker run -p 6379:6379 redis),',
    'or pass the URL of a Redis you run: --redis-url redis://host:6379. Or train on worker threads: --transport threads.',
  ].join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free loopback port'))));
    });
  });
}

function answers(port: number): Promise<boolean> {
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

/** Starts redis-server on a free loopback port and waits (up to 5 s) until it answers PING. */
export async function startLocalRedis(): Promise<LocalRedis> {
  const missing = missingRedisServer();
  if (missing !== null) throw new Error(missing);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gradc-example-redis-'));
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((r) => server.once('exit', () => r()));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200; i++) {
    if (server.exitCode !== null) break;
    if (await answers(port)) return { url: `redis://127.0.0.1:${port}`, stop };
    await new Promise((r) => setTimeout(r, 25));
  }
  await stop();
  throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 5 s (exit code ${String(server.exitCode)}).`);
}
