// Child processes of the Redis tests (workers, a server): started with tsx, their
// stdout kept line by line so a test can wait for a line, and stopped at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerArgs } from './workerProcess.ts';

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line (already printed or to come) matching `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (null after a signal). */
  exit(): Promise<number | null>;
  stderr(): string;
}

export function startChild(script: string, arg: unknown): Child {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, JSON.stringify(arg)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let err = '';
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    rest += chunk.toString();
    const parts = rest.split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child, lines,
    waitFor(pattern, timeoutMs = 20_000) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout:\n${lines.join('\n')}\nstderr:\n${err}`)), timeoutMs);
        waiters.push({ pattern, resolve: (l) => { clearTimeout(timer); resolve(l); } });
        void exit.then((code) => { clearTimeout(timer); reject(new Error(`the process exited (${code}) before printing a line matching ${pattern}; stdout:\n${lines.join('\n')}\nstderr:\n${err}`)); });
      });
    },
    exit: () => exit,
    stderr: () => err,
  };
}

export function startWorker(args: WorkerArgs): Child {
  return startChild('./workerProcess.ts', args);
}

/** Stops the children still running (SIGKILL: the tests are over). */
export async function stopAll(children: readonly Child[]): Promise<void> {
  for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exit()));
}
