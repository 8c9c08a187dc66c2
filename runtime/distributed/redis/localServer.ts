// A redis-server of one's own on a free loopback port, for development and tests: what
// an example trains through when it is given no Redis URL, and what the Redis tests
// restart. Its files (the append-only file, when asked for) live in a temporary folder,
// removed when it is stopped. Without redis-server on the PATH, redisServerMissing()
// says so before anything is started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRedisOptions {
  /** Keep an append-only file, so that restart() comes back with the data. Default false (no persistence at all). */
  readonly appendOnly?: boolean;
}

export interface LocalRedis {
  /** e.g. 'redis://127.0.0.1:41759'. */
  readonly url: string;
  /** Stops it (SIGTERM: it writes its append-only file) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/** True when `redis-server --version` runs. */
export function redisServerOnPath(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
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

/** Starts redis-server on a free loopback port and waits until it answers PING (up to 5 s). redis-server must be on the PATH. */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  if (!redisServerOnPath()) throw new Error('redis-server is not on the PATH (Debian/Ubuntu: apt-get install -y redis-server).');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gradc-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendOnly === true ? 'yes' : 'no', '--dir', dir, '--daemonize', 'no'];
  const launch = async (): Promise<ChildProcess> => {
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    try {
      await untilPong(port, p);
    } catch (error) {
      p.kill('SIGKILL');
      throw error;
    }
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
