// A run killed mid-epoch (SIGKILL to a child process) and resumed from its last
// checkpoint ends with parameters bit-identical to an uninterrupted run; and a
// checkpoint file killed mid-write is never left half-written.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, loadCheckpoint, type TrainingState } from '../../../runtime/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const tsx = (script: string, args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', join(fixtures, script), ...args]];

function runToEnd(checkpoint: string, result: string): Buffer {
  const [cmd, args] = tsx('killableRun.ts', [checkpoint, result]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return Buffer.from(readFileSync(result, 'utf8'), 'base64');
}

/** Starts a child, waits for `line` on its stdout, then SIGKILLs it (after `delayMs`). */
function killAfter(script: string, args: string[], line: string, delayMs = 0): Promise<NodeJS.Signals | null> {
  const [cmd, argv] = tsx(script, args);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(line)) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

describe('checkpoints', () => {
  it('a run killed mid-epoch and resumed ends bit-identical to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-resume-'));
    const uninterrupted = runToEnd(join(dir, 'a.ckpt'), join(dir, 'a.bin'));

    const checkpoint = join(dir, 'b.ckpt');
    expect(await killAfter('killableRun.ts', [checkpoint, join(dir, 'b.bin'), '22'], 'hanging at step 22')).toBe('SIGKILL');
    expect(existsSync(join(dir, 'b.bin'))).toBe(false);
    // The last checkpoint is from step 20, in the middle of an epoch.
    const saved = loadCheckpoint(checkpoint) as TrainingState;
    expect(saved.loop.step).toBe(20);
    expect(saved.loop.position).toBeGreaterThan(0);

    const resumed = runToEnd(checkpoint, join(dir, 'b.bin'));
    expect(resumed.length).toBe(15 * 8);
    expect(resumed.equals(uninterrupted)).toBe(true);
    // And the resumed run's final checkpoint matches the uninterrupted one's.
    const a = loadCheckpoint(join(dir, 'a.ckpt')) as TrainingState;
    const b = loadCheckpoint(checkpoint) as TrainingState;
    expect(b.loop).toEqual(a.loop);
    expect(b.optimizer).toEqual(a.optimizer);
  }, 30_000);

  it('a checkpoint killed during writes, again and again, always parses whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-atomic-'));
    const path = join(dir, 'ckpt.json');
    const steps: number[] = [];
    for (let k = 0; k < 5; k++) {
      expect(await killAfter('checkpointWriter.ts', [path], 'first checkpoint written', 20 + 37 * k)).toBe('SIGKILL');
      const state = decodeCheckpoint(readFileSync(path, 'utf8')) as { step: number; params: Float64Array; tail: string };
      expect(state.tail).toBe('end');
      expect(state.params.length).toBe(400_000);
      expect(state.params.every((v) => v === state.step)).toBe(true);
      steps.push(state.step);
    }
    // Several writes completed before each kill, so kills landed among writes.
    expect(Math.max(...steps)).toBeGreaterThan(1);
  }, 30_000);
});
